// The first slice end to end: configure the starter PC, see an incompatible
// option shown unavailable, choose it anyway, order, and read the order back
// through the API.
import { test, expect } from '@playwright/test';

test('a customer configures the starter PC and places an order', async ({ page, request }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Choose a product to make your own');
  await page.getByRole('link', { name: 'Configure', exact: true }).first().click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Starter desktop PC');

  // Defaults: an AMD processor on a B650 board, so the Intel board is unavailable.
  const b760 = page.getByRole('radio', { name: /B760/ });
  await expect(b760).toBeDisabled();
  await expect(page.getByRole('radio', { name: /B650/ })).toBeChecked();
  const intel = page.getByRole('radio', { name: /Intel Core i5-14400/ });
  await expect(intel).toBeDisabled();
  await expect(page.getByText('Intel 14th-generation processors need an LGA1700 board (B760).')).toBeVisible();

  // The total follows the choices.
  const total = page.getByTestId('total');
  const before = await total.textContent();
  await page.getByRole('radio', { name: /32 GB/ }).check();
  await expect(total).not.toHaveText(before);
  const money = (s) => Number(s.replace(/[^0-9.]/g, ''));
  expect(money(await total.textContent()) - money(before)).toBeCloseTo(50, 2);

  // Choose the Intel processor anyway: the board is given up, then B760 is open.
  await page.getByRole('button', { name: 'Choose it anyway: Intel Core i5-14400' }).click();
  await expect(intel).toBeChecked();
  await expect(page.getByRole('status').filter({ hasText: 'these choices were cleared' })).toContainText('Motherboard');
  await expect(page.getByRole('button', { name: 'Order' })).toBeDisabled();
  await expect(b760).toBeEnabled();
  await b760.check();
  await expect(page.getByRole('radio', { name: /B650/ })).toBeDisabled();

  const shown = money(await total.textContent());
  await page.getByRole('button', { name: 'Order' }).click();
  const orderId = page.getByTestId('order-id');
  await expect(orderId).toHaveText(/^T[0-9A-Z]{12}$/);
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
  const anonymous = await request.get(`/api/orders/${id}`);
  expect(anonymous.status()).toBe(401);

  // The status page shows it too.
  await page.getByRole('link', { name: "See the order's status" }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Order status');
  await expect(page.getByTestId('order-id')).toHaveText(id);
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
