// Fills the review form's contact and shipping fields (English labels).
export const berlin = { name: 'Test Customer', email: 'test.customer@example.org', line1: 'Hauptstr. 1', city: 'Berlin', postcode: '10115' };

export async function fillDetails(page, d = berlin) {
  await page.getByLabel('Full name').fill(d.name);
  await page.getByLabel('E-mail').fill(d.email);
  await page.getByLabel('Street and number').fill(d.line1);
  await page.getByLabel('City', { exact: true }).fill(d.city);
  await page.getByLabel('Postcode').fill(d.postcode);
  if (d.country) await page.getByLabel('Country').selectOption(d.country);
}

// A product's page is drawn at build time; the app then takes its place.
// Reads that do not wait (sizes, markup) wait for that first.
export async function appReady(page) {
  const { expect } = await import('@playwright/test');
  await expect(page.locator('#shell')).toHaveCount(0);
}
