// Prepared models (issue 20): the site build compiles each product's rules
// into a file named by its content; the browser loads it instead of
// compiling, and compiles (saying why in the console) when it is refused.
import { test, expect } from '@playwright/test';

const products = async (request) => (await (await request.get('/catalogue/index.json')).json()).products;

const warnings = (page) => {
  const seen = [];
  page.on('console', (m) => { if (m.type() === 'warning') seen.push(m.text()); });
  return seen;
};

test('each product\'s rules arrive prepared: hashed, immutable, compressed, and used without a warning', async ({ page, request }) => {
  for (const p of await products(request)) {
    expect(p.prepared, `${p.id}: the index names its prepared file`).toMatch(new RegExp(`^${p.id}-[0-9a-f]{16}\\.prep$`));
    const answer = await request.get(`/catalogue/${p.prepared}`, { headers: { 'Accept-Encoding': 'br' } });
    expect(answer.status()).toBe(200);
    expect(answer.headers()['cache-control']).toContain('immutable');
    expect(answer.headers()['content-encoding']).toBe('br');
  }
  const seen = warnings(page);
  const fetched = [];
  page.on('response', (r) => { if (r.url().endsWith('.prep')) fetched.push(r.status()); });
  await page.goto('/p/pc');
  await expect(page.locator('#main button:not(:disabled)').first()).toBeVisible();
  await expect(page.getByTestId('total')).toBeVisible();
  expect(fetched).toEqual([200]);
  expect(seen.filter((w) => w.includes('.prep'))).toEqual([]);
});

test.describe('without the service worker', () => {
  // Routes do not see what a service worker fetches (it keeps the good file).
  test.use({ serviceWorkers: 'block' });

  test('a damaged prepared file is refused with the reason, and the rules are compiled instead', async ({ page }) => {
    await page.goto('/p/pc');
    await expect(page.locator('#main button:not(:disabled)').first()).toBeVisible();
    const total = await page.getByTestId('total').innerText();

    const seen = warnings(page);
    await page.route('**/*.prep', (route) => route.fulfill({ status: 200, contentType: 'application/octet-stream', body: Buffer.from('not the rules at all') }));
    await page.reload();
    await expect(page.locator('#main button:not(:disabled)').first()).toBeVisible();
    await expect(page.getByTestId('total')).toHaveText(total);
    await expect.poll(() => seen.find((w) => w.includes('.prep'))).toMatch(/pc-[0-9a-f]{16}\.prep: not used, the rules are compiled instead: not a prepared model file/);
  });
});
