// Kiosk mode (issue 7, first part): large touch targets, an on-screen
// keypad for measurements, "Start over" and "Call staff" always there, and
// the idle warning then a full reset, run on a controlled clock.
import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

// The kiosk places `cargo xtask test` registered, with their keys (only a
// registered kiosk calls staff, to its own place).
const kioskKeys = JSON.parse(process.env.TAILOR_KIOSK_KEYS || '{}');

const axeViolations = async (page) =>
  (await new AxeBuilder({ page }).analyze()).violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`);

test('a kiosk warns when idle and resets everything unless someone is still there', async ({ page }) => {
  await page.clock.install();
  expect(kioskKeys.Kiosk, 'cargo xtask test registers the place "Kiosk"').toBeTruthy();
  await page.goto(`/kiosk?idle=60&key=${kioskKeys.Kiosk}`);
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('touch a product to start');
  await expect(page.getByTestId('kiosk-start-over')).toBeVisible();
  await expect(page.getByRole('link', { name: 'My account' })).toHaveCount(0);
  expect(await axeViolations(page)).toEqual([]);

  await page.locator('a[href="/p/jeans"]').click();
  await expect(page.getByTestId('kiosk-call-staff')).toBeVisible();
  // Measurements come from the keypad, never the system keyboard.
  const waist = page.locator('#fit-waist');
  await expect(waist).toHaveAttribute('readonly', '');
  await expect(waist).toHaveAttribute('inputmode', 'none');
  await waist.click();
  for (const k of ['8', '1', '.', '5', 'del']) await page.getByTestId('keypad').locator(`[data-key="${k}"]`).click();
  await expect(waist).toHaveValue('81.');
  await page.getByTestId('keypad').locator('[data-key="del"]').click();
  await expect(waist).toHaveValue('81');
  await expect(page.getByTestId('remember-measurements')).toBeHidden();
  // Every control is at least 48 px in both directions.
  const small = await page.locator('button:visible, input:visible, select:visible, summary:visible, a.button:visible').evaluateAll((els) =>
    els.map((e) => [e.getBoundingClientRect(), e.outerHTML.slice(0, 80)]).filter(([r]) => r.width < 48 || r.height < 48).map(([, h]) => h));
  expect(small).toEqual([]);
  await page.getByTestId('kiosk-call-staff').click();
  await expect(page.getByText('Staff have been called. Please wait here.')).toBeVisible();
  // The kiosk itself stores nothing (not even the language); whatever
  // else lands in storage is cleared by the reset.
  expect(await page.evaluate(() => [localStorage.length, sessionStorage.length])).toEqual([0, 0]);
  await page.evaluate(() => { sessionStorage.setItem('probe', 'x'); localStorage.setItem('probe', 'x'); });

  // Idle: the warning, with one large button; answering keeps everything.
  await page.clock.fastForward(61_000);
  const warning = page.getByTestId('idle-warning');
  await expect(warning).toBeVisible();
  await expect(warning).toContainText('seconds');
  expect(await axeViolations(page)).toEqual([]);
  await page.getByRole('button', { name: "I'm still here" }).click();
  await expect(warning).toHaveCount(0);
  await expect(waist).toHaveValue('81');

  // Idle again and no answer: a full reset to the attract screen.
  await page.clock.fastForward(61_000);
  await expect(warning).toBeVisible();
  await page.clock.fastForward(31_000);
  await expect(page).toHaveURL(new RegExp(`/kiosk\\?idle=60&key=${kioskKeys.Kiosk}$`));
  await expect(page.getByRole('heading', { level: 1 })).toContainText(/touch a product|轻触/);
  await expect(page.locator('#fit-waist')).toHaveCount(0);
  expect(await page.evaluate(() => [localStorage.length, sessionStorage.length])).toEqual([0, 0]);
});

test('start over resets at once', async ({ page }) => {
  await page.goto('/kiosk');
  await page.getByRole('button', { name: 'English' }).click();
  await page.locator('a[href="/p/pc-starter"]').click();
  await expect(page.getByTestId('total')).toBeVisible();
  await page.evaluate(() => localStorage.setItem('probe', 'x'));
  await page.getByTestId('kiosk-start-over').click();
  await expect(page).toHaveURL(/\/kiosk$/);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expect(page.getByTestId('total')).toHaveCount(0);
  expect(await page.evaluate(() => localStorage.length)).toBe(0);
});

test('hand-off: the phone opens the same configuration from the QR code, once, and the kiosk resets', async ({ page, browser }) => {
  await page.goto('/kiosk');
  await page.getByRole('button', { name: 'English' }).click();
  await page.locator('a[href="/p/pc-starter"]').click();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('radio', { name: /32 GB/ }).check();
  // The kiosk asks for no contact details: the last step points to the hand-off.
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByTestId('kiosk-order-hint')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Review and order' })).toHaveCount(0);
  await expect(page.getByLabel('E-mail')).toHaveCount(0);
  const total = await page.getByTestId('total').textContent();
  await page.getByTestId('handoff').click();
  const qr = page.getByTestId('handoff-qr');
  await expect(qr.locator('img')).toBeVisible();
  const url = await qr.getAttribute('data-url');
  expect(url).toMatch(/\/h\/[0-9A-Z]{8}$/);
  expect(decodeURIComponent(await qr.locator('img').getAttribute('src'))).toContain(url);

  const phone = await browser.newContext({ baseURL: process.env.TAILOR_URL });
  const p2 = await phone.newPage();
  await p2.goto(url);
  await expect(p2).toHaveURL(/\/p\/pc-starter\?c=/);
  await expect(p2.getByTestId('total')).toHaveText(total);
  // The kiosk sees the claim and resets.
  await expect(page).toHaveURL(/\/kiosk$/, { timeout: 10_000 });
  await expect(page.getByTestId('total')).toHaveCount(0);
  // The code works once.
  const p3 = await phone.newPage();
  await p3.goto(url);
  await expect(p3.getByTestId('handoff-error')).toContainText('already opened');
  await phone.close();
});

test('call staff: the call reaches staff on the floor, and the kiosk says when someone is on the way', async ({ page, request, browser }) => {
  const key = process.env.TAILOR_STORE_KEY;
  expect(key, 'cargo xtask test passes a store staff key').toBeTruthy();
  const staff = { authorization: `Bearer ${key}` };
  const place = `Floor ${test.info().project.name}`;
  expect(kioskKeys[place], `cargo xtask test registers the place "${place}"`).toBeTruthy();
  // An unregistered kiosk calls no one, and says so.
  await page.goto(`/kiosk?place=${encodeURIComponent(place)}`);
  await page.getByRole('button', { name: 'English' }).click();
  await page.locator('a[href="/p/jeans"]').click();
  await page.getByTestId('kiosk-call-staff').click();
  await expect(page.getByTestId('kiosk-staff-status')).toContainText('registered kiosk');
  await page.goto(`/kiosk?place=${encodeURIComponent(place)}&key=${kioskKeys[place]}`);
  await page.getByRole('button', { name: 'English' }).click();
  await page.locator('a[href="/p/jeans"]').click();
  const status = page.getByTestId('kiosk-staff-status');
  await expect(status).toBeEmpty();
  await page.getByTestId('kiosk-call-staff').click();
  await expect(status).toHaveText('Staff have been called. Please wait here.');
  // A second tap does not make a second call.
  await page.getByTestId('kiosk-call-staff').click();
  const list = await (await request.get('/api/staff/calls', { headers: staff })).json();
  const calls = list.calls.filter((c) => c.place === place);
  expect(calls).toHaveLength(1);
  expect(calls[0]).toMatchObject({ product: 'jeans', state: 'waiting' });
  // Staff see it in the console (signed in with their key) and answer it.
  const floorContext = await browser.newContext({ baseURL: process.env.TAILOR_URL });
  const floor = await floorContext.newPage();
  await floor.goto('/staff');
  await floor.getByRole('button', { name: 'English' }).click();
  await floor.getByLabel('Staff key').fill(key);
  await floor.getByRole('button', { name: 'Sign in' }).click();
  await expect(floor).toHaveURL(/\/staff\/calls$/);
  const card = floor.getByTestId('staff-call').filter({ hasText: place });
  await expect(card).toContainText('Custom jeans');
  // The kiosk, opened with its key, said it is on.
  await expect(floor.getByTestId('kiosk-place').filter({ hasText: place })).toContainText('on: seen just now');
  expect(await new AxeBuilder({ page: floor }).analyze().then((r) => r.violations.map((v) => v.id))).toEqual([]);
  await card.getByRole('button', { name: 'On my way' }).click();
  await expect(card).toHaveCount(0);
  await expect(status).toHaveText('A member of staff is on the way.');
  expect((await (await request.get(`/api/kiosk/calls/${calls[0].id}`)).json()).state).toBe('answered');
  await floorContext.close();
  // The place survives a reset (it is the kiosk's, not the customer's).
  await page.getByTestId('kiosk-start-over').click();
  await expect(page).toHaveURL(new RegExp(`/kiosk\\?place=${encodeURIComponent(place)}&key=${kioskKeys[place]}$`));
  await expect(status).toBeEmpty();
});
