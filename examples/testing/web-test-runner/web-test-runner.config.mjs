// @web/test-runner with Playwright's Chromium (Debian's here: Playwright cannot download its own
// builds on this machine; elsewhere drop executablePath and run `npx playwright install chromium`).
import { fileURLToPath } from 'node:url';
import { playwrightLauncher } from '@web/test-runner-playwright';

export default {
  rootDir: fileURLToPath(new URL('../../../', import.meta.url)), // the directory whose node_modules has pay-with-klarna
  files: fileURLToPath(new URL('./*.test.js', import.meta.url)),
  nodeResolve: true,
  browsers: [
    playwrightLauncher({
      product: 'chromium',
      launchOptions: {
        executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
        args: ['--no-sandbox', '--disable-dev-shm-usage'],
      },
      // Klarna's real SDK is never needed with the testing kit; refuse anything that would leave the machine
      createPage: async ({ context }) => {
        const page = await context.newPage();
        await page.route(/^https?:\/\/(?!(localhost|127\.0\.0\.1)[:/])/, (route) => route.abort('blockedbyclient'));
        return page;
      },
    }),
  ],
  filterBrowserLogs: ({ args }) => !String(args[0]).includes('Lit is in dev mode'),
};
