import { defineConfig } from '@playwright/test';

// Uses Debian's Chromium (never a downloaded browser) and real Ward servers
// started by e2e/global-setup.ts:
// - project "demo": `$WARD_BIN serve --demo --data TMP --addr 127.0.0.1:0` (no lock)
// - project "vault": `$WARD_BIN serve --data DIR --addr 127.0.0.1:0` on a
//   made-up vault that global setup creates with `vault init` and `vault import`.
// - project "setup": `$WARD_BIN serve --data DIR --addr 127.0.0.1:0` on an
//   empty folder (no vault): first run, setting Ward up from the page.
// - project "passkey": `$WARD_BIN serve --data DIR --addr 127.0.0.1:0` on a
//   vault of its own, opened at http://localhost:PORT (a WebAuthn RP ID is
//   never an IP address), with Chromium's virtual authenticator over CDP.
// - project "accounts": `$WARD_BIN serve --data DIR --config FILE` on an
//   accounts server (`admin init`, one patient invited) with a real Mailpit,
//   at http://localhost:PORT.
export default defineConfig({
  testDir: './e2e',
  projects: [
    { name: 'demo', testMatch: /ward\.spec\.ts$/, metadata: { server: 'demo' } },
    // The patient's experience (issue 14): page layout, navigation, print, at 1280 and 390 px, on the demo record.
    { name: 'experience', testMatch: /experience[-\w]*\.spec\.ts$/, metadata: { server: 'demo' } },
    // Numbers for docs/performance.md, not a test: WARD_MEASURE=1 npx playwright test --project=measure
    ...(process.env.WARD_MEASURE ? [{ name: 'measure', testMatch: /measure\.spec\.ts$/, metadata: { server: 'demo' }, timeout: 600_000 }] : []),
    { name: 'vault', testMatch: /vault\.spec\.ts$/, metadata: { server: 'vault' } },
    { name: 'setup', testMatch: /setup\.spec\.ts$/, metadata: { server: 'setup' } },
    { name: 'safety', testMatch: /safety[-\w]*\.spec\.ts$/, metadata: { server: 'safety' } },
    { name: 'passkey', testMatch: /passkey\.spec\.ts$/, metadata: { server: 'passkey' } },
    { name: 'accounts', testMatch: /(accounts|sharing)\.spec\.ts$/, metadata: { server: 'accounts' } },
  ],
  globalSetup: './e2e/global-setup.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  forbidOnly: !!process.env.CI,
  outputDir: 'test-results/artifacts',
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e.json' }]],
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1280, height: 900 },
    locale: 'en-GB',
    timezoneId: 'Europe/London',
    trace: 'off',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
