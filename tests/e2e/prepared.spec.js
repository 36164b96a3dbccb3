// Prepared models (issue 20): the site build compiles each product's rules
// into a file named by its content; the browser loads it instead of
// compiling. The shop has no rule compiler (issue 18: a smaller download), so
// a refused file is an error that says why, with a way to try again.
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

  test('a damaged prepared file is refused with the reason, and trying again once it is good opens the configurator', async ({ page }) => {
    await page.goto('/p/pc');
    await expect(page.locator('#main button:not(:disabled)').first()).toBeVisible();
    const total = await page.getByTestId('total').innerText();

    await page.route('**/*.prep', (route) => route.fulfill({ status: 200, contentType: 'application/octet-stream', body: Buffer.from('not the rules at all') }));
    await page.reload();
    const alert = page.locator('#main [role=alert]');
    await expect(alert).toContainText(/\/catalogue\/pc-[0-9a-f]{16}\.json: rules: the prepared rules cannot be used: not a prepared model file/);
    await expect(page.getByTestId('total')).toHaveCount(0);

    await page.unroute('**/*.prep');
    await alert.getByRole('button').click();
    await expect(page.getByTestId('total')).toHaveText(total);
    await expect(alert).toHaveCount(0);
  });
});
