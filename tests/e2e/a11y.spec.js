// No axe-core violations on any page, in both languages.
import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

const pages = [
  { name: 'home page', path: '/', ready: (p) => p.getByRole('link', { name: /Configure|定制/ }).first() },
  {
    name: 'catalogue in the app',
    path: '/p/pc-starter',
    ready: async (p) => {
      await p.getByRole('link', { name: /All products|全部产品/ }).click();
      return p.locator('#main .product-card').first();
    },
  },
  { name: 'PC configurator', path: '/p/pc-starter', ready: (p) => p.getByTestId('total') },
  {
    name: 'configurator in a partner frame',
    path: '/embed/p/pc-starter?partner=e2e-partner',
    // The frame's bar shows at once; the configurator once its model is read.
    ready: async (p) => {
      await expect(p.getByTestId('embed-cancel')).toBeVisible();
      return p.getByTestId('total');
    },
  },
  { name: 'not found', path: '/nowhere', ready: (p) => p.getByRole('heading', { level: 1 }) },
  {
    name: 'full PC configurator with meters and QR code',
    path: '/p/pc',
    ready: async (p) => {
      await p.locator('details.share summary').click();
      await expect(p.locator('.qr img')).toBeVisible();
      return p.getByRole('meter').first();
    },
  },
  {
    name: 'jeans with the fit panel and a recommendation',
    path: '/p/jeans',
    ready: async (p) => {
      await p.locator('#fit-waist').fill('81');
      await p.locator('#fit-hip').fill('100');
      await p.locator('#fit-inseam').fill('80');
      await p.locator('.fit-form button.button-primary').click();
      return p.getByTestId('fit-result').locator('p');
    },
  },
  { name: 'privacy preference centre', path: '/privacy', ready: (p) => p.getByRole('switch').first() },
  { name: 'account without a profile', path: '/account', ready: (p) => p.getByTestId('no-profile') },
  {
    name: 'privacy and account with a profile, a member, a saved configuration and the question',
    path: '/privacy',
    ready: async (p) => {
      await p.getByTestId('join').click();
      await expect(p.getByTestId('member')).toBeVisible();
      await p.getByRole('switch').nth(2).click();
      await expect(p.getByTestId('receipt').first()).toBeVisible();
      const axe = await new AxeBuilder({ page: p }).analyze();
      expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`)).toEqual([]);
      await p.goto('/p/pc-starter');
      await p.locator('details.share summary').click();
      await p.getByTestId('save-config').click();
      await expect(p.locator('.save-config [role=status]')).not.toBeEmpty();
      await p.goto('/account');
      await expect(p.getByTestId('saved')).toHaveCount(1);
      return p.getByTestId('question');
    },
  },
];

for (const lang of ['English', '简体中文']) {
  for (const { name, path, ready } of pages) {
    test(`${name} has no accessibility violations (${lang})`, async ({ page }) => {
      await page.goto('/');
      await page.getByRole('button', { name: lang }).click();
      await page.goto(path);
      await expect(await ready(page)).toBeVisible();
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

    // The confirmation and the order status page.
    await page.locator('#f-contact-name').fill('Test Customer');
    await page.locator('#f-contact-email').fill('test.customer@example.org');
    await page.locator('#f-shipping-line1').fill('Hauptstr. 1');
    await page.locator('#f-shipping-city').fill('Berlin');
    await page.locator('#f-shipping-postcode').fill('10115');
    await page.getByRole('button', { name: /Place order|提交订单/ }).click();
    await expect(page.getByTestId('order-id')).toBeVisible();
    results = await new AxeBuilder({ page }).analyze();
    expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`)).toEqual([]);
    await page.locator('.notice-success a').click();
    await expect(page.getByTestId('order-choices')).toBeVisible();
    results = await new AxeBuilder({ page }).analyze();
    expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`)).toEqual([]);
  });
}
