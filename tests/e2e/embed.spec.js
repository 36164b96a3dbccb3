// Embedding (issue 7): only a registered partner's origin may frame the
// configurator, and the partner's page talks to it through `embed.js`'s
// custom element. The partner's pages are served by this test on their own
// origins: http://localhost:9911 (registered by `cargo xtask test`, with the
// theme radius=2px) and http://localhost:9912 (not registered).
import { test, expect } from '@playwright/test';
import http from 'node:http';
import { fillDetails } from './details.js';

const portal = process.env.TAILOR_URL;
// The embed token the partner's server gets with its key and puts in its
// page (orders in the frame carry it); fetched in beforeAll, as a partner's
// server would.
let token = '';
const partnerPage = (partner) =>
  `<!doctype html><html lang="en"><title>Partner shop</title><h1>Partner shop</h1>
   <iframe id="f" title="Configurator" src="${portal}/embed/p/pc-starter?partner=${partner}" width="900" height="700"></iframe></html>`;

// A partner page with the custom element, the way a partner would write it,
// and an advert from another origin in a frame beside it.
// A partner page that frames the portal directly (the frame is then
// reachable from other frames of the page) and speaks the protocol itself,
// with an advert from another origin beside it.
const plainPage = () => `<!doctype html><html lang="en"><title>Partner shop</title><h1>Partner shop</h1>
   <iframe id="f" title="Configurator" src="${portal}/embed/p/pc-starter?partner=e2e-partner&token=${token}" width="900" height="700"></iframe>
   <iframe id="advert" title="Advert" src="http://localhost:9912/advert" width="300" height="100"></iframe>
   <script>
     window.log = [];
     addEventListener('message', (e) => {
       if (e.origin === ${JSON.stringify(new URL(portal).origin)} && e.source === document.getElementById('f').contentWindow) window.log.push(e.data);
     });
   </script></html>`;

const elementPage = () => `<!doctype html><html lang="en"><title>Partner shop</title><h1>Partner shop</h1>
   <script src="${portal}/embed.js"></script>
   <tailor-configurator id="tc" product="pc-starter" partner="e2e-partner" token="${token}" locale="en" label="Configure your PC"></tailor-configurator>
   <iframe id="advert" title="Advert" src="http://localhost:9912/advert" width="300" height="100"></iframe>
   <script>
     window.log = [];
     for (const type of ['ready', 'resize', 'change', 'complete', 'cancel', 'theme', 'error']) {
       document.getElementById('tc').addEventListener('tailor-' + type, (e) => window.log.push({ type, detail: e.detail }));
     }
   </script></html>`;

// The partner shop's pages come from real local servers (a page the test
// fulfils itself would count as a public site, which Chromium does not let
// frame a local one).
const servers = [];
test.beforeAll(async () => {
  const key = process.env.TAILOR_PARTNER_KEY;
  expect(key, 'cargo xtask test passes the partner key').toBeTruthy();
  const answer = await fetch(`${portal}/api/partner/embed-tokens`, { method: 'POST', headers: { authorization: `Bearer ${key}` } });
  expect(answer.status).toBe(201);
  token = (await answer.json()).token;
  for (const port of [9911, 9912]) {
    const server = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      if (req.url.startsWith('/element')) res.end(elementPage());
      else if (req.url.startsWith('/plain')) res.end(plainPage());
      else if (req.url.startsWith('/advert')) res.end('<!doctype html><title>Advert</title><p>Buy more');
      else res.end(partnerPage('e2e-partner'));
    });
    await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
    servers.push(server);
  }
});
test.afterAll(() => Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve)))));

test('a registered partner origin frames the configurator; another origin cannot', async ({ page, request }) => {
  await page.goto('http://localhost:9911/shop');
  await expect(page.frameLocator('#f').getByTestId('total')).toBeVisible();

  // The same page on an origin the partner did not register: the browser refuses to show the frame.
  const refused = page.waitForEvent('console', { predicate: (m) => /frame-ancestors|Refused to frame/.test(m.text()), timeout: 10_000 });
  await page.goto('http://localhost:9912/shop');
  await refused;
  await expect(page.frameLocator('#f').getByTestId('total')).toHaveCount(0);

  // What the server says: the partner's origins, or no one.
  const ok = await request.get(`${portal}/embed/p/pc-starter?partner=e2e-partner`);
  expect(ok.headers()['content-security-policy']).toContain('frame-ancestors http://localhost:9911');
  for (const url of ['/embed/p/pc-starter?partner=nobody', '/embed/p/pc-starter', '/p/pc-starter']) {
    const r = await request.get(`${portal}${url}`);
    expect(r.headers()['content-security-policy'], url).toContain("frame-ancestors 'none'");
  }
});

const PROTOCOL = { protocol: 'tailor-embed', version: 1 };
const frameOf = (page) => page.frameLocator('tailor-configurator iframe');
const events = (page, type) => page.evaluate((t) => window.log.filter((m) => m.type === t).map((m) => m.detail), type);
const last = async (page, type) => (await events(page, type)).at(-1);
const element = (page, call) => page.evaluate(call);
const css = (frame, name) => frame.locator('html').evaluate((html, n) => getComputedStyle(html).getPropertyValue(n).trim(), name);

test('a partner page talks to the configurator through the custom element', async ({ page, request }) => {
  await page.goto('http://localhost:9911/element');
  const frame = frameOf(page);
  await expect(frame.getByTestId('total')).toBeVisible();
  await expect.poll(() => events(page, 'ready')).toContainEqual({ product: 'pc-starter' });

  // resize: the frame takes the height of the configurator's page.
  await expect.poll(async () => {
    const r = await last(page, 'resize');
    const h = await page.evaluate(() => document.getElementById('tc').shadowRoot.querySelector('iframe').getBoundingClientRect().height);
    const content = await frame.locator('html').evaluate((html) => Math.ceil(html.getBoundingClientRect().height));
    return r !== undefined && r.height === h && h === content;
  }).toBe(true);

  // The partner's registered theme (radius=2px), then a colour from its page.
  expect(await css(frame, '--radius')).toBe('2px');
  const next = frame.getByRole('button', { name: 'Next' });
  await expect(next).toHaveCSS('border-top-left-radius', '2px');
  await element(page, () => document.getElementById('tc').setTheme({ primary: '#0a7f5c' }));
  await expect(next).toHaveCSS('background-color', 'rgb(10, 127, 92)');
  await expect.poll(() => last(page, 'theme')).toEqual({ theme: { primary: '#0a7f5c', radius: '2px' } });
  // Tokens outside the allowed set, or unreadable button text, are refused and reported.
  await element(page, () => document.getElementById('tc').setTheme({ primary: '#ffd500' }));
  await element(page, () => document.getElementById('tc').setTheme({ background: 'url(https://evil.example/x.png)' }));
  await expect.poll(async () => (await events(page, 'error')).map((e) => e.code)).toEqual(['invalid-theme', 'invalid-theme']);
  expect((await events(page, 'error'))[0].message).toContain('contrast');
  await expect(next).toHaveCSS('background-color', 'rgb(10, 127, 92)');

  // The language, by method and by attribute.
  await element(page, () => document.getElementById('tc').setAttribute('locale', 'zh-CN'));
  await expect(frame.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await element(page, () => document.getElementById('tc').setLocale('en'));
  await expect(frame.locator('html')).toHaveAttribute('lang', 'en');

  // change: each choice, with the code and the price the engine computed.
  const first = await last(page, 'change');
  expect(first).toMatchObject({ product: 'pc-starter', currency: 'EUR', complete: true, valid: true });
  await next.click();
  await next.click();
  await frame.getByRole('radio', { name: /32 GB/ }).check();
  await expect.poll(async () => (await last(page, 'change')).code).not.toBe(first.code);
  const changed = await last(page, 'change');
  expect(changed.price - first.price).toBe(5000);
  expect(changed.valid).toBe(true);

  // The host ignores messages that do not come from the configurator's
  // frame on the portal's origin: an advert framed beside it fakes some.
  await page.frame({ url: /localhost:9912/ }).evaluate((p) => {
    parent.postMessage({ ...p, type: 'complete', orderId: 'FAKE' }, '*');
    parent.postMessage({ ...p, type: 'resize', height: 5 }, '*');
  }, PROTOCOL);
  // A message from the right origin in an old protocol version is refused with a reason.
  await page.evaluate(({ p, portal }) => {
    const f = document.getElementById('tc').shadowRoot.querySelector('iframe');
    f.contentWindow.postMessage({ ...p, version: 99, type: 'setLocale', locale: 'zh-CN' }, portal);
  }, { p: PROTOCOL, portal: new URL(portal).origin });
  await expect.poll(async () => (await events(page, 'error')).map((e) => e.code)).toContain('unsupported-version');
  await page.waitForTimeout(500);
  await expect(frame.locator('html')).toHaveAttribute('lang', 'en');
  expect(await events(page, 'complete')).toEqual([]);
  expect((await last(page, 'resize')).height).toBeGreaterThan(5);

  // cancel: the frame's own button; the host decides what it means.
  await frame.getByTestId('embed-cancel').click();
  await expect.poll(() => events(page, 'cancel')).toHaveLength(1);

  // complete: an order placed in the frame carries the partner's id, and
  // the partner's server reads it with its key.
  await frame.getByRole('navigation').getByRole('button', { name: /Storage/ }).click();
  await frame.getByRole('button', { name: 'Review and order' }).click();
  await fillDetails(frame);
  await frame.getByRole('button', { name: 'Place order' }).click();
  await expect.poll(() => events(page, 'complete')).toHaveLength(1);
  const done = await last(page, 'complete');
  expect(done).toMatchObject({ product: 'pc-starter', code: changed.code, total: changed.price, currency: 'EUR' });
  await expect(frame.getByTestId('order-id')).toHaveText(done.orderId);
  // The confirmation has the focus and is brought into the partner page's view.
  await expect(frame.locator('#placed-title')).toBeFocused();
  await expect(frame.locator('#placed-title')).toBeInViewport();
  const key = process.env.TAILOR_PARTNER_KEY;
  expect(key, 'cargo xtask test passes the partner key').toBeTruthy();
  const read = await request.get(`${portal}/api/partner/orders/${done.orderId}`, { headers: { authorization: `Bearer ${key}` } });
  expect(read.status()).toBe(200);
  expect(await read.json()).toMatchObject({ id: done.orderId, partner_id: 'e2e-partner', code: changed.code, total: changed.price });
  // The picture the event points at, drawn by the server from the order.
  expect(done.pictureUrl).toBe(`${portal}/api/partner/orders/${done.orderId}/picture`);
  const picture = await request.get(done.pictureUrl, { headers: { authorization: `Bearer ${key}` } });
  expect(picture.status()).toBe(200);
  expect(picture.headers()['content-type']).toBe('image/svg+xml');
  expect(await picture.text()).toMatch(/^<svg [^>]*role="img" aria-label="Starter desktop PC: Processor /);
  expect((await request.get(done.pictureUrl)).status()).toBe(401);
  // The order page stays inside the embed address (a reload would still be
  // framed); it is another bundle's page, so the frame loads a new document,
  // told which product it was opened at (for reset).
  const readies = (await events(page, 'ready')).length;
  await frame.getByRole('link', { name: "See the order's status" }).click();
  await expect(frame.getByRole('heading', { level: 1 })).toHaveText('Order status');
  expect(await frame.locator('html').evaluate(() => location.pathname + location.search)).toBe(`/embed/orders/${done.orderId}?partner=e2e-partner&token=${token}&entry=pc-starter`);
  // The host greets the new page again, in the language it last set and
  // with the theme its page set (the accepted colour, not the refused ones).
  await expect.poll(async () => (await events(page, 'ready')).length).toBeGreaterThan(readies);
  await expect(frame.locator('html')).toHaveAttribute('lang', 'en');
  await expect.poll(() => css(frame, '--radius')).toBe('2px');
  expect(await css(frame, '--color-accent')).toBe('#0a7f5c');
  expect((await events(page, 'error')).filter((e) => e.code === 'invalid-theme')).toHaveLength(2);
  // The theme attribute changed while a new page in the frame starts is
  // not lost: it is added to the accepted theme once the page is ready.
  await element(page, () => {
    const el = document.getElementById('tc');
    const watch = setInterval(() => {
      if (!el.ready) {
        clearInterval(watch);
        el.setAttribute('theme', JSON.stringify({ radius: '8px' }));
      }
    }, 1);
  });
  const readiesBefore = (await events(page, 'ready')).length;
  await frame.locator('html').evaluate(() => location.reload());
  await expect.poll(async () => (await events(page, 'ready')).length).toBeGreaterThan(readiesBefore);
  await expect.poll(() => css(frame, '--radius')).toBe('8px');
  expect(await css(frame, '--color-accent')).toBe('#0a7f5c');

  // reset: back to the product's start.
  await element(page, () => document.getElementById('tc').reset());
  await expect(frame.getByRole('heading', { level: 1 })).toHaveText('Starter desktop PC');
  await expect.poll(async () => (await last(page, 'change')).code).toBe(first.code);
});

test('the configurator ignores messages from any origin but its host', async ({ page }) => {
  await page.goto('http://localhost:9911/plain');
  const frame = page.frameLocator('#f');
  await expect(frame.getByTestId('total')).toBeVisible();
  const advert = page.frame({ url: /localhost:9912/ });
  // The advert reaches the configurator's window (frames[0]) and tries to
  // take it over before the host has said anything, then after.
  const attack = (p) => {
    const w = parent.frames[0];
    w.postMessage({ ...p, type: 'init', partner: 'e2e-partner', locale: 'zh-CN' }, '*');
    w.postMessage({ ...p, type: 'setLocale', locale: 'zh-CN' }, '*');
    w.postMessage({ ...p, type: 'setTheme', theme: { primary: '#000000' } }, '*');
    w.postMessage({ ...p, type: 'reset' }, '*');
    return w !== window;
  };
  expect(await advert.evaluate(attack, PROTOCOL)).toBe(true);
  await page.waitForTimeout(500);
  await expect(frame.locator('html')).toHaveAttribute('lang', 'en');
  expect(await page.evaluate(() => window.log)).toEqual([]); // nothing said to anyone before a good init

  // The host's own init is answered (to the host only), and its messages work.
  const host = (m) => document.getElementById('f').contentWindow.postMessage(m, new URL(document.getElementById('f').src).origin);
  await page.evaluate(host, { ...PROTOCOL, type: 'init', partner: 'e2e-partner', locale: 'en', theme: { primary: '#0a7f5c' } });
  await expect.poll(async () => (await page.evaluate(() => window.log)).map((m) => m.type)).toContain('ready');
  const next = frame.getByRole('button', { name: 'Next' });
  await expect(next).toHaveCSS('background-color', 'rgb(10, 127, 92)');
  await next.click();
  await next.click();
  await frame.getByRole('radio', { name: /32 GB/ }).check();
  await expect.poll(async () => (await page.evaluate(() => window.log)).filter((m) => m.type === 'change').length).toBeGreaterThan(1);

  expect(await advert.evaluate(attack, PROTOCOL)).toBe(true);
  // An init for another partner, from the host itself, is refused with a reason.
  await page.evaluate(host, { ...PROTOCOL, type: 'init', partner: 'someone-else' });
  await expect.poll(async () => (await page.evaluate(() => window.log)).filter((m) => m.type === 'error').map((m) => m.code)).toEqual(['wrong-partner']);
  await expect(frame.locator('html')).toHaveAttribute('lang', 'en');
  await expect(next).toHaveCSS('background-color', 'rgb(10, 127, 92)');
  await expect(frame.getByRole('radio', { name: /32 GB/ })).toBeChecked();
  // Every message the configurator sent was the protocol's, to this page.
  for (const m of await page.evaluate(() => window.log)) {
    expect(m).toMatchObject(PROTOCOL);
  }
});
