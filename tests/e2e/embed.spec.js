// Embedding (issue 7, framing part): only a registered partner's origin may
// frame the configurator; the partner's page is served by this test on its
// own origin (http://localhost:9911, registered by `cargo xtask test`).
import { test, expect } from '@playwright/test';
import http from 'node:http';

const portal = process.env.TAILOR_URL;
const partnerPage = (partner) =>
  `<!doctype html><html lang="en"><title>Partner shop</title><h1>Partner shop</h1>
   <iframe id="f" title="Configurator" src="${portal}/embed/p/pc-starter?partner=${partner}" width="900" height="700"></iframe></html>`;

// The partner shop's pages come from real local servers (a page the test
// fulfils itself would count as a public site, which Chromium does not let
// frame a local one).
const servers = [];
test.beforeAll(async () => {
  for (const port of [9911, 9912]) {
    const server = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(partnerPage('e2e-partner'));
    });
    await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
    servers.push(server);
  }
});
test.afterAll(() => Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve)))));

test('a registered partner origin frames the configurator; another origin cannot', async ({ page, request }) => {
  await page.goto('http://localhost:9911/shop');
  await expect(page.frameLocator('#f').getByTestId('total')).toBeVisible();

  // The same page on an origin the partner did not register: the browser refuses to show the frame.
  const refused = page.waitForEvent('console', { predicate: (m) => /frame-ancestors|Refused to frame/.test(m.text()), timeout: 10_000 });
  await page.goto('http://localhost:9912/shop');
  await refused;
  await expect(page.frameLocator('#f').getByTestId('total')).toHaveCount(0);

  // What the server says: the partner's origins, or no one.
  const ok = await request.get(`${portal}/embed/p/pc-starter?partner=e2e-partner`);
  expect(ok.headers()['content-security-policy']).toContain('frame-ancestors http://localhost:9911');
  for (const url of ['/embed/p/pc-starter?partner=nobody', '/embed/p/pc-starter', '/p/pc-starter']) {
    const r = await request.get(`${portal}${url}`);
    expect(r.headers()['content-security-policy'], url).toContain("frame-ancestors 'none'");
  }
});
