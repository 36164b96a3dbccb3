// The build-to-order PC (the real 74-part catalogue) end to end: the power
// meter, an unavailable graphics card chosen anyway with the proposed fix
// accepted, a share link and its QR code restoring the same configuration
// and price on another device, then the order and its status page.
import { test, expect } from '@playwright/test';
import { fillDetails } from './details.js';

const step = (page, name) => page.getByRole('navigation').getByRole('button', { name: new RegExp(name) });

test('the full PC path: meter, choose anyway, share, order', async ({ page, browser, request }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('listitem').filter({ hasText: 'Build-to-order desktop PC' }).getByRole('link', { name: 'Configure' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Build-to-order desktop PC');

  // The defaults fit: the power meter says so, with numbers.
  const powerRow = page.locator('.summary .meter').filter({ has: page.getByRole('meter', { name: 'Power budget (80% of the supply)' }) });
  await expect(powerRow.getByRole('meter')).toBeVisible();
  await expect(powerRow).toContainText('/ 600 W');
  await expect(powerRow).toContainText('fits');

  // The strongest card needs more than the 750 W supply gives.
  await step(page, 'Graphics and power').click();
  // The step shows the gauges its parts affect, next to the options.
  await expect(page.locator('.step-panel').getByRole('meter', { name: 'Power budget (80% of the supply)' })).toBeVisible();
  const rtx5090 = page.getByRole('radio', { name: /MSI GeForce RTX 5090/ });
  await expect(rtx5090).toBeDisabled();
  const why = page.locator('.option').filter({ has: rtx5090 }).locator('.option-why');
  await expect(why).toContainText('Power supply: Corsair RM750e');
  await expect(why).toContainText('80%');
  await page.getByRole('button', { name: /Choose it anyway: MSI GeForce RTX 5090/ }).click();
  const proposal = page.getByRole('alertdialog');
  // The card is also too long for the default case: both are named.
  await expect(proposal).toContainText('Power supply: Corsair RM750e');
  await expect(proposal).toContainText('Case: Fractal Design North');
  // The picture of what the change leads to: the longest card, in a case it fits.
  await expect(proposal.getByTestId('proposal-picture').getByRole('img')).toHaveAccessibleName(/Graphics MSI GeForce RTX 5090/);
  await proposal.getByRole('button', { name: 'Accept the change' }).click();
  await expect(rtx5090).toBeChecked();
  await expect(proposal).toHaveCount(0);

  // The supply is open now; weak ones are unavailable, a strong one fits.
  await expect(page.getByRole('radio', { name: /Corsair RM750e/ })).toBeDisabled();
  await expect(powerRow).toContainText('some parts are still open');
  await page.getByRole('radio', { name: /Corsair HX1200i/ }).check();
  await expect(powerRow).toContainText('/ 960 W');
  await expect(powerRow).toContainText('fits');
  await step(page, 'Case').click();
  await expect(page.getByRole('radio', { name: /Fractal Design North/ })).toBeDisabled();
  await page.getByRole('radio', { name: /Lian Li O11 Dynamic EVO/ }).check();
  const length = page.locator('.summary .meter').filter({ has: page.getByRole('meter', { name: 'Graphics card length' }) });
  await expect(length).toContainText('359 mm / 422 mm');

  // Share: the link and its QR code.
  const total = await page.getByTestId('total').textContent();
  await page.locator('summary', { hasText: 'Share this configuration' }).click();
  const link = await page.getByTestId('share-link').inputValue();
  expect(link).toMatch(/\/p\/pc\?c=1[A-Za-z0-9_-]+$/);
  const qr = page.getByRole('img', { name: 'QR code of the link to this configuration' });
  await expect(qr).toBeVisible();
  await expect.poll(() => qr.evaluate((img) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
  const qrSrc = await qr.getAttribute('src');
  expect(decodeURIComponent(qrSrc.split('text=')[1])).toBe(link);
  const svg = await request.get(qrSrc);
  expect(svg.headers()['content-type']).toBe('image/svg+xml');

  const other = await (await browser.newContext()).newPage();
  await other.goto(link);
  await other.getByRole('button', { name: 'English' }).click();
  await expect(other.getByTestId('total')).toHaveText(total);
  await step(other, 'Graphics and power').click();
  await expect(other.getByRole('radio', { name: /MSI GeForce RTX 5090/ })).toBeChecked();
  await expect(other.getByRole('radio', { name: /Corsair HX1200i/ })).toBeChecked();
  await other.context().close();

  // Order it.
  await step(page, 'Software and service').click();
  await page.getByRole('button', { name: 'Review and order' }).click();
  await fillDetails(page);
  await page.getByRole('button', { name: 'Place order' }).click();
  const orderId = page.getByTestId('order-id');
  await expect(orderId).toHaveText(/^T[0-9A-Z]{13}$/);
  const id = await orderId.textContent();
  const token = await page.evaluate((id) => localStorage.getItem(`tailor.order.${id}`), id);
  const order = await (await request.get(`/api/orders/${id}`, { headers: { Authorization: `Bearer ${token}` } })).json();
  expect(order.product).toBe('pc');
  expect(order.choices.graphics).toBe('msi-rtx-5090');
  expect(order.choices.psu).toBe('corsair-hx1200i');
  expect(order.total / 100).toBeCloseTo(Number(total.replace(/[^0-9.]/g, '')), 2);

  await page.getByRole('link', { name: "See the order's status" }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Order status');
  await expect(page.getByTestId('order-id')).toHaveText(id);
  await expect(page.getByTestId('order-status')).toHaveText('received, waiting to be built');
  await expect(page.getByTestId('order-total')).toHaveText(total);
  const choices = page.getByTestId('order-choices');
  await expect(choices).toContainText('GraphicsMSI GeForce RTX 5090');
  await expect(choices).toContainText('Power supplyCorsair HX1200i');
  await expect(page.getByTestId('order-address')).toContainText('10115 Berlin');
  await expect(page.getByTestId('order-address')).toContainText('Germany');
  // The same page in Chinese: labels, status and country follow.
  await page.getByRole('button', { name: '简体中文' }).click();
  await expect(page.getByTestId('order-status')).toHaveText('已收到，等待生产');
  await expect(page.getByTestId('order-address')).toContainText('德国');
});
