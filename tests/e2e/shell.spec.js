// The first screen is plain HTML, painted before the wasm arrives, in the
// visitor's language, and replaced by the app without a trace.
import { test, expect } from '@playwright/test';

test('the catalogue is on screen without the app, in English and in Chinese', async ({ browser, request }) => {
  const index = await (await request.get('/catalogue/index.json')).json();

  const plain = await browser.newContext({ javaScriptEnabled: false });
  const page = await plain.newPage();
  await page.goto('/');
  // innerText: what is shown (the other language is in the page, hidden).
  expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Choose a product to make your own');
  for (const p of index.products) {
    const card = page.locator('.product-card').filter({ has: page.getByRole('heading', { level: 2, name: p.name.en }) });
    await expect(card).toBeVisible();
    await expect(card.getByRole('link')).toHaveAttribute('href', `/p/${p.id}`);
  }
  await plain.close();

  // A Chinese browser whose wasm has not arrived (here: never does).
  const zh = await browser.newContext({ locale: 'zh-CN' });
  const waiting = await zh.newPage();
  await waiting.route('**/*.wasm', (route) => route.abort());
  await waiting.goto('/');
  await expect.poll(() => waiting.getByRole('heading', { level: 1 }).innerText()).toBe('选择一件产品，按您的需要定制');
  await expect(waiting.getByRole('heading', { level: 2, name: index.products[0].name.zh })).toBeVisible();
  // Other addresses do not show the catalogue while loading.
  await waiting.goto('/p/pc');
  await expect(waiting.getByRole('heading', { level: 1 })).toBeHidden();
  await zh.close();
});

test('the app replaces the first screen with the same content', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.locator('#shell')).toHaveCount(0);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Choose a product to make your own');
  await expect(page.getByRole('banner')).toHaveCount(1);
  await expect(page.locator('main')).toHaveCount(1);
});
