// Playwright drives Debian's Chromium (never a downloaded browser). The
// server is started by `cargo xtask test`, which passes its URL in TAILOR_URL.
import { defineConfig } from '@playwright/test';

const baseURL = process.env.TAILOR_URL;
if (!baseURL) {
  throw new Error('TAILOR_URL is not set: run the end-to-end tests through `cargo xtask test`.');
}

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.js',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['json', { outputFile: process.env.TAILOR_E2E_REPORT || 'test-results/report.json' }]],
  use: {
    baseURL,
    trace: 'off',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ],
    },
  },
  projects: [
    { name: 'desktop', use: { viewport: { width: 1280, height: 800 } } },
    { name: 'phone', use: { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true } },
  ],
});
