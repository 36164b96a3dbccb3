// The portal as a browser sees it, in numbers. Called by `cargo xtask bench ui`.
//
// 1. First screen (the home page) and a configurator's first load: every
//    request the page makes, counted twice:
//    as Chromium transferred it (it accepts brotli) and as gzip (each URL
//    fetched again with `Accept-Encoding: gzip`, counting the bytes on the
//    wire). Then, on a link throttled like Lighthouse's "slow 4G" (150 ms,
//    1.6 Mbit/s), when the largest content was painted and when the wasm had
//    arrived (on loopback the wasm is there before the first frame).
//    The same for the shop's console (/staff, its own wasm). Layout shift
//    and the moment the app has drawn its first screen (interactive) on the
//    throttled link too.
// 2. Click latency on the PC configurator, measured inside the page: from
//    just before an option's click to the page having updated (the app's
//    reactive updates run in the click handler and in microtasks, so a
//    zero-delay timeout plus a forced layout marks "updated"). Options are
//    picked at random among the available ones on a random step.
import http from 'node:http';
import { chromium } from 'playwright-core';

const [baseArg, clicksArg, seedArg] = process.argv.slice(2);
const base = baseArg.replace(/\/$/, '');
const clicks = Number(clicksArg || 300);
let seed = Number(seedArg || 1);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

function gzipBytes(url) {
  return new Promise((resolve, reject) => {
    http.get(url, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
      let n = 0;
      res.on('data', (c) => { n += c.length; });
      res.on('end', () => resolve({ bytes: n, encoding: res.headers['content-encoding'] || 'identity' }));
    }).on('error', reject);
  });
}

try {
  // --- first screen -------------------------------------------------------
  // Every request a page makes until it is loaded and quiet, in bytes.
  async function bytesOf(path, ready) {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await page.goto(`${base}${path}`, { waitUntil: 'networkidle' });
    await ready(page);
    const all = await page.evaluate(() => [performance.getEntriesByType('navigation')[0], ...performance.getEntriesByType('resource')]
      .map((e) => ({ url: e.name, transfer: e.transferSize, decoded: e.decodedBodySize })));
    let transferred = 0;
    let gzip = 0;
    const requests = [];
    for (const r of all) {
      const g = await gzipBytes(r.url);
      transferred += r.transfer;
      gzip += g.bytes;
      requests.push({ path: new URL(r.url).pathname, transferred: r.transfer, gzip: g.bytes, gzip_encoding: g.encoding, decoded: r.decoded });
    }
    await context.close();
    return { requests, transferred, gzip };
  }
  const home = await bytesOf('/', (p) => p.locator('.product-card').first().waitFor());
  const configurator = await bytesOf('/p/pc', (p) => p.locator('[data-testid=total]').waitFor());
  // The shop's console (its own wasm): its sign-in page, ready to type into.
  const console_ = await bytesOf('/staff', (p) => p.locator('#staff-key').waitFor());
  // The account bundle (its own wasm): the privacy page, which needs no sign-in.
  const account = await bytesOf('/privacy', (p) => p.locator('.privacy-page').waitFor());
  const wasmOf = (r) => r.requests.filter((q) => q.path.endsWith('.wasm')).reduce((n, q) => n + q.transferred, 0);

  const slow = await browser.newContext();
  const slowPage = await slow.newPage();
  const cdp = await slow.newCDPSession(slowPage);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8,
  });
  await slowPage.addInitScript(() => {
    window.__cls = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (!e.hadRecentInput) window.__cls += e.value;
    }).observe({ type: 'layout-shift', buffered: true });
    // Interactive: the app has started and drawn its configurator (the
    // page's static first screen, drawn at build time, is gone).
    new MutationObserver((_, observer) => {
      if (document.body && !document.getElementById('shell') && document.querySelector('#main [data-testid=total]')) {
        window.__interactive = performance.now();
        observer.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
    window.__lcp = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__lcp.push({ t: e.startTime, tag: e.element ? e.element.tagName : '?', app: !!(e.element && !e.element.closest('#shell')) && !!e.element.isConnected });
    }).observe({ type: 'largest-contentful-paint', buffered: true });
  });
  await slowPage.goto(`${base}/p/pc`);
  await slowPage.waitForFunction(() => window.__interactive, null, { timeout: 60_000 });
  await slowPage.waitForTimeout(500);
  const slowTiming = await slowPage.evaluate(() => ({
    lcp: window.__lcp,
    wasm: performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.wasm')).map((e) => e.responseEnd)[0],
    fcp: performance.getEntriesByType('paint').filter((e) => e.name === 'first-contentful-paint').map((e) => e.startTime)[0],
    interactive: window.__interactive,
    cls: window.__cls,
  }));
  await slow.close();
  const lcp = slowTiming.lcp[slowTiming.lcp.length - 1] || null;
  console.log(JSON.stringify({ bench: 'first-screen', page: '/', requests: home.requests, transferred_bytes: home.transferred, gzip_bytes: home.gzip }));
  console.log(JSON.stringify({
    bench: 'configurator-first-load',
    page: '/p/pc',
    requests: configurator.requests,
    transferred_bytes: configurator.transferred,
    gzip_bytes: configurator.gzip,
    slow_4g_first_contentful_paint_ms: Math.round(slowTiming.fcp),
    slow_4g_largest_content_paint_ms: lcp && Math.round(lcp.t),
    slow_4g_largest_content: lcp && lcp.tag.toLowerCase(),
    slow_4g_wasm_loaded_ms: Math.round(slowTiming.wasm),
    slow_4g_interactive_ms: Math.round(slowTiming.interactive),
    cumulative_layout_shift: +slowTiming.cls.toFixed(4),
    wasm_transferred_bytes: wasmOf(configurator),
  }));
  console.log(JSON.stringify({
    bench: 'account-first-load',
    page: '/privacy',
    requests: account.requests,
    transferred_bytes: account.transferred,
    gzip_bytes: account.gzip,
    wasm_transferred_bytes: wasmOf(account),
  }));
  console.log(JSON.stringify({
    bench: 'console-first-load',
    page: '/staff',
    requests: console_.requests,
    transferred_bytes: console_.transferred,
    gzip_bytes: console_.gzip,
    wasm_transferred_bytes: wasmOf(console_),
  }));

  // --- click latency ------------------------------------------------------
  const pc = await browser.newPage();
  pc.on('pageerror', (e) => console.error('page error:', e.message));
  await pc.goto(`${base}/p/pc`);
  await pc.locator('.stepper button').first().waitFor();
  const result = await pc.evaluate(async ([clicks, seed]) => {
    let s = seed >>> 0 || 1;
    const rand = (n) => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s % n; };
    const settle = () => new Promise((r) => setTimeout(r, 0));
    const times = [];
    let misses = 0;
    while (times.length < clicks && misses < clicks * 10) {
      const steps = document.querySelectorAll('.stepper button');
      steps[rand(steps.length)].click();
      await settle();
      const options = [...document.querySelectorAll('.step-panel input[type=radio]')].filter((i) => !i.disabled && !i.checked && !i.name.startsWith('fit-'));
      if (options.length === 0) { misses += 1; continue; }
      const input = options[rand(options.length)];
      const before = document.querySelector('[data-testid=total]').textContent;
      const t0 = performance.now();
      input.click();
      await settle();
      void document.body.offsetHeight;
      const t1 = performance.now();
      if (!input.checked) throw new Error(`option ${input.id} was not chosen`);
      times.push({ ms: t1 - t0, changedTotal: before !== document.querySelector('[data-testid=total]').textContent });
    }
    return times;
  }, [clicks, seed]);
  const ms = result.map((r) => r.ms).sort((a, b) => a - b);
  const q = (p) => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))];
  console.log(JSON.stringify({
    bench: 'pc-click-latency',
    clicks: ms.length,
    total_changed: result.filter((r) => r.changedTotal).length,
    p50_ms: +q(0.5).toFixed(2),
    p99_ms: +q(0.99).toFixed(2),
    max_ms: +ms[ms.length - 1].toFixed(2),
  }));
} finally {
  await browser.close();
}
