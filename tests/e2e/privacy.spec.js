// The profile and privacy side (issue 6) in a real browser: consent per
// channel with receipts, Global Privacy Control, two devices merged by
// signing in, remembered measurements, the member offer, order again, one
// optional question, download and erase.
import { test, expect } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { fillDetails } from './details.js';

const outbox = process.env.TAILOR_OUTBOX;
const money = (s) => Number(s.replace(/[^0-9.]/g, ''));
const unique = (name) => `${name}.${Date.now()}.${Math.floor(Math.random() * 1e6)}@example.org`;

// The mails to `email` in the outbox folder, oldest first.
function mailsTo(email) {
  if (!outbox || !fs.existsSync(outbox)) return [];
  return fs.readdirSync(outbox).sort().map((f) => fs.readFileSync(path.join(outbox, f), 'utf8')).filter((m) => m.includes(`To: ${email}`));
}

// The code of the first mail to `email` after the `before` already there.
async function codeFor(email, before) {
  let code = null;
  await expect.poll(() => {
    const mails = mailsTo(email);
    code = mails.length > before ? /Your code is (\d{6})/.exec(mails[mails.length - 1])?.[1] : null;
    return code;
  }, { message: `a new code mailed to ${email} in ${outbox}` }).toMatch(/^\d{6}$/);
  return code;
}

async function english(page) {
  await page.goto('/');
  await page.getByRole('button', { name: 'English' }).click();
}

async function newPage(browser, options = {}) {
  const context = await browser.newContext({ baseURL: process.env.TAILOR_URL, ...options });
  const page = await context.newPage();
  await english(page);
  return { context, page };
}

async function signIn(page, email) {
  await page.goto('/account');
  await page.getByLabel('E-mail address').fill(email);
  const before = mailsTo(email).length;
  await page.getByRole('button', { name: 'Send me a code' }).click();
  await page.getByLabel('The 6-digit code from the e-mail').fill(await codeFor(email, before));
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByTestId('signed-in')).toContainText(email);
}

async function saveStarter(page, name) {
  await page.goto('/p/pc-starter');
  await page.locator('details.share summary').click();
  await page.getByLabel('Name (optional)').fill(name);
  await page.getByTestId('save-config').click();
  await expect(page.locator('.save-config [role=status]')).toHaveText('Saved to your account.');
}

const switchRow = (s) => s.locator('xpath=..');

test('consent is given and withdrawn per channel, each with a receipt', async ({ page }) => {
  await english(page);
  await page.goto('/privacy');
  const email = page.getByRole('switch', { name: 'E-mail' });
  const sms = page.getByRole('switch', { name: 'Text message (SMS)' });
  await expect(email).toBeVisible();
  for (const s of await page.getByRole('switch').all()) await expect(s).toHaveAttribute('aria-checked', 'false');
  await expect(page.getByTestId('required-fulfilment')).toBeVisible();
  await expect(page.getByRole('switch')).toHaveCount(7);

  await email.click();
  await expect(email).toHaveAttribute('aria-checked', 'true');
  await expect(sms).toHaveAttribute('aria-checked', 'false');
  await page.reload();
  await expect(email).toHaveAttribute('aria-checked', 'true');
  await expect(switchRow(email)).toContainText('Last change: given by you');

  const [download] = await Promise.all([page.waitForEvent('download'), switchRow(email).getByTestId('receipt').click()]);
  const receipt = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
  expect(receipt.event).toMatchObject({ purpose: 'marketing', channel: 'email', state: 'given', dpv: 'DirectMarketing', method: 'toggle', place: 'preference-centre' });
  expect(receipt.chain.sha256).toMatch(/^[0-9a-f]{64}$/);

  // Withdrawing: the same single click.
  await email.click();
  await expect(email).toHaveAttribute('aria-checked', 'false');
  await expect(switchRow(email)).toContainText('withdrawn');
  await sms.press('Space');
  await expect(sms).toHaveAttribute('aria-checked', 'true');
  await expect(email).toHaveAttribute('aria-checked', 'false');
});

test('a browser sending Global Privacy Control is opted out of sharing, recorded as GPC', async ({ browser }) => {
  const { context, page } = await newPage(browser, { extraHTTPHeaders: { 'Sec-GPC': '1' } });
  await context.addInitScript(() => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }));
  await page.goto('/privacy');
  await expect(page.getByTestId('gpc-note')).toBeVisible();
  const partners = page.getByRole('switch', { name: 'Share with partner shops' });
  await expect(partners).toBeDisabled();
  await expect(partners).toHaveAttribute('aria-checked', 'false');
  // A profile made from this browser starts with the opt-out on record.
  await page.getByRole('switch', { name: 'E-mail' }).click();
  await expect(page.getByRole('switch', { name: 'E-mail' })).toHaveAttribute('aria-checked', 'true');
  await page.reload();
  await expect(switchRow(partners)).toContainText("refused by your browser's Global Privacy Control");
  const me = await (await context.request.get('/api/me')).json();
  const sharing = me.consents.find((s) => s.purpose === 'partners');
  expect(sharing.last).toMatchObject({ state: 'refused', method: 'gpc' });
  const gpc = await (await context.request.get('/.well-known/gpc.json')).json();
  expect(gpc.gpc).toBe(true);
  await context.close();
});

test('two devices signed in with one address become one customer', async ({ browser }) => {
  const email = unique('merge');
  const phone = await newPage(browser);
  await saveStarter(phone.page, 'Desk PC');
  await signIn(phone.page, email);

  const laptop = await newPage(browser);
  await saveStarter(laptop.page, 'Spare PC');
  await laptop.page.goto('/account');
  await expect(laptop.page.getByTestId('saved')).toHaveCount(1);
  await signIn(laptop.page, email);
  await expect(laptop.page.getByText('What this device had is now part of your profile.')).toBeVisible();
  await expect(laptop.page.getByTestId('saved')).toHaveCount(2);

  await phone.page.goto('/account');
  await expect(phone.page.getByTestId('saved')).toHaveCount(2);
  await expect(phone.page.getByTestId('saved').filter({ hasText: 'Spare PC' })).toBeVisible();
  // Each saved configuration with its picture, named by its choices.
  await expect(phone.page.getByTestId('saved').filter({ hasText: 'Spare PC' }).getByTestId('code-picture').getByRole('img')).toHaveAccessibleName(/^Starter desktop PC: Processor /);
  await phone.context.close();
  await laptop.context.close();
});

test('measurements are remembered only when asked, and fill the form next time', async ({ page }) => {
  await english(page);
  await page.goto('/p/jeans');
  await page.locator('#fit-waist').fill('81');
  await page.locator('#fit-hip').fill('100');
  await page.locator('#fit-inseam').fill('80');
  await page.getByTestId('remember-measurements').check();
  await page.locator('.fit-form button.button-primary').click();
  await expect(page.getByTestId('remember-status')).toHaveText('Your measurements are remembered.');
  await page.reload();
  await expect(page.locator('#fit-waist')).toHaveValue('81');
  await expect(page.getByTestId('remember-measurements')).toBeChecked();
  await page.goto('/privacy');
  const keep = page.getByRole('switch', { name: 'Remember my measurements' });
  await expect(keep).toHaveAttribute('aria-checked', 'true');
  await expect(switchRow(keep)).toContainText('given by you');
  // Switching it off forgets them.
  await keep.click();
  await expect(keep).toHaveAttribute('aria-checked', 'false');
  await page.goto('/p/jeans');
  await expect(page.locator('.fit-form')).toBeVisible();
  await expect(page.locator('#fit-waist')).toHaveValue('');
});

test('a member pays the member price; orders are ordered again in one click; one question per visit', async ({ page }) => {
  await english(page);
  await page.goto('/privacy');
  await page.getByTestId('join').click();
  await expect(page.getByTestId('member')).toContainText('10%');

  await page.goto('/p/pc-starter');
  const full = money(await page.getByTestId('total').textContent());
  const member = money(await page.getByTestId('member-total').textContent());
  expect(member).toBeCloseTo(full * 0.9, 1);
  await page.getByRole('navigation').getByRole('button', { name: /Storage/ }).click();
  await page.getByRole('button', { name: 'Review and order' }).click();
  await fillDetails(page);
  await page.getByRole('button', { name: 'Place order' }).click();
  await expect(page.getByRole('heading', { name: 'Thank you, your order is placed.' })).toBeVisible();

  await page.goto('/account');
  // The one optional question (recommendations are on), skippable.
  await expect(page.getByTestId('question')).toBeVisible();
  await page.getByTestId('skip-question').click();
  await expect(page.getByTestId('question')).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId('account-order')).toHaveCount(1);
  await expect(page.getByTestId('account-order').getByTestId('code-picture').getByRole('img')).toHaveAccessibleName(/^Starter desktop PC: /);
  await expect(page.getByTestId('question')).toHaveCount(0, { timeout: 1000 });

  const again = page.getByTestId('order-again');
  await expect(again).toContainText('Order again');
  expect(money((await again.textContent()).split('·')[1])).toBeCloseTo(member, 2);
  await again.click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Order status');
  await expect(page.getByTestId('order-total')).toBeVisible();
  expect(money(await page.getByTestId('order-total').textContent())).toBeCloseTo(member, 2);
  await page.goto('/account');
  await expect(page.getByTestId('account-order')).toHaveCount(2);
});

test('download my data, then erase it: the download then holds nothing personal', async ({ browser }) => {
  const email = unique('erase');
  const { context, page } = await newPage(browser);
  await saveStarter(page, 'Erase me');
  await signIn(page, email);
  await expect(page.getByTestId('download')).toBeVisible();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download').click()]);
  const before = fs.readFileSync(await download.path(), 'utf8');
  expect(before).toContain(email);
  expect(before).toContain('Erase me');

  await page.getByTestId('erase').click();
  await page.getByTestId('erase-now').click();
  await expect(page.getByTestId('erased')).toBeVisible();
  await expect(page.getByTestId('no-profile')).toBeVisible();
  const after = await context.request.get('/api/me/export');
  expect(after.status()).toBe(404);
  const text = await after.text();
  expect(text).not.toContain(email);
  expect(text).not.toContain('Erase me');
  await context.close();
});
