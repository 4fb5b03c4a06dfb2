// Playwright Test, against a page served on 127.0.0.1 with the script-tag bundle, Klarna's URL
// answered at the network layer by the testing kit's klarna.mjs. Debian's Chromium here (Playwright
// cannot download its own builds on this machine); elsewhere drop executablePath.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: import.meta.dirname,
  workers: 1,
  reporter: 'list',
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
    },
  },
});
