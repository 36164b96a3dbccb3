// Runs the engine's click replay compiled to wasm in headless Chromium and
// prints its JSON line. Called by `cargo xtask bench engine --wasm`.
import { chromium } from 'playwright-core';

const [url, name, sessions, seed, withSales, recommend, picture, withPrepared] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(url);
  await page.waitForFunction(() => window.benchReady === true, null, { timeout: 60_000 });
  const json = await page.evaluate(async ([name, sessions, seed, withSales, recommend, picture, withPrepared]) => {
    // What a customer's browser does to open a model: fetch its files,
    // then parse, load or compile, and answer (timed inside runBench).
    const started = performance.now();
    const model = await (await fetch('/model')).text();
    const prepared = withPrepared === '1'
      ? new Uint8Array(await (await fetch('/prepared')).arrayBuffer()) : new Uint8Array();
    const fetchMs = performance.now() - started;
    const sales = withSales === '1' ? await (await fetch('/sales')).text() : '';
    return window.runBench(name, model, sales, Number(sessions), BigInt(seed), recommend === '1',
      picture === '1', prepared, fetchMs);
  }, [name, sessions, seed, withSales, recommend, picture, withPrepared]);
  console.log(json);
} finally {
  await browser.close();
}
