// Tailor's service worker: keeps the app, its styles, the catalogues and the
// rules (all in the wasm and catalogue files) for use without a network.
// Hashed assets never change, so they are served from the cache first; pages
// and catalogues come from the network when it answers, else from the cache.
// The API is never cached: orders made offline wait in the page's own queue;
// nor is the shop's console.
const CACHE = 'tailor-v1';
// Trunk writes a file's hash in hex without its leading zeros: 12 to 16
// digits (fewer comes once in 65,536 builds; such a file is then fetched).
const HASHED = /-[0-9a-f]{12,16}(_bg)?\.(js|wasm|css)$/;
// (With their folders: the account bundle's are under /portal, the channels
// bundle's under /channels.)
const NAMED = /(?:\/[\w.-]+)*\/[\w.-]+-[0-9a-f]{12,16}(?:_bg)?\.(?:js|wasm|css)/g;
// Prepared models (the rules compiled at build time) and the model files as
// built, named by content in the catalogue index; kept while the index
// names them.
const PREPARED = /^\/catalogue\/[\w.-]+-[0-9a-f]{16}\.(prep|json)$/;

// The hashed files an app page names (its script, wasm and styles).
const assetsOf = (html) => [...new Set(html.match(NAMED) || [])];

// A hashed file's name without its hash: which file it is a version of.
const stemOf = (path) => path.replace(/-[0-9a-f]{12,16}((_bg)?\.\w+)$/, '$1');

// After a new version of the site, the files of the old one are dropped:
// when an app's page comes from the network, every cached hashed file that
// is another version of a file it names goes. The shop's and the account
// bundle's pages name different files, so neither prunes the other's.
async function prune(html) {
  const named = new Set(assetsOf(html));
  const stems = new Set([...named].map(stemOf));
  const cache = await caches.open(CACHE);
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname;
    if (HASHED.test(path) && !named.has(path) && stems.has(stemOf(path))) await cache.delete(request);
  }
}

// Pages the account bundle draws (the server sends its page for them):
// offline, one never opened falls back to that bundle's page, kept as
// '/account'; one of the kiosk, a partner's frame or a kiosk's hand-off to
// the channels bundle's, kept as '/kiosk'; any other to the shop's, kept as
// '/app' (the server's `site::bundle_of`).
const ACCOUNT_PAGE = /^(\/embed)?\/(account|privacy|orders\/[^/]+)\/?$/;
const CHANNELS_PAGE = /^(\/embed(\/.*)?|\/kiosk(\/.*)?|\/h\/[^/]+\/?)$/;
const shellFor = (path) => (ACCOUNT_PAGE.test(path) ? '/account' : CHANNELS_PAGE.test(path) ? '/kiosk' : '/app');

self.addEventListener('install', () => self.skipWaiting());
// '/app' is the shop's page (the server sends it for any client route but
// the other bundles') and '/account' the account bundle's: the fallbacks
// for a page never opened before going offline. '/kiosk', the channels
// bundle's, only when a page of that bundle registered the worker (a kiosk
// or a partner's frame): a customer of the shop's own site needs none of it.
// On activation it also keeps what those pages load (the hashed script, wasm
// and styles it names) and every catalogue file, since the page that
// registered the worker fetched them before the worker was there.
async function precache() {
  const cache = await caches.open(CACHE);
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const channels = windows.some((w) => shellFor(new URL(w.url).pathname) === '/kiosk');
  for (const shell of ['/app', '/account', ...(channels ? ['/kiosk'] : [])]) {
    const page = await fetch(shell);
    if (!page.ok) continue;
    await cache.put(shell, page.clone());
    const html = await page.text();
    await cache.addAll(assetsOf(html));
    await prune(html);
  }
  const index = await fetch('/catalogue/index.json');
  if (!index.ok) return;
  await cache.put('/catalogue/index.json', index.clone());
  const list = await index.json();
  await cache.addAll(['/catalogue/privacy.json', ...builtFilesOf(list)]);
  await prunePrepared(list);
}

// Every file the index names for its products: the model file and the
// prepared one (the build names both by content).
const builtFilesOf = (index) => index.products.flatMap((p) => [p.file, p.prepared].filter(Boolean)).map((f) => `/catalogue/${f}`);

// Drops the cached prepared and model files named by content that the
// current catalogue index no longer names.
async function prunePrepared(index) {
  const named = new Set(builtFilesOf(index));
  const cache = await caches.open(CACHE);
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname;
    if (PREPARED.test(path) && !named.has(path)) await cache.delete(request);
  }
}
self.addEventListener('activate', (event) => event.waitUntil(precache().catch(() => {}).then(() => self.clients.claim())));

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  // The shop's console (its own page and wasm, under /staff) is left to the
  // network: caching it would prune the customer app's files.
  const console_ = url.pathname === '/staff' || url.pathname.startsWith('/staff/');
  if (request.method !== 'GET' || url.origin !== self.location.origin || url.pathname.startsWith('/api/') || console_) return;
  if (HASHED.test(url.pathname) || PREPARED.test(url.pathname)) {
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
          if (request.mode === 'navigate') {
            event.waitUntil(response.clone().text().then(prune).catch(() => {}));
          }
          if (url.pathname === '/catalogue/index.json') {
            event.waitUntil(response.clone().json().then(prunePrepared).catch(() => {}));
          }
        }
        return response;
      })
      .catch(() =>
        caches.open(CACHE).then((cache) =>
          cache.match(request, { ignoreSearch: request.mode === 'navigate' }).then((hit) => hit || cache.match(shellFor(url.pathname)).then((shell) => shell || Response.error())),
        ),
      ),
  );
});
