// Custom jeans: size from measurements (with a plausibility check), a
// monogram with its length limit, and the order.
import { test, expect } from '@playwright/test';
import { fillDetails } from './details.js';

test('measurements recommend a size, a monogram is checked, and the jeans are ordered', async ({ page, request }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'English' }).click();
  await page.goto('/p/jeans');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Custom jeans');

  // Inches typed into centimetre fields are caught.
  await page.getByLabel('Waist (cm)').fill('32');
  await page.getByLabel('Hip (cm)').fill('40');
  await page.getByLabel('Inseam (cm)').fill('32');
  await page.getByRole('button', { name: 'Recommend my size' }).click();
  await expect(page.getByTestId('fit-result')).toContainText('Please check your measurements');

  // The same in inches gives a recommendation with its reason.
  await page.getByLabel('in', { exact: true }).check();
  await page.getByLabel('Hip (in)').fill('39');
  await page.getByRole('button', { name: 'Recommend my size' }).click();
  const result = page.getByTestId('fit-result');
  await expect(result).toContainText('Recommended');
  await expect(result).toContainText('Waist 81.3 cm with Regular ease (+3.0 cm) →');
  const size = page.getByLabel('Size (waist and hip)', { exact: true });
  const chosen = await size.locator('option:checked').textContent();
  expect(chosen).toMatch(/^Waist 3[23] in/);
  await expect(page.getByRole('term').filter({ hasText: 'Size' }).locator('xpath=following-sibling::dd[1]')).toHaveText(chosen.split(' +')[0].split(' (')[0]);

  // Monogram: the text appears with the option and is limited to 12 characters.
  await page.getByRole('navigation').getByRole('button', { name: /Details/ }).click();
  await page.getByRole('radio', { name: /Initials|initials/ }).first().check();
  const text = page.getByLabel(/Monogram text/);
  await text.fill('ABCDEFGHIJKLM');
  await expect(page.getByText('This is too long.')).toBeVisible();
  await text.fill('M.C. 李');
  await expect(page.getByText('This is too long.')).toHaveCount(0);

  await page.getByRole('button', { name: 'Review and order' }).click();
  await fillDetails(page, { name: 'Mei Chen', email: 'mei@example.org', line1: '1 High Street', city: 'London', postcode: 'N1 9GU', country: 'GB' });
  await page.getByRole('button', { name: 'Place order' }).click();
  const id = await page.getByTestId('order-id').textContent();
  expect(id).toMatch(/^T[0-9A-Z]{13}$/);
  const token = await page.evaluate((id) => localStorage.getItem(`tailor.order.${id}`), id);
  const order = await (await request.get(`/api/orders/${id}`, { headers: { Authorization: `Bearer ${token}` } })).json();
  expect(order.product).toBe('jeans');
  expect(order.texts).toEqual({ monogram_text: 'M.C. 李' });
  expect(order.choices.monogram).toBe('initials');
  expect(order.shipping.country).toBe('GB');
});
