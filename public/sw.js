// Tailor's service worker: keeps the app, its styles, the catalogues and the
// rules (all in the wasm and catalogue files) for use without a network.
// Hashed assets never change, so they are served from the cache first; pages
// and catalogues come from the network when it answers, else from the cache.
// The API is never cached: orders made offline wait in the page's own queue.
const CACHE = 'tailor-v1';
const HASHED = /-[0-9a-f]{16}(_bg)?\.(js|wasm|css)$/;

self.addEventListener('install', () => self.skipWaiting());
// '/app' is the app's page (the server sends it for any client route): the
// fallback for a page never opened before going offline.
// On activation it also keeps what that page loads (the hashed script, wasm
// and styles it names) and every catalogue file, since the page that
// registered the worker fetched them before the worker was there.
async function precache() {
  const cache = await caches.open(CACHE);
  const page = await fetch('/app');
  if (!page.ok) return;
  await cache.put('/app', page.clone());
  const html = await page.text();
  const assets = [...new Set(html.match(/\/[\w.-]+-[0-9a-f]{16}(?:_bg)?\.(?:js|wasm|css)/g) || [])];
  await cache.addAll(assets);
  const index = await fetch('/catalogue/index.json');
  if (!index.ok) return;
  await cache.put('/catalogue/index.json', index.clone());
  const list = await index.json();
  await cache.addAll(['/catalogue/privacy.json', ...list.products.map((p) => `/catalogue/${p.file}`)]);
}
self.addEventListener('activate', (event) => event.waitUntil(precache().catch(() => {}).then(() => self.clients.claim())));

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;
  if (HASHED.test(url.pathname)) {
    event.respondWith(
      caches.open(CACHE).then((cache) =>
        cache.match(request).then((hit) => hit || fetch(request).then((response) => {
          if (response.ok) cache.put(request, response.clone());
          return response;
        })),
      ),
    );
    return;
  }
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(request, copy));
        }
        return response;
      })
      .catch(() =>
        caches.open(CACHE).then((cache) =>
          cache.match(request, { ignoreSearch: request.mode === 'navigate' }).then((hit) => hit || cache.match('/app').then((shell) => shell || Response.error())),
        ),
      ),
  );
});
