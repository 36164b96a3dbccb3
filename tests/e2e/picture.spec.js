// Pictures of what the customer builds (issue 17): drawn by the engine from
// the product's data, beside the summary on wide screens and at the top on
// phones, redrawn on every click, named by the choices in both languages,
// axe clean. Screenshots are attached to the report.
import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { appReady } from './details.js';

const shot = async (page, name) => test.info().attach(name, { body: await page.screenshot(), contentType: 'image/png' });

test('the starter PC is drawn, redrawn on every click and named by its choices', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'English' }).click();
  await page.goto('/p/pc-starter');
  await appReady(page);
  const picture = page.getByTestId('picture').getByRole('img');
  await expect(picture).toHaveAccessibleName('Starter desktop PC: Processor AMD Ryzen 5 7600, Motherboard B650 (AM5, DDR5), Memory 16 GB DDR5-5600, Storage 1 TB NVMe SSD');
  await expect(picture).toBeInViewport();
  const before = await picture.innerHTML();
  const sticks = () => picture.locator('rect[fill="#4a90d9"]').count();
  expect(await sticks()).toBe(2);
  await shot(page, `pc-starter-en-${test.info().project.name}`);

  await page.getByRole('navigation').getByRole('button', { name: /Memory/ }).click();
  await page.getByRole('radio', { name: /32 GB/ }).check();
  await expect(picture).toHaveAccessibleName(/Memory 32 GB DDR5-5600/);
  expect(await sticks()).toBe(4);
  expect(await picture.innerHTML()).not.toBe(before);
  // Undo draws the old picture again.
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(picture).toHaveAccessibleName(/Memory 16 GB DDR5-5600/);
  expect(await picture.innerHTML()).toBe(before);
  const axe = await new AxeBuilder({ page }).analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);

  await page.getByRole('button', { name: '简体中文' }).click();
  await expect(picture).toHaveAccessibleName(/^入门台式电脑：处理器 AMD 锐龙 5 7600，主板 /);
  await shot(page, `pc-starter-zh-${test.info().project.name}`);
  const axeZh = await new AxeBuilder({ page }).analyze();
  expect(axeZh.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
});

// Every product with a picture, in both languages, at this project's size.
for (const [id, name, zhName] of [
  ['pc', 'Build-to-order desktop PC', '按订单组装的台式电脑'],
  ['jeans', 'Custom jeans', '定制牛仔裤'],
  ['window', 'Made-to-measure window', '定制窗户'],
]) {
  test(`the ${id} is drawn in both languages, axe clean`, async ({ page }) => {
    await page.goto('/');
    await page.getByRole('button', { name: 'English' }).click();
    await page.goto(`/p/${id}`);
    await appReady(page);
    const picture = page.getByTestId('picture').getByRole('img');
    await expect(picture).toHaveAccessibleName(new RegExp(`^${name}: `));
    const box = await picture.boundingBox();
    expect(box.width).toBeGreaterThan(100);
    await shot(page, `${id}-en-${test.info().project.name}`);
    const axe = await new AxeBuilder({ page }).analyze();
    expect(axe.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
    await page.getByRole('button', { name: '简体中文' }).click();
    await expect(picture).toHaveAccessibleName(new RegExp(`^${zhName}：`));
    await shot(page, `${id}-zh-${test.info().project.name}`);
    const axeZh = await new AxeBuilder({ page }).analyze();
    expect(axeZh.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  });
}

test('the window is drawn to the size entered', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'English' }).click();
  await page.goto('/p/window');
  await appReady(page);
  const picture = page.getByTestId('picture').getByRole('img');
  await expect(picture).toHaveAccessibleName(/Width 80 cm, Height 120 cm/);
  const frame = picture.locator('rect').nth(1);
  expect(await frame.getAttribute('width')).toBe('80');
  const width = page.getByLabel('Width', { exact: true });
  await width.selectOption(await width.locator('option', { hasText: /^85 cm/ }).getAttribute('value'));
  await expect(picture).toHaveAccessibleName(/Width 85 cm/);
  expect(await frame.getAttribute('width')).toBe('85');
  await shot(page, `window-85-${test.info().project.name}`);
});

test('colours are shown beside their options', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'English' }).click();
  await page.goto('/p/jeans');
  await page.getByRole('navigation').getByRole('button', { name: /Fabric and wash/ }).click();
  const radio = page.getByRole('radio', { name: /^Black\b/ });
  const black = page.locator('.option').filter({ has: radio });
  await expect(black.getByTestId('swatch').locator('circle')).toHaveAttribute('fill', '#1d1d21');
  // Decorative: the option's name is all a screen reader hears.
  await expect(radio).toHaveAccessibleName(/^Black /);
});

test('opening types are drawn beside their options', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'English' }).click();
  await page.goto('/p/window');
  const radio = page.getByRole('radio', { name: /^Casement\b/ });
  const casement = page.locator('.option').filter({ has: radio });
  const drawing = casement.getByTestId('swatch');
  await expect(drawing).toHaveAttribute('aria-hidden', 'true');
  await expect(drawing.locator('rect')).toHaveCount(1);
  await expect(drawing.locator('polyline')).toHaveCount(1);
  await expect(radio).toHaveAccessibleName(/^Casement /);
});
