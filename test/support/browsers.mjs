/**
 * The three engines the README names, as installed by scripts/setup.sh from Debian's packages:
 * Chromium (and its chromedriver), Firefox ESR, and WebKitGTK's MiniBrowser driven by
 * WebKitWebDriver (which needs an X display: a private Xvfb is started when there is none). Paths
 * can be overridden with CHROME_PATH, FIREFOX_PATH and MINIBROWSER_PATH.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import net from 'node:net';

export const CHROMIUM_PATH = process.env.CHROME_PATH || '/usr/bin/chromium';
export const FIREFOX_PATH =
  process.env.FIREFOX_PATH ||
  ['/usr/bin/firefox-esr', '/usr/bin/firefox'].find((path) => existsSync(path)) ||
  'firefox-esr';
// Debian puts it under the architecture's library folder, e.g. /usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/
const debianMiniBrowser = () =>
  readdirSync('/usr/lib', { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap(({ name }) => ['4.1', '4.0'].map((api) => `/usr/lib/${name}/webkit2gtk-${api}/MiniBrowser`))
    .find((path) => existsSync(path));
export const MINIBROWSER_PATH = process.env.MINIBROWSER_PATH || debianMiniBrowser() || 'MiniBrowser';

/** A port nobody listens on right now, on 127.0.0.1. */
export async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A child process that is killed with this Node process, whatever ends it. */
function child(command, args, options) {
  const process_ = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], ...options });
  let stderr = '';
  process_.stderr?.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  const kill = () => process_.kill('SIGKILL');
  process.once('exit', kill);
  return {
    process: process_,
    get stderr() {
      return stderr;
    },
    stop() {
      process.off('exit', kill);
      if (process_.exitCode !== null || process_.signalCode !== null) return Promise.resolve();
      return new Promise((resolve) => {
        process_.once('exit', resolve);
        process_.kill('SIGTERM');
      });
    },
  };
}

/** The X display to use: $DISPLAY when set, else a private Xvfb on a free display number. */
export async function startDisplay() {
  if (process.env.DISPLAY) return { display: process.env.DISPLAY, stop: async () => {} };
  // -displayfd: Xvfb picks a free display number and writes it to fd 3 once it accepts clients
  const xvfb = child('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  const number = await new Promise((resolve, reject) => {
    let text = '';
    xvfb.process.stdio[3].on('data', (chunk) => {
      text += chunk;
      if (text.includes('\n')) resolve(text.trim());
    });
    xvfb.process.once('error', (error) =>
      reject(new Error(`Xvfb could not start (${error.message}): run npm run setup`)),
    );
    xvfb.process.once('exit', (code) => reject(new Error(`Xvfb exited (${code}): ${xvfb.stderr}`)));
  });
  return { display: `:${number}`, stop: () => xvfb.stop() };
}

/** A WebDriver server (`command --port=N`) on a free port of 127.0.0.1, once it answers /status. */
async function startDriver(command, env = process.env) {
  const port = await freePort();
  // (chromedriver listens on the loopback interface alone unless told otherwise)
  const driver = child(command, [`--port=${port}`, ...(command === 'WebKitWebDriver' ? ['--host=127.0.0.1'] : [])], {
    env,
  });
  const failed = new Promise((_, reject) => {
    driver.process.once('error', (error) =>
      reject(new Error(`${command} could not start (${error.message}): run npm run setup`)),
    );
    driver.process.once('exit', (code) => reject(new Error(`${command} exited (${code}): ${driver.stderr}`)));
  });
  failed.catch(() => {});
  const ready = (async () => {
    for (;;) {
      try {
        const status = await (await fetch(`http://127.0.0.1:${port}/status`)).json();
        if (status.value?.ready !== false) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  await Promise.race([ready, failed]);
  return { hostname: '127.0.0.1', port, stop: () => driver.stop() };
}

/**
 * WebKitWebDriver (with a display for MiniBrowser), ready for sessions. `capabilities(args)` gives
 * what a session asks for: MiniBrowser in automation mode, with `args` added to its command line.
 */
export async function startWebKitDriver() {
  const display = await startDisplay();
  const driver = await startDriver('WebKitWebDriver', { ...process.env, DISPLAY: display.display });
  return {
    hostname: driver.hostname,
    port: driver.port,
    capabilities: (args = []) => ({
      browserName: 'MiniBrowser',
      // WebKitWebDriver speaks WebDriver classic only; webdriverio would otherwise ask for BiDi
      'wdio:enforceWebDriverClassic': true,
      'webkitgtk:browserOptions': { binary: MINIBROWSER_PATH, args: ['--automation', ...args] },
    }),
    async stop() {
      await driver.stop();
      await display.stop();
    },
  };
}

/** chromedriver (Debian's chromium-driver) for Chromium, ready for sessions; `capabilities(args)` as above. */
export async function startChromeDriver() {
  const driver = await startDriver('chromedriver');
  return {
    ...driver,
    capabilities: (args = []) => ({
      browserName: 'chrome',
      'wdio:enforceWebDriverClassic': true,
      'goog:chromeOptions': {
        binary: CHROMIUM_PATH,
        args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', ...args],
      },
    }),
  };
}

/**
 * A proxy that refuses everything: pointed at by a browser, it makes every request that is not
 * for 127.0.0.1 fail, so no test reaches the network.
 */
export async function startRefusingProxy() {
  const server = net.createServer((socket) => socket.destroy());
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    port,
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}
