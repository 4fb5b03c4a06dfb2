/**
 * One way to drive a page in each engine the README names, so that a test says once what a
 * customer does and runs in all three: Chromium and Firefox through puppeteer-core (CDP and
 * WebDriver BiDi), WebKit through WebKitWebDriver (WebDriver classic, webdriverio). Each browser
 * goes through the Klarna proxy (./klarna-proxy.mjs), and refuses every other host.
 *
 * A page: `goto(url)`, `evaluate(fn, ...args)` (fn runs in the page, its result comes back as
 * JSON), `waitFor(fn, ...args)` (until fn gives something truthy, which it returns), `click(fn,
 * ...args)` (a real click on the element fn returns: the mouse at its centre, or WebDriver's
 * Element Click), `press(key)` (a real key press) and `close()`.
 */
import * as puppeteer from 'puppeteer-core';
import { remote } from 'webdriverio';
import { CHROMIUM_PATH, FIREFOX_PATH, startWebKitDriver } from '../../support/browsers.mjs';

/** The engines to run in: all three, or those PWK_BROWSERS names (e.g. PWK_BROWSERS=firefox,webkit), as for the component tests. */
export const ENGINES = process.env.PWK_BROWSERS
  ? process.env.PWK_BROWSERS.split(',')
  : ['chromium', 'firefox', 'webkit'];
const TIMEOUT_MS = 20_000;

/** Launches `engine` with its traffic through `proxy`; `newPage()` gives a page in a fresh profile or context. */
export async function launchEngine(engine, proxy) {
  if (engine === 'webkit') return launchWebKit(proxy);
  const browser = await puppeteer.launch(
    engine === 'firefox'
      ? {
          browser: 'firefox',
          executablePath: FIREFOX_PATH,
          headless: true,
          acceptInsecureCerts: true,
          extraPrefsFirefox: {
            'network.proxy.type': 1,
            'network.proxy.http': '127.0.0.1',
            'network.proxy.http_port': proxy.port,
            'network.proxy.ssl': '127.0.0.1',
            'network.proxy.ssl_port': proxy.port,
          },
        }
      : {
          browser: 'chrome',
          executablePath: CHROMIUM_PATH,
          headless: true,
          acceptInsecureCerts: true,
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-dev-shm-usage',
            '--disable-background-networking',
            '--no-first-run',
            `--proxy-server=http://${proxy.host}`,
          ],
        },
  );
  return {
    name: engine,
    version: await browser.version(),
    async newPage() {
      const context = await browser.createBrowserContext();
      const page = await context.newPage();
      const errors = [];
      page.on('pageerror', (error) => errors.push(error.message));
      return {
        errors,
        goto: (url) => page.goto(url, { waitUntil: 'load' }),
        evaluate: (fn, ...args) => page.evaluate(fn, ...args),
        async waitFor(fn, ...args) {
          const handle = await page.waitForFunction(fn, { timeout: TIMEOUT_MS, polling: 50 }, ...args);
          return handle.jsonValue();
        },
        async click(fn, ...args) {
          const handle = await page.evaluateHandle(fn, ...args);
          await handle.asElement().click();
        },
        press: (key) => page.keyboard.press(key === 'Space' ? ' ' : key),
        url: () => page.url(),
        close: () => context.close(),
      };
    },
    close: () => browser.close(),
  };
}

/**
 * webdriverio's options for these tests: a command that hangs fails within 30 s, naming itself,
 * and is not sent again (the default waits 120 s, then repeats the command, a click included).
 */
export const WEBDRIVER_OPTIONS = { logLevel: 'error', connectionRetryTimeout: 30_000, connectionRetryCount: 0 };

/**
 * MiniBrowser's own options for the proxy and its certificate: WebKitWebDriver 2.50 takes the W3C
 * proxy capability's httpProxy but sends https:// requests around it.
 */
export const webKitProxyArgs = (proxy) => [
  `--proxy=http://${proxy.host}`,
  '--ignore-host=127.0.0.1',
  '--ignore-host=localhost',
  '--ignore-tls-errors',
];

async function launchWebKit(proxy) {
  const driver = await startWebKitDriver();
  const session = () =>
    remote({
      ...WEBDRIVER_OPTIONS,
      hostname: driver.hostname,
      port: driver.port,
      capabilities: driver.capabilities(webKitProxyArgs(proxy)),
    });
  const probe = await session();
  const version = probe.capabilities.browserVersion;
  await probe.deleteSession();
  return {
    name: 'webkit',
    version: `WebKitGTK ${version}`,
    // one MiniBrowser per page: as fresh as a new context elsewhere
    async newPage() {
      const browser = await session();
      return webDriverPage(browser);
    },
    close: () => driver.stop(),
  };
}

/** The page API over a webdriverio session (WebDriver classic): used for WebKit, and for chromedriver in the Element Click test. */
export function webDriverPage(browser) {
  return {
    browser,
    errors: [], // WebDriver classic reports no page errors
    goto: (url) => browser.url(url),
    evaluate: (fn, ...args) => browser.execute(fn, ...args),
    waitFor: (fn, ...args) =>
      browser.waitUntil(() => browser.execute(fn, ...args), { timeout: TIMEOUT_MS, interval: 50 }),
    async click(fn, ...args) {
      const element = await browser.$(await browser.execute(fn, ...args));
      await element.click();
    },
    press: (key) => browser.keys([key]),
    url: () => browser.getUrl(),
    close: () => browser.deleteSession(),
  };
}
