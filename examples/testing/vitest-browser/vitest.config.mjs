// Vitest's browser mode with the Playwright provider: the tests run in a real Chromium, where
// <pay-with-klarna> works as on your page. Debian's Chromium here (playwright cannot download its own
// builds on this machine); elsewhere drop executablePath and run `npx playwright install chromium`.
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ['*.test.js'],
    browser: {
      enabled: true,
      headless: true,
      screenshotFailures: false,
      provider: playwright({
        launchOptions: {
          executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
          args: ['--no-sandbox', '--disable-dev-shm-usage'],
        },
      }),
      instances: [{ browser: 'chromium' }],
    },
  },
});
