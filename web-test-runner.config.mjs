import { defaultReporter } from '@web/test-runner';
import { chromeLauncher } from '@web/test-runner-chrome';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { playwrightLauncher } from '@web/test-runner-playwright';
import { WebdriverLauncher } from '@web/test-runner-webdriver';
import * as puppeteer from 'puppeteer-core';
import { summaryReporter } from './scripts/summary-reporter.mjs';
import { testBackend } from './test/support/backend.mjs';
import { CHROMIUM_PATH, FIREFOX_PATH, startRefusingProxy, startWebKitDriver } from './test/support/browsers.mjs';

// Component tests give the element the testing kit's fake through configureKlarnaSdk(). Nothing
// may reach the outside: Klarna's URL and every other off-machine request are refused here
// (Chromium: by Playwright's routes; Firefox and WebKit: by a proxy that refuses every connection).
//
// Every test runs in the three engines the README names: Chromium (Playwright), Firefox ESR
// (puppeteer over WebDriver BiDi) and WebKitGTK's MiniBrowser (WebKitWebDriver, WebDriver classic).
// PWK_BROWSERS=chromium,firefox,webkit picks some of them.
const refusing = await startRefusingProxy();

/** WebKit through WebKitWebDriver, which this launcher starts (with a private X display when needed). */
class WebKitLauncher extends WebdriverLauncher {
  concurrency = 1; // one window, each test file at the top level (not in iframes), like the other engines
  #driver;
  constructor() {
    super({ capabilities: {} });
  }
  async initialize(config, testFiles) {
    this.#driver = await startWebKitDriver();
    Object.assign(this.options, {
      hostname: this.#driver.hostname,
      port: this.#driver.port,
      logLevel: 'error',
      // (MiniBrowser's own proxy option: WebKitWebDriver 2.50 sends https:// around the W3C proxy capability)
      capabilities: this.#driver.capabilities([
        `--proxy=${refusing.url}`,
        '--ignore-host=127.0.0.1',
        '--ignore-host=localhost',
      ]),
    });
    await super.initialize({ ...config, concurrency: 1 }, testFiles);
    this.name = 'WebKit';
  }
  async stop() {
    await super.stop();
    await this.#driver?.stop();
  }
}

const engines = {
  chromium: () =>
    playwrightLauncher({
      product: 'chromium',
      launchOptions: {
        executablePath: CHROMIUM_PATH,
        headless: true,
        args: [
          '--no-sandbox',
          '--disable-setuid-sandbox',
          '--disable-dev-shm-usage',
          '--disable-gpu',
          '--disable-background-networking',
        ],
      },
      createPage: async ({ context }) => {
        const page = await context.newPage();
        await page.route(/^https?:\/\/(?!(localhost|127\.0\.0\.1)[:/])/, (route) => route.abort('blockedbyclient'));
        return page;
      },
    }),
  firefox: () =>
    chromeLauncher({
      puppeteer,
      // concurrency 1: Firefox throttles the timers of background tabs, which would make tests time out
      concurrency: 1,
      launchOptions: {
        browser: 'firefox',
        executablePath: FIREFOX_PATH,
        headless: true,
        extraPrefsFirefox: {
          'network.proxy.type': 1,
          'network.proxy.http': '127.0.0.1',
          'network.proxy.http_port': refusing.port,
          'network.proxy.ssl': '127.0.0.1',
          'network.proxy.ssl_port': refusing.port,
        },
      },
    }),
  webkit: () => new WebKitLauncher(),
};
const wanted = (process.env.PWK_BROWSERS || Object.keys(engines).join(',')).split(',');
for (const name of wanted)
  if (!engines[name])
    throw new Error(`PWK_BROWSERS: unknown engine "${name}" (known: ${Object.keys(engines).join(', ')})`);

/** Playwright key chords ("Shift+Tab", "Space") pressed the same way through each engine's driver. */
const pressPlugin = {
  name: 'press',
  async executeCommand({ command, payload, session }) {
    if (command !== 'press') return undefined;
    const keys = payload.key.split('+').map((key) => (key === 'Space' ? ' ' : key));
    const { browser } = session;
    if (browser.type === 'playwright') await browser.getPage(session.id).keyboard.press(payload.key);
    else if (browser.type === 'puppeteer') {
      const { keyboard } = browser.getPage(session.id);
      for (const key of keys.slice(0, -1)) await keyboard.down(key);
      await keyboard.press(keys.at(-1));
      for (const key of keys.slice(0, -1).reverse()) await keyboard.up(key);
    } else if (browser.type === 'webdriver')
      await browser.sendKeys(
        session.id,
        keys.map((key) => (key === ' ' ? 'Space' : key)),
      );
    else throw new Error(`press: no way to send keys through ${browser.type}`);
    return true;
  },
};

export default {
  files: 'test/unit/**/*.test.ts',
  nodeResolve: true,
  middleware: [testBackend],
  concurrency: 2,
  // three engines at once on two busy cores: a page may take a while to start its tests
  testsStartTimeout: 60000,
  testFramework: { config: { timeout: 10000 } },
  plugins: [
    esbuildPlugin({ ts: true, target: 'es2022', tsconfig: 'tsconfig.json' }),
    pressPlugin,
    {
      // Chromium only (an engine-only check): Playwright's view of the accessibility tree, what a
      // screen reader is told. Other engines answer false; tests there rely on the ARIA markup alone.
      name: 'aria-snapshot',
      async executeCommand({ command, payload, session }) {
        if (command !== 'aria-snapshot') return undefined;
        if (session.browser.type !== 'playwright') return false;
        const page = session.browser.getPage(session.id);
        return page.locator(payload.selector).first().ariaSnapshot();
      },
    },
  ],
  browsers: wanted.map((name) => engines[name]()),
  reporters: [defaultReporter(), summaryReporter('wtr')],
  filterBrowserLogs: ({ args }) => !String(args[0]).includes('Lit is in dev mode'),
};
