// The shop's console (issue 18): its own page and wasm under /staff. Sign-in
// exchanges a staff key for a session cookie (the key is kept in no
// storage), each role's main task, sign-out, in both languages, axe clean.
import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { fillDetails } from './details.js';

const keys = JSON.parse(process.env.TAILOR_STAFF_KEYS || '{}');

async function axe(page) {
  const violations = (await new AxeBuilder({ page }).analyze()).violations;
  expect(violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`)).toEqual([]);
}

async function signIn(page, role, language = 'English') {
  expect(keys[role], `cargo xtask test passes a ${role} key in TAILOR_STAFF_KEYS`).toBeTruthy();
  await page.goto('/staff');
  await page.getByRole('button', { name: language }).click();
  const label = language === 'English' ? 'Staff key' : '员工密钥';
  await page.getByLabel(label).fill(keys[role]);
  await page.getByRole('button', { name: language === 'English' ? 'Sign in' : '登录' }).click();
  await expect(page.getByTestId('console-who')).toBeVisible();
}

/// Everything the page's script and storage can read, as one text.
async function everythingStored(page) {
  return page.evaluate(async () => {
    const all = [document.cookie, JSON.stringify({ ...localStorage }), JSON.stringify({ ...sessionStorage })];
    if (indexedDB.databases) all.push(JSON.stringify(await indexedDB.databases()));
    for (const name of await caches.keys()) {
      for (const r of await (await caches.open(name)).keys()) all.push(r.url);
    }
    return all.join('\n');
  });
}

async function placeOrder(page) {
  await page.goto('/p/pc-starter');
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('navigation').getByRole('button', { name: /Storage/ }).click();
  await page.getByRole('button', { name: 'Review and order' }).click();
  await fillDetails(page, { name: 'Console Customer', email: 'console.customer@example.org', line1: 'Werkstr. 2', city: 'Hamburg', postcode: '20095' });
  await page.getByRole('button', { name: 'Place order' }).click();
  return (await page.getByTestId('order-id').textContent()).trim();
}

test('sign-in keeps no key anywhere the page can read, a wrong key says why, sign-out ends the session', async ({ page, context }) => {
  await page.goto('/staff');
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in to the console');
  await axe(page);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Type your staff key.');
  await page.getByLabel('Staff key').fill('tsk_made-up');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('unknown or revoked');
  await expect(page.getByLabel('Staff key')).toHaveValue('');

  await signIn(page, 'store');
  await expect(page).toHaveURL(/\/staff\/calls$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Calls from the kiosks');
  // The key is nowhere the page can read: not in a field, storage, a
  // readable cookie or a cache; the session cookie is HttpOnly.
  expect(await everythingStored(page)).not.toContain(keys.store);
  await expect(page.locator('input[type=password]')).toHaveCount(0);
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === '__Host-tailor_staff');
  expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/' });
  expect(session.value).not.toContain(keys.store);
  expect(cookies.map((c) => c.value).join(' ')).not.toContain(keys.store);

  // A reload keeps the session; another role's page says it is not theirs.
  await page.reload();
  await expect(page.getByTestId('console-who')).toContainText('store');
  await page.goto('/staff/admin');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Not for your role');
  await expect((await page.request.get('/api/staff/keys')).status()).toBe(403);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByTestId('sign-in-notice')).toHaveText('You are signed out.');
  expect((await context.cookies()).find((c) => c.name === '__Host-tailor_staff')).toBeUndefined();
  expect((await page.request.get('/api/staff/session')).status()).toBe(401);
});

test('a session that ends on the server sends the console back to sign-in with the reason', async ({ page, browser }) => {
  await signIn(page, 'support');
  // Another tab signs out: this tab's next request finds the session gone.
  const other = await page.context().newPage();
  await other.goto('/staff');
  await other.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('E-mail or customer id').fill('nobody@example.org');
  await page.getByLabel('Reason (such as a ticket number)').fill('ticket 7');
  await page.getByRole('button', { name: 'Look up' }).click();
  await expect(page.getByTestId('sign-in-notice')).toContainText('Your session ended');
  await other.close();
});

test('fulfilment moves an order to shipped and prints its work order', async ({ page, browser }) => {
  const customer = await browser.newPage({ baseURL: process.env.TAILOR_URL });
  const id = await placeOrder(customer);
  await customer.close();

  await signIn(page, 'fulfilment');
  await expect(page).toHaveURL(/\/staff\/orders$/);
  // Other tests' orders come first (oldest first): found by its number.
  await page.getByLabel('Find an order by its number').fill(id.toLowerCase());
  await page.getByRole('button', { name: 'Find', exact: true }).click();
  await expect(page.getByTestId('orders-count')).toHaveText('1 order');
  const card = page.getByTestId('work-order').filter({ hasText: id });
  await expect(card).toContainText('Console Customer');
  await expect(card).toContainText('Hamburg');
  // The picture the server draws from the stored order has loaded.
  const picture = card.getByRole('img', { name: 'Picture of the Starter desktop PC as ordered' });
  await expect.poll(() => picture.evaluate((img) => img.complete && img.naturalWidth > 0)).toBe(true);
  await axe(page);

  await card.getByRole('button', { name: 'Start production' }).click();
  await expect(page.getByTestId('orders-said')).toHaveText(`Order ${id} is now in production.`);
  await page.getByLabel('Find an order by its number').fill(id);
  await page.getByRole('button', { name: 'Find', exact: true }).click();
  await page.getByTestId('work-order').filter({ hasText: id }).getByRole('button', { name: 'Mark shipped' }).click();
  await expect(page.getByTestId('orders-said')).toHaveText(`Order ${id} is now shipped.`);
  await page.getByRole('button', { name: 'Find', exact: true }).click();
  const shipped = page.getByTestId('work-order').filter({ hasText: id });
  await expect(shipped).toContainText('Shipped');
  await expect(shipped.getByRole('button', { name: 'Mark shipped' })).toHaveCount(0);

  // The work order: picture, choices, ship-to and a QR code of its address.
  await shipped.getByRole('link', { name: 'Work order to print' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Work order ${id}`);
  await expect(page.getByText('Werkstr. 2')).toBeVisible();
  const qr = page.getByTestId('work-qr');
  await expect.poll(() => qr.evaluate((img) => img.complete && img.naturalWidth > 0)).toBe(true);
  await expect(page.locator('.work-qr figcaption')).toHaveText(new RegExp(`/staff/orders/${id}/print$`));
  await axe(page);
  // Printed: the header and buttons are left off the paper.
  await page.emulateMedia({ media: 'print' });
  await expect(page.locator('.site-header')).toBeHidden();
  await expect(page.getByRole('button', { name: 'Print' })).toBeHidden();
  await expect(page.getByRole('img', { name: /as ordered/ })).toBeVisible();
  await page.emulateMedia({ media: 'screen' });
});

test('support looks a customer up with a reason', async ({ page, browser }) => {
  // A customer who saved a configuration has a profile, found by id.
  await signIn(page, 'support');
  await page.getByLabel('E-mail or customer id').fill('someone@example.org');
  await page.getByRole('button', { name: 'Look up' }).click();
  await expect(page.getByRole('alert')).toContainText('reason');
  await page.getByLabel('Reason (such as a ticket number)').fill('ticket 42');
  await page.getByRole('button', { name: 'Look up' }).click();
  await expect(page.getByRole('alert')).toHaveText('No customer has this e-mail address.');
  await axe(page);
});

test('marketing reads the value curve and the consent counts, in Chinese too', async ({ page }) => {
  await signIn(page, 'marketing');
  await expect(page.getByTestId('value-summary')).toContainText('customers with orders');
  await expect(page.getByTestId('value-curve')).toHaveAccessibleName(/Value curve: the best 20% of customers bring \d+% of revenue/);
  await expect(page.getByRole('table', { name: 'Value curve' }).getByRole('row')).toHaveCount(11);
  await expect(page.getByTestId('consent-counts')).toBeVisible();
  await axe(page);
  await page.getByRole('button', { name: '简体中文' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('客户与同意');
  await expect(page.getByTestId('value-curve')).toHaveAccessibleName(/价值曲线/);
  await axe(page);
});

test('admin adds and revokes a key and a partner, sees the theme preview and the catalogue health', async ({ page, browser }) => {
  await signIn(page, 'admin');
  await expect(page).toHaveURL(/\/staff\/admin$/);
  const suffix = `${test.info().project.name}-${Date.now() % 100000}`;

  // A key, shown once, that works at once and stops when revoked.
  await page.getByLabel("Holder's name").fill(`Floor ${suffix}`);
  await page.getByLabel('Role', { exact: true }).selectOption('store');
  await page.getByRole('button', { name: 'Make a key' }).click();
  const secret = (await page.getByTestId('secret-key').textContent()).trim();
  expect(secret).toMatch(/^tsk_/);
  const holder = await browser.newPage({ baseURL: process.env.TAILOR_URL });
  expect((await holder.request.post('/api/staff/session', { data: { key: secret } })).status()).toBe(201);
  expect((await holder.request.get('/api/staff/calls')).status()).toBe(200);
  await page.getByRole('button', { name: `Revoke the key of Floor ${suffix}` }).click();
  await expect(page.getByTestId('keys').getByRole('row', { name: new RegExp(`Floor ${suffix}`) })).toContainText('revoked');
  expect((await holder.request.get('/api/staff/calls')).status()).toBe(401);
  await holder.close();

  // A partner: the theme is checked as typed, with a live preview.
  await page.getByLabel('Id (a-z, 0-9, -)').fill(`shop-${suffix}`);
  await page.getByLabel('Name', { exact: true }).fill(`Shop ${suffix}`);
  await page.getByLabel('Origins that may embed (one per line, https://host)').fill(`https://${suffix}.shop.example`);
  await page.getByLabel('Primary colour (#rrggbb)').fill('#ffff00');
  await expect(page.getByTestId('theme-check')).toContainText('contrast');
  await page.getByLabel('Primary colour (#rrggbb)').fill('#0f766e');
  await expect(page.getByTestId('theme-check')).toContainText('readable');
  const preview = page.getByTestId('partner-preview');
  await expect.poll(() => preview.evaluate((el) => getComputedStyle(el).getPropertyValue('--color-accent').trim())).toBe('#0f766e');
  await page.getByRole('button', { name: 'Add the partner' }).click();
  await expect(page.getByTestId('secret-partner')).toHaveText(/^tpk_/);
  expect((await page.request.get(`/api/partners/shop-${suffix}`)).status()).toBe(200);
  // Edited: a second origin and a rounder font; the id stays.
  await page.getByRole('button', { name: `Edit the partner Shop ${suffix}` }).click();
  await expect(page.getByLabel('Id (a-z, 0-9, -)')).toHaveValue(`shop-${suffix}`);
  await expect(page.getByLabel('Primary colour (#rrggbb)')).toHaveValue('#0f766e');
  await page.getByLabel('Origins that may embed (one per line, https://host)').fill(`https://${suffix}.shop.example\nhttps://www.${suffix}.shop.example`);
  await page.getByLabel('Font').selectOption('rounded');
  await page.getByRole('button', { name: 'Save the partner' }).click();
  await expect(page.getByTestId('partners').getByRole('row', { name: new RegExp(`Shop ${suffix}`) })).toContainText(`https://www.${suffix}.shop.example`);
  const saved = await (await page.request.get(`/api/partners/shop-${suffix}`)).json();
  expect(saved.origins).toEqual([`https://${suffix}.shop.example`, `https://www.${suffix}.shop.example`]);
  expect(saved.theme).toMatchObject({ primary: '#0f766e', font: 'rounded' });
  await page.getByRole('button', { name: `Revoke the partner Shop ${suffix}` }).click();
  await expect(page.getByTestId('partners').getByRole('row', { name: new RegExp(`Shop ${suffix}`) })).toContainText('revoked');
  expect((await page.request.get(`/api/partners/shop-${suffix}`)).status()).toBe(404);

  // The catalogue's health: every product, no errors.
  const health = page.getByTestId('health');
  await expect(health.getByRole('row')).toHaveCount(1 + 4);
  await expect(health.getByRole('row', { name: /pc-starter/ })).toContainText('18');
  await axe(page);
});

const homes = {
  fulfilment: ['/staff/orders', 'Orders', '订单'],
  support: ['/staff/customers', 'Look up a customer', '查找客户'],
  marketing: ['/staff/marketing', 'Customers and consent', '客户与同意'],
  store: ['/staff/calls', 'Calls from the kiosks', '自助终端的呼叫'],
  admin: ['/staff/admin', 'Keys, partners, catalogue', '密钥、合作伙伴、产品目录'],
};

test('each role opens on its own page and is refused the others, in Chinese, axe clean', async ({ browser }) => {
  for (const [role, [home, , zh]] of Object.entries(homes)) {
    const context = await browser.newContext({ baseURL: process.env.TAILOR_URL });
    const page = await context.newPage();
    await signIn(page, role, '简体中文');
    await expect(page).toHaveURL(new RegExp(`${home}$`));
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(zh);
    await axe(page);
    for (const [other, [path, , otherZh]] of Object.entries(homes)) {
      if (other === role) continue;
      await page.goto(path);
      // Support answers kiosk calls too; every other page is another role's.
      const expected = role === 'support' && other === 'store' ? otherZh : '您的角色无权查看';
      await expect(page.getByRole('heading', { level: 1 }), `${role} on ${path}`).toHaveText(expected);
    }
    await context.close();
  }
});
