// Recommendations learned from the shop's orders (issue 16): the shop learns
// from orders placed here (the test server learns every 2 seconds), the
// configurator marks the recommended option with its reason on demand,
// "complete the rest" fills the open choices in one undoable step, in both
// languages, axe clean; and a signed-in customer's own orders sharpen the
// suggestions only while their "recommendations" switch is on.
import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import fs from 'node:fs';
import path from 'node:path';

const outbox = process.env.TAILOR_OUTBOX;
const unique = (name) => `${name}.${Date.now()}.${Math.floor(Math.random() * 1e6)}@example.org`;
const minor = (s) => Math.round(Number(s.replace(/[^0-9.]/g, '')) * 100);

async function english(page) {
  await page.goto('/');
  await page.getByRole('button', { name: 'English' }).click();
}

const radio = (page, name) => page.getByRole('radio', { name: new RegExp(name) });
const option = (page, name) => page.locator('.option').filter({ has: radio(page, name) });
const step = (page, name) => page.getByRole('navigation').getByRole('button', { name: new RegExp(name) }).click();
const summary = (page) => page.locator('.summary-list');

// Chooses options of the starter PC (step name -> option), then reads the
// configuration's code and total.
async function configure(page, choices) {
  await page.goto('/p/pc-starter');
  for (const [at, name] of Object.entries(choices)) {
    await step(page, at);
    await radio(page, name).check();
  }
  await page.locator('details.share summary').click();
  const code = new URL(await page.getByTestId('share-link').inputValue()).searchParams.get('c');
  const total = minor(await page.getByTestId('total').textContent());
  await page.locator('details.share summary').click();
  return { code, total };
}

// Places `n` orders of the configuration through the API (as `request`'s
// browser, so a signed-in context's orders are its customer's).
async function order(request, { code, total }, n) {
  const model = await (await request.get('/catalogue/pc-starter.json')).json();
  for (let i = 0; i < n; i++) {
    const body = {
      product: 'pc-starter',
      catalogue_version: model.version,
      code,
      price_seen: total,
      contact: { name: 'Rec Tester', email: 'rec.tester@example.org' },
      shipping: { line1: '1 Main Street', city: 'Berlin', postcode: '10115', country: 'DE' },
    };
    const key = `rec-${Date.now()}-${i}-${Math.random()}`;
    await expect.poll(async () => {
      const r = await request.post('/api/orders', { data: body, headers: { 'Idempotency-Key': key } });
      return r.status();
    }, { message: 'the order is taken (retried while rate-limited)', intervals: [300, 600, 1000] }).toBe(201);
  }
}

// Waits until the shop has learned from at least `n` orders of the starter PC.
async function learned(request, n) {
  await expect.poll(async () => {
    const r = await request.get('/api/learned/pc-starter', { headers: { 'Cache-Control': 'no-cache' } });
    return r.ok() ? (await r.json()).orders : 0;
  }, { message: 'the shop learns from the orders', timeout: 20_000 }).toBeGreaterThanOrEqual(n);
}

test("the shop's recommendation: marked, explained, completed and undone, in both languages", async ({ page, request, browser }) => {
  await english(page);
  // What this shop's customers buy with the Ryzen 7: 32 GB and 2 TB.
  const popular = await configure(page, { Processor: 'AMD Ryzen 7 7700X', Memory: '32 GB', Storage: '2 TB' });
  await order(request, popular, 25);
  await learned(request, 25);

  // A new visitor (a fresh browser, nothing cached) chooses the Ryzen 7.
  const context = await browser.newContext({ baseURL: process.env.TAILOR_URL });
  const p = await context.newPage();
  await english(p);
  await p.goto('/p/pc-starter');
  const defaultTotal = await p.getByTestId('total').textContent();
  await radio(p, 'AMD Ryzen 7 7700X').check();
  // The processor is the customer's own choice: no mark there.
  await expect(p.getByTestId('recommended')).toHaveCount(0);
  await step(p, 'Memory');
  const memory = option(p, '32 GB');
  await expect(memory.getByTestId('recommended')).toHaveText('Recommended');
  await expect(option(p, '16 GB').getByTestId('recommended')).toHaveCount(0);
  // Screen readers hear it with the option: in its name, the reason as its description.
  await expect(radio(p, '32 GB')).toHaveAccessibleName(/Recommended/);
  await expect(radio(p, '32 GB')).toHaveAccessibleDescription(/^Chosen by \d+% of customers who also chose Processor: AMD Ryzen 7 7700X\.$/);
  // The reason on demand, by keyboard.
  const why = memory.getByRole('button', { name: 'Why recommended?' });
  await expect(why).toHaveAttribute('aria-expanded', 'false');
  await expect(memory.getByTestId('recommend-reason')).toBeHidden();
  await why.focus();
  await p.keyboard.press('Enter');
  await expect(why).toHaveAttribute('aria-expanded', 'true');
  await expect(memory.getByTestId('recommend-reason')).toHaveText(/^Chosen by \d+% of customers who also chose Processor: AMD Ryzen 7 7700X\.$/);
  const axe = await new AxeBuilder({ page: p }).analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);

  // Complete the rest: every choice the customer left takes the recommended option, in one step.
  await p.getByTestId('complete-rest').click();
  await expect(summary(p)).toContainText('32 GB DDR5-5600');
  await expect(summary(p)).toContainText('2 TB NVMe SSD');
  await expect(summary(p)).toContainText('AMD Ryzen 7 7700X');
  // It ends on the last step, where the order is reviewed.
  await expect(radio(p, '2 TB')).toBeChecked();
  await expect(p.getByTestId('total')).toHaveText(new RegExp(((popular.total / 100).toFixed(2)).replace('.', '\\.')));
  await expect(p.getByTestId('completed-note')).toContainText('completed as most customers do');
  // Undo puts the customer's own configuration back.
  await p.getByRole('button', { name: 'Undo' }).click();
  await expect(radio(p, '1 TB')).toBeChecked();
  await expect(summary(p)).toContainText('16 GB DDR5-5600');
  await expect(summary(p)).toContainText('AMD Ryzen 7 7700X');
  await expect(p.getByTestId('completed-note')).toHaveText('');
  expect(await p.getByTestId('total').textContent()).not.toBe(defaultTotal);

  // The same in Chinese.
  await p.getByRole('button', { name: '简体中文' }).click();
  await expect(p.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await step(p, '内存');
  await expect(option(p, '32 GB').getByTestId('recommended')).toHaveText('推荐');
  await option(p, '32 GB').getByRole('button', { name: '为什么推荐？' }).click();
  await expect(option(p, '32 GB').getByTestId('recommend-reason')).toHaveText(/^选了处理器: AMD 锐龙 7 7700X的顾客中，\d+% 选择了它。$/);
  await expect(p.getByTestId('complete-rest')).toHaveText('按多数顾客的选择完成其余部分');
  const axeZh = await new AxeBuilder({ page: p }).analyze();
  expect(axeZh.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  // Switching the language keeps the reason open, now in the other language.
  await p.getByRole('button', { name: 'English' }).click();
  await expect(p.locator('html')).toHaveAttribute('lang', 'en');
  await expect(option(p, '32 GB').getByRole('button', { name: 'Why recommended?' })).toHaveAttribute('aria-expanded', 'true');
  await expect(option(p, '32 GB').getByTestId('recommend-reason')).toHaveText(/^Chosen by \d+% of customers who also chose Processor: AMD Ryzen 7 7700X\.$/);
  await context.close();
});

// The mails to `email` in the outbox folder, oldest first.
function mailsTo(email) {
  if (!outbox || !fs.existsSync(outbox)) return [];
  return fs.readdirSync(outbox).sort().map((f) => fs.readFileSync(path.join(outbox, f), 'utf8')).filter((m) => m.includes(`To: ${email}`));
}

async function signIn(page, email) {
  await page.goto('/account');
  await page.getByLabel('E-mail address').fill(email);
  const before = mailsTo(email).length;
  await page.getByRole('button', { name: 'Send me a code' }).click();
  let code = null;
  await expect.poll(() => {
    const mails = mailsTo(email);
    code = mails.length > before ? /Your code is (\d{6})/.exec(mails[mails.length - 1])?.[1] : null;
    return code;
  }, { message: `a code mailed to ${email}` }).toMatch(/^\d{6}$/);
  await page.getByLabel('The 6-digit code from the e-mail').fill(code);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByTestId('signed-in')).toContainText(email);
}

test("a customer's own orders sharpen the suggestion only while recommendations are on", async ({ browser, request }) => {
  const context = await browser.newContext({ baseURL: process.env.TAILOR_URL });
  const page = await context.newPage();
  await english(page);
  // The shop's customers take 32 GB with the Ryzen 7 ...
  await order(request, await configure(page, { Processor: 'AMD Ryzen 7 7700X', Memory: '32 GB', Storage: '2 TB' }), 6);
  await learned(request, 6);
  // ... this customer took 16 GB with it, once.
  await signIn(page, unique('habit'));
  await order(context.request, await configure(page, { Processor: 'AMD Ryzen 7 7700X', Memory: '16 GB', Storage: '500 GB' }), 1);
  const suggestion = async () => {
    await page.goto('/p/pc-starter');
    await radio(page, 'AMD Ryzen 7 7700X').check();
    await step(page, 'Memory');
    const marked = page.locator('.option').filter({ has: page.getByTestId('recommended') }).filter({ hasText: /GB DDR5/ });
    await expect(marked).toHaveCount(1);
    return { name: await marked.locator('.option-name').textContent(), reason: await marked.getByTestId('recommend-reason').textContent() };
  };
  const off = await suggestion();
  expect(off).toEqual({ name: '32 GB DDR5-5600', reason: expect.stringMatching(/^Chosen by \d+% of customers/) });

  const recommendations = page.getByRole('switch', { name: 'Personalised recommendations' });
  const flip = async (state) => {
    await page.goto('/privacy');
    await recommendations.click();
    await expect(recommendations).toHaveAttribute('aria-checked', state);
  };
  await flip('true');
  expect(await suggestion()).toEqual({ name: '16 GB DDR5-5600', reason: 'You chose it in 1 of your 1 orders of this product.' });
  await flip('false');
  expect(await suggestion()).toEqual(off);
  await context.close();
});

test('the kiosk and a partner frame mark the recommendation too', async ({ browser, request }) => {
  const kioskKeys = JSON.parse(process.env.TAILOR_KIOSK_KEYS || '{}');
  const context = await browser.newContext({ baseURL: process.env.TAILOR_URL });
  const page = await context.newPage();
  await english(page);
  await order(request, await configure(page, { Processor: 'AMD Ryzen 7 7700X', Memory: '32 GB', Storage: '2 TB' }), 6);
  await learned(request, 6);
  const marked = async (p) => {
    await radio(p, 'AMD Ryzen 7 7700X').check();
    await step(p, 'Memory');
    await expect(option(p, '32 GB').getByTestId('recommended')).toHaveText('Recommended');
  };
  // The kiosk (a fresh browser: the statistics are fetched anew).
  const kiosk = await (await browser.newContext({ baseURL: process.env.TAILOR_URL })).newPage();
  await kiosk.goto(`/kiosk?idle=600&key=${kioskKeys.Kiosk}`);
  await kiosk.getByRole('button', { name: 'English' }).click();
  await kiosk.locator('a[href="/p/pc-starter"]').click();
  await marked(kiosk);
  await kiosk.context().close();
  // The partner's frame, opened with the partner's embed token.
  const key = process.env.TAILOR_PARTNER_KEY;
  const answer = await request.post('/api/partner/embed-tokens', { headers: { authorization: `Bearer ${key}` } });
  expect(answer.status()).toBe(201);
  const token = (await answer.json()).token;
  const frame = await (await browser.newContext({ baseURL: process.env.TAILOR_URL })).newPage();
  await frame.goto(`/embed/p/pc-starter?partner=e2e-partner&token=${token}&locale=en`);
  await marked(frame);
  await frame.context().close();
  await context.close();
});
