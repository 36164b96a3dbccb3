// The starter PC end to end: steps, an unavailable option explained and
// chosen anyway after accepting the proposed change, undo and redo, a share
// link, the review form with validation, the order, and reading it back.
import { test, expect } from '@playwright/test';
import { fillDetails } from './details.js';

const money = (s) => Number(s.replace(/[^0-9.]/g, ''));

async function openStarterPc(page) {
  await page.goto('/');
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Choose a product to make your own');
  await page.getByRole('link', { name: 'Configure', exact: true }).first().click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Starter desktop PC');
}

const step = (page, name) => page.getByRole('navigation').getByRole('button', { name: new RegExp(name) });

test('a customer configures the starter PC and places an order', async ({ page, request }) => {
  await openStarterPc(page);

  // Defaults: an AMD processor on a B650 board, so the Intel processor is unavailable, with the reason.
  const intel = page.getByRole('radio', { name: /Intel Core i5-14400/ });
  await expect(intel).toBeDisabled();
  await expect(page.getByText('Because you chose Motherboard: B650 (AM5, DDR5).')).toBeVisible();
  await expect(page.getByText('Intel 14th-generation processors need an LGA1700 board (B760).')).toBeVisible();

  await page.getByRole('button', { name: 'Next' }).click();
  const b760 = page.getByRole('radio', { name: /B760/ });
  await expect(b760).toBeDisabled();
  await expect(page.getByRole('radio', { name: /B650/ })).toBeChecked();

  // The total follows the choices.
  await page.getByRole('button', { name: 'Next' }).click();
  const total = page.getByTestId('total');
  const before = money(await total.textContent());
  await page.getByRole('radio', { name: /32 GB/ }).check();
  await expect(total).not.toHaveText(String(before));
  await expect.poll(async () => money(await total.textContent()) - before).toBeCloseTo(50, 2);

  // Choose the Intel processor anyway: the proposal names the board; accept it.
  await step(page, 'Processor').click();
  await page.getByRole('button', { name: 'Choose it anyway: Intel Core i5-14400' }).click();
  const proposal = page.getByRole('alertdialog');
  await expect(proposal).toContainText('Motherboard: B650 (AM5, DDR5)');
  await proposal.getByRole('button', { name: 'Accept the change' }).click();
  await expect(intel).toBeChecked();
  await step(page, 'Motherboard').click();
  await expect(b760).toBeEnabled();
  await expect(page.getByRole('radio', { name: /B650/ })).not.toBeChecked();
  await b760.check();
  await expect(page.getByRole('radio', { name: /B650/ })).toBeDisabled();

  await step(page, 'Storage').click();
  const shown = money(await total.textContent());
  await page.getByRole('button', { name: 'Review and order' }).click();

  // Validation: nothing filled in yet.
  await page.getByRole('button', { name: 'Place order' }).click();
  await expect(page.getByText('Please correct the marked fields.')).toBeVisible();
  await expect(page.getByLabel('E-mail')).toHaveAttribute('aria-invalid', 'true');
  await fillDetails(page);
  await page.getByRole('button', { name: 'Place order' }).click();

  const orderId = page.getByTestId('order-id');
  await expect(orderId).toHaveText(/^T[0-9A-Z]{13}$/);
  const id = await orderId.textContent();

  // Read it back through the API with the token the page kept.
  const token = await page.evaluate((id) => localStorage.getItem(`tailor.order.${id}`), id);
  expect(token).toBeTruthy();
  const response = await request.get(`/api/orders/${id}`, { headers: { Authorization: `Bearer ${token}` } });
  expect(response.status()).toBe(200);
  const order = await response.json();
  expect(order.product).toBe('pc-starter');
  expect(order.choices).toEqual({ cpu: 'i5-14400', board: 'b760', memory: '32gb', storage: 'ssd-1tb' });
  expect(order.total / 100).toBeCloseTo(shown, 2);
  expect(order.contact.email).toBe('test.customer@example.org');
  const anonymous = await request.get(`/api/orders/${id}`);
  expect(anonymous.status()).toBe(401);

  // The status page shows it too.
  await page.getByRole('link', { name: "See the order's status" }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Order status');
  await expect(page.getByTestId('order-id')).toHaveText(id);
  // With the picture the server draws from the stored order.
  await expect(page.getByTestId('order-picture').getByRole('img')).toHaveAccessibleName(/^Starter desktop PC: Processor /);
});

test('undo, redo and a share link that restores the same configuration', async ({ page, browser }) => {
  await openStarterPc(page);
  await step(page, 'Memory').click();
  const big = page.getByRole('radio', { name: /32 GB/ });
  await big.check();
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(page.getByRole('radio', { name: /16 GB/ })).toBeChecked();
  await page.getByRole('button', { name: 'Redo' }).click();
  await expect(big).toBeChecked();
  await step(page, 'Storage').click();
  await page.getByRole('radio', { name: /2 TB/ }).check();
  const total = await page.getByTestId('total').textContent();
  await page.locator('summary', { hasText: 'Share this configuration' }).click();
  const link = await page.getByTestId('share-link').inputValue();
  expect(link).toMatch(/\/p\/pc-starter\?c=1[A-Za-z0-9_-]+$/);

  // Another device: a fresh context.
  const other = await (await browser.newContext()).newPage();
  await other.goto(link);
  await expect(other.getByTestId('total')).toHaveText(total);
  await other.getByRole('navigation').getByRole('button', { name: /Storage/ }).click();
  await expect(other.getByRole('radio', { name: /2 TB/ })).toBeChecked();

  // Start over returns to the defaults.
  await page.getByRole('button', { name: 'Start over' }).click();
  await expect(page.getByRole('radio', { name: /1 TB/ })).toBeChecked();

  // A damaged code says so and starts from the defaults.
  await other.goto(link.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')));
  await expect(other.getByRole('alert')).toContainText('could not be opened');
});

test('the portal speaks Simplified Chinese and remembers it', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: '简体中文' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('选择一件产品，按您的需要定制');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('选择一件产品，按您的需要定制');
  await page.getByRole('link', { name: '定制', exact: true }).first().click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('入门台式电脑');
  await expect(page.getByRole('radio', { name: /英特尔酷睿/ })).toBeDisabled();
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Starter desktop PC');
});

test('an unknown page and an unknown product say so', async ({ page }) => {
  await page.goto('/nowhere');
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
  await page.goto('/p/toaster');
  await expect(page.getByRole('alert')).toContainText('unknown product "toaster"');
});

test('inside the app, links move between pages without reloading, and Back returns', async ({ page }) => {
  await openStarterPc(page);
  await page.evaluate(() => { window.samePage = true; });
  await page.getByRole('link', { name: 'All products' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Choose a product to make your own');
  await expect(page).toHaveURL(/\/$/);
  await expect(page.locator('#main')).toBeFocused();
  await page.getByRole('link', { name: 'Configure', exact: true }).nth(2).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Custom jeans');
  expect(await page.evaluate(() => window.samePage)).toBe(true);
  await page.goBack();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Choose a product to make your own');
  await page.goBack();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Starter desktop PC');
  await page.goForward();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Choose a product to make your own');
  expect(await page.evaluate(() => window.samePage)).toBe(true);
});

test('an order whose answer was lost is sent again with the same key and stored once', async ({ page }) => {
  await openStarterPc(page);
  await step(page, 'Storage').click();
  await page.getByRole('button', { name: 'Review and order' }).click();
  await fillDetails(page);

  // The first attempt reaches the server, but its answer never reaches the page.
  const sent = [];
  let first = null;
  await page.route('**/api/orders', async (route) => {
    const request = route.request();
    sent.push(request.headers()['idempotency-key']);
    if (sent.length === 1) {
      first = await (await route.fetch()).json();
      await route.abort('connectionreset');
    } else {
      await route.continue();
    }
  });
  await page.getByRole('button', { name: 'Place order' }).click();
  await expect(page.getByText('The order was not accepted')).toBeVisible();
  expect(first && first.id).toMatch(/^T[0-9A-Z]{13}$/);
  // What was typed survives the failure and a trip back to the configuration.
  await expect(page.getByLabel('Full name')).toHaveValue('Test Customer');
  await page.getByRole('button', { name: 'Change the configuration' }).click();
  await page.getByRole('button', { name: 'Review and order' }).click();
  await expect(page.getByLabel('Postcode')).toHaveValue('10115');

  const replay = page.waitForResponse('**/api/orders');
  await page.getByRole('button', { name: 'Place order' }).click();
  const response = await replay;
  expect(response.headers()['idempotent-replayed']).toBe('true');
  await expect(page.getByTestId('order-id')).toHaveText(first.id);
  expect(sent).toHaveLength(2);
  expect(sent[0]).toMatch(/^[0-9a-f-]{36}$/);
  expect(sent[1]).toBe(sent[0]);
});

test.describe(() => {
  // The network as the page sees it: no service worker answering from its cache.
  test.use({ serviceWorkers: 'block' });

test('the review is fetched when first opened, and a failed fetch can be tried again', async ({ page }) => {
  // Its code is a part of the wasm of its own, named in the page for the
  // service worker but not loaded with it.
  const parts = await page.goto('/p/pc-starter').then(() => page.locator('meta[name=tailor-parts]').getAttribute('content'));
  const review = parts.split(' ').find((p) => /^\/split_review-[0-9a-f]{16}\.wasm$/.test(p));
  expect(review, parts).toBeTruthy();
  await expect(page.getByTestId('total')).toBeVisible();
  const loaded = () => page.evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname));
  expect(await loaded()).not.toContain(review);

  // The first attempt fails (as on a dropped connection): the place says so, the rest works on.
  await page.route(`**${review}`, (route) => route.abort('internetdisconnected'));
  await page.getByRole('button', { name: 'English' }).click();
  await step(page, 'Storage').click();
  await page.getByRole('button', { name: 'Review and order' }).click();
  const failed = page.getByTestId('part-failed');
  await expect(failed).toBeVisible();
  await expect(failed).toHaveAttribute('role', 'alert');
  await expect(failed).toContainText('could not be loaded');
  await step(page, 'Storage').click();
  await expect(page.locator('#step-title')).toContainText('Storage');
  await page.getByRole('button', { name: 'Review and order' }).click();
  await expect(failed).toBeVisible();

  // With the network back, trying again shows the review; it then works as ever.
  await page.unroute(`**${review}`);
  await failed.getByRole('button', { name: 'Try again' }).click();
  await expect(failed).toHaveCount(0);
  await fillDetails(page);
  await page.getByRole('button', { name: 'Place order' }).click();
  await expect(page.getByRole('heading', { name: 'Thank you, your order is placed.' })).toBeVisible();
  expect(await loaded()).toContain(review);
});
});

test('an order made offline is saved, then sent once when the network returns', async ({ page, context }) => {
  await openStarterPc(page);
  // A profile, so the customer's orders can be counted afterwards.
  await page.locator('details.share summary').click();
  await page.getByTestId('save-config').click();
  await expect(page.locator('.save-config [role=status]')).toHaveText('Saved to your account.');
  await step(page, 'Storage').click();
  await page.getByRole('button', { name: 'Review and order' }).click();
  await fillDetails(page);

  await context.setOffline(true);
  await page.getByRole('button', { name: 'Place order' }).click();
  await expect(page.getByTestId('queued')).toContainText('Saved, will be sent');
  const waiting = await page.evaluate(() => JSON.parse(localStorage.getItem('tailor.outbox')));
  expect(waiting).toHaveLength(1);
  expect(waiting[0].key).toMatch(/^[0-9a-f-]{36}$/);

  await context.setOffline(false);
  await expect(page.getByRole('heading', { name: 'Thank you, your order is placed.' })).toBeVisible({ timeout: 15_000 });
  expect(await page.evaluate(() => localStorage.getItem('tailor.outbox'))).toBeNull();
  // Exactly one order on the server, even though the page kept trying.
  await page.waitForTimeout(11_000);
  const me = await (await context.request.get('/api/me')).json();
  expect(me.profile.orders).toHaveLength(1);
  await expect(page.getByTestId('order-id')).toHaveText(me.profile.orders[0].id);
});

test('the configurator works offline after one visit (service worker)', async ({ page, context }) => {
  await page.goto('/p/jeans');
  await expect(page.getByTestId('total')).toBeVisible();
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  await expect.poll(() => page.evaluate(() => caches.keys().then((k) => k.length))).toBeGreaterThan(0);
  await expect.poll(() => page.evaluate(async () => (await (await caches.open('tailor-v1')).keys()).length)).toBeGreaterThan(4);
  const cached = () => page.evaluate(async () => (await (await caches.open('tailor-v1')).keys()).map((r) => new URL(r.url).pathname));
  // Each product's prepared rules are kept too, so offline nothing is compiled.
  const prepared = (await page.evaluate(() => fetch('/catalogue/index.json').then((r) => r.json()))).products.map((p) => `/catalogue/${p.prepared}`);
  for (const path of prepared) await expect.poll(cached).toContain(path);
  // And the parts of the wasm fetched later (the review), so they open offline.
  const parts = (await page.locator('meta[name=tailor-parts]').getAttribute('content')).split(' ');
  expect(parts.length).toBeGreaterThan(0);
  for (const path of parts) await expect.poll(cached).toContain(path);
  const warnings = [];
  page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
  await context.setOffline(true);
  await page.goto('/p/pc-starter');
  await expect(page.getByTestId('total')).toBeVisible();
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  expect(warnings.filter((w) => w.includes('.prep'))).toEqual([]);
  await page.getByRole('navigation').getByRole('button', { name: /Storage|存储/ }).click();
  await page.getByRole('button', { name: /Review and order|确认并下单/ }).click();
  await expect(page.locator('#f-contact-name')).toBeVisible();
  await context.setOffline(false);

  // A prepared file the catalogue no longer names goes when the index is read again.
  await page.evaluate(async () => (await caches.open('tailor-v1')).put('/catalogue/pc-0123456789abcdef.prep', new Response('old')));
  expect(await cached()).toContain('/catalogue/pc-0123456789abcdef.prep');
  await page.evaluate(() => fetch('/catalogue/index.json'));
  await expect.poll(cached).not.toContain('/catalogue/pc-0123456789abcdef.prep');

  // After a new version of the site, a page load drops the old version's files.
  await page.evaluate(async () => (await caches.open('tailor-v1')).put('/tailor-web-0123456789abcdef_bg.wasm', new Response('old')));
  expect(await cached()).toContain('/tailor-web-0123456789abcdef_bg.wasm');
  await page.goto('/p/jeans');
  await expect(page.getByTestId('total')).toBeVisible();
  await expect.poll(cached).not.toContain('/tailor-web-0123456789abcdef_bg.wasm');
  const current = await page.evaluate(() => [...document.querySelectorAll('link[href$=".wasm"], link[href$=".css"]')].map((l) => new URL(l.href).pathname));
  expect(current.length).toBeGreaterThan(0);
  for (const path of current) expect(await cached()).toContain(path);
});
