import { defaultReporter } from '@web/test-runner';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { playwrightLauncher } from '@web/test-runner-playwright';
import { summaryReporter } from './scripts/summary-reporter.mjs';
import { testBackend } from './test/support/backend.mjs';

// Component tests give the element the testing kit's fake through configureKlarnaSdk(). Nothing
// may reach the outside: Klarna's URL and every other off-machine request are refused here.
export default {
  files: 'test/unit/**/*.test.ts',
  nodeResolve: true,
  middleware: [testBackend],
  concurrency: 2,
  testFramework: { config: { timeout: 10000 } },
  plugins: [
    esbuildPlugin({ ts: true, target: 'es2022', tsconfig: 'tsconfig.json' }),
    {
      // Playwright's view of the accessibility tree: what a screen reader is told.
      name: 'aria-snapshot',
      async executeCommand({ command, payload, session }) {
        if (command !== 'aria-snapshot') return undefined;
        const page = session.browser.getPage(session.id);
        return page.locator(payload.selector).first().ariaSnapshot();
      },
    },
  ],
  browsers: [
    playwrightLauncher({
      product: 'chromium',
      launchOptions: {
        executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
        headless: true,
        args: ['--no-sandbox', '--disable-setuid-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--disable-background-networking'],
      },
      createPage: async ({ context }) => {
        const page = await context.newPage();
        await page.route(/^https?:\/\/(?!(localhost|127\.0\.0\.1)[:/])/, (route) => route.abort('blockedbyclient'));
        return page;
      },
    }),
  ],
  reporters: [defaultReporter(), summaryReporter('wtr')],
  filterBrowserLogs: ({ args }) => !String(args[0]).includes('Lit is in dev mode'),
};
