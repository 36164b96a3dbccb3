// No axe-core violations on any page, in both languages.
import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

const pages = [
  { name: 'catalogue', path: '/', ready: (p) => p.getByRole('link', { name: /Configure|定制/ }).first() },
  { name: 'PC configurator', path: '/p/pc-starter', ready: (p) => p.getByTestId('total') },
  { name: 'not found', path: '/nowhere', ready: (p) => p.getByRole('heading', { level: 1 }) },
];

for (const lang of ['English', '简体中文']) {
  for (const { name, path, ready } of pages) {
    test(`${name} has no accessibility violations (${lang})`, async ({ page }) => {
      await page.goto('/');
      await page.getByRole('button', { name: lang }).click();
      await page.goto(path);
      await expect(ready(page)).toBeVisible();
      const results = await new AxeBuilder({ page }).analyze();
      expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`)).toEqual([]);
    });
  }

  test(`the review form and an open proposal have no violations (${lang})`, async ({ page }) => {
    await page.goto('/');
    await page.getByRole('button', { name: lang }).click();
    await page.goto('/p/pc-starter');
    await page.getByRole('button', { name: /Choose it anyway|仍然选择/ }).first().click();
    await expect(page.getByRole('alertdialog')).toBeVisible();
    let results = await new AxeBuilder({ page }).analyze();
    expect(results.violations.map((v) => v.id)).toEqual([]);
    await page.getByRole('button', { name: /Cancel|取消/ }).click();
    const nav = page.getByRole('navigation').getByRole('button');
    await nav.last().click();
    await page.getByRole('button', { name: /Review and order|确认并下单/ }).click();
    await page.getByRole('button', { name: /Place order|提交订单/ }).click();
    results = await new AxeBuilder({ page }).analyze();
    expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`)).toEqual([]);
  });
}
