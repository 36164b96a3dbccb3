// The home page is plain HTML: the catalogue and the language buttons work
// without the app, which loads only when a product is opened (and is fetched
// ahead when one is pointed at). Deep links show the page's frame while the
// app loads, and the app replaces it without a trace.
import { test, expect } from '@playwright/test';

test('the home page needs no app and speaks both languages', async ({ page, request }) => {
  const index = await (await request.get('/catalogue/index.json')).json();
  const requested = [];
  page.on('request', (r) => requested.push(new URL(r.url()).pathname));
  await page.goto('/');
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Choose a product to make your own');
  await expect(page.getByRole('button', { name: 'English' })).toHaveAttribute('aria-pressed', 'true');
  for (const p of index.products) {
    const card = page.locator('.product-card').filter({ has: page.getByRole('heading', { level: 2, name: p.name.en, exact: true }) });
    await expect(card).toContainText(p.summary.en);
    await expect(card.getByRole('link', { name: 'Configure' })).toHaveAttribute('href', `/p/${p.id}`);
  }
  expect(requested.filter((u) => u.endsWith('.wasm') || /tailor-web.*\.js$/.test(u))).toEqual([]);

  await page.getByRole('button', { name: '简体中文' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('选择一件产品，按您的需要定制');
  await expect(page.getByRole('heading', { level: 2, name: index.products[0].name.zh })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('选择一件产品，按您的需要定制');

  // Pointing at a product fetches the app ahead; opening it starts the app in Chinese.
  const prefetch = page.waitForRequest((r) => r.url().endsWith('.wasm'));
  await page.getByRole('link', { name: '定制', exact: true }).first().hover();
  await prefetch;
  await page.getByRole('link', { name: '定制', exact: true }).first().click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(index.products[0].name.zh);
  await expect(page.locator('#shell')).toHaveCount(0);
});

test('without JavaScript the catalogue is still there', async ({ browser }) => {
  const plain = await browser.newContext({ javaScriptEnabled: false });
  const page = await plain.newPage();
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Choose a product to make your own');
  await expect(page.locator('.product-card').first().getByRole('link')).toHaveAttribute('href', /^\/p\//);
  await plain.close();
});

test('a deep link shows the frame, not the catalogue, until the app starts; a product page shows its configurator', async ({ browser }) => {
  const zh = await browser.newContext({ locale: 'zh-CN' });
  const page = await zh.newPage();
  await page.route('**/*.wasm', (route) => route.abort());
  await page.goto('/account');
  await expect(page.getByRole('link', { name: 'Tailor 为您量身定制' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 1 })).toBeHidden();
  // A product's page was drawn at build time: its configurator, in Chinese.
  await page.goto('/p/pc');
  await expect(page.getByRole('link', { name: 'Tailor 为您量身定制' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('按订单组装的台式电脑');
  await zh.close();
});

test('a product page downloads no code of the account pages, and a link between the two bundles loads the other', async ({ page }) => {
  const wasm = [];
  page.on('request', (r) => { if (r.url().endsWith('.wasm')) wasm.push(new URL(r.url()).pathname); });
  await page.goto('/p/pc');
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.locator('#shell')).toHaveCount(0);
  expect(wasm).toHaveLength(1);
  expect(wasm[0]).toMatch(/^\/tailor-web-[0-9a-f]{12,16}_bg\.wasm$/);

  // The header's link leads to the account bundle's page, a page load of its own.
  await page.getByRole('link', { name: 'My account' }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole('link', { name: 'My account' })).toHaveAttribute('aria-current', 'page');
  await expect(page.locator('#shell')).toHaveCount(0);
  expect(wasm).toHaveLength(2);
  expect(wasm[1]).toMatch(/^\/portal\/tailor-account-[0-9a-f]{12,16}_bg\.wasm$/);
  // Within a bundle, links stay in the page: no new download.
  await page.getByRole('link', { name: 'Privacy', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your privacy choices');
  expect(wasm).toHaveLength(2);
  // Back to the shop, and Back again returns to the privacy page.
  await page.getByRole('link', { name: 'Tailor Made for you, to order' }).click();
  await expect(page).toHaveURL(/\/$/);
  await page.goBack();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your privacy choices');
});

test('the kiosk runs the channels bundle, and neither it nor the partner frame is in the shop', async ({ page }) => {
  const wasm = [];
  page.on('request', (r) => { if (r.url().endsWith('.wasm')) wasm.push(new URL(r.url()).pathname); });
  await page.goto('/kiosk');
  await expect(page.getByTestId('kiosk-start-over')).toBeVisible();
  expect(wasm).toEqual([expect.stringMatching(/^\/channels\/tailor-channels-[0-9a-f]{12,16}_bg\.wasm$/)]);
  // From the attract screen to a product: the same bundle, no page load.
  await page.locator('a[href="/p/pc"]').click();
  await expect(page.getByTestId('total')).toBeVisible();
  await expect(page.getByTestId('kiosk-start-over')).toBeVisible();
  expect(wasm).toHaveLength(1);
  // The shop's own product page: the shop's bundle, without the kiosk's bar.
  await page.goto('/p/pc');
  await expect(page.locator('#shell')).toHaveCount(0);
  await expect(page.getByTestId('total')).toBeVisible();
  expect(wasm).toHaveLength(2);
  expect(wasm[1]).toMatch(/^\/tailor-web-[0-9a-f]{12,16}_bg\.wasm$/);
  await expect(page.getByTestId('kiosk-start-over')).toHaveCount(0);
});

// Trunk's names drop the hash's leading zeros (main-99cdc13c22c5bb2.css):
// the styles are still a build's file, compressed and kept for good.
test('the stylesheet is served compressed and cached for good', async ({ page, request }) => {
  await page.goto('/p/pc');
  const href = await page.locator('link[rel="stylesheet"]').first().getAttribute('href');
  expect(href).toMatch(/-[0-9a-f]{12,16}\.css$/);
  const r = await request.get(href, { headers: { 'Accept-Encoding': 'br' } });
  expect(r.ok()).toBe(true);
  expect(r.headers()['cache-control']).toContain('immutable');
  expect(r.headers()['content-encoding']).toBe('br');
});
