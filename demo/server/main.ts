/**
 * Starts the demo storefront: the reference backend on PORT (default 5173) and, unless Klarna
 * credentials are in the environment, the offline Klarna simulator beside it.
 *
 * Offline (default): nothing to configure. Against Klarna's test environment:
 *   KLARNA_API_KEY, KLARNA_CLIENT_ID, KLARNA_WEBHOOK_SIGNING_KEYS=id:secret[,id2:secret2],
 *   optionally KLARNA_PARTNER_ACCOUNT_ID, KLARNA_API_BASE, PUBLIC_URL, DATABASE_URL, DATA_DIR.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { createApp } from './app.js';
import { createKlarnaClient } from './klarna-client.js';
import { Payments } from './payments.js';
import { parseSigningKeys } from './signing.js';
import { createSimulator, type Simulator } from './simulator.js';
import { lockDataDir, openDatabase, type DataDirLock } from './database.js';
import { Store } from './store.js';

function listen(
  fetch: (request: Request) => Response | Promise<Response>,
  port: number,
): Promise<{ server: ServerType; url: string }> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, port, hostname: '127.0.0.1' }, (info: AddressInfo) =>
      resolve({ server, url: `http://127.0.0.1:${info.port}` }),
    );
    server.once('error', reject);
  });
}

const close = (server: ServerType) =>
  new Promise<void>((resolve) => {
    server.close(() => resolve());
    // keep-alive connections would hold close() open; a stop is a stop
    (server as { closeAllConnections?: () => void }).closeAllConnections?.();
  });

export interface SimulatorHandle {
  simulator: Simulator;
  url: string;
  apiKey: string;
  signingKeyId: string;
  secret: string;
  /** The key to its `/_sim/*` controls: this process's alone, new each start. */
  controlKey: string;
  /** Where the simulator sends webhooks; set once the backend listens. */
  webhookUrl?: string;
  /** Drives a control over HTTP with the control key: `control('fail', { count: 1 })`, `control('log')`. */
  control(name: string, body?: unknown): Promise<Response>;
  stop(): Promise<void>;
}

/**
 * The offline Klarna: its own API key and signing key, made up for this run. With `stateFile`,
 * what it knows outlives a restart, and it listens on its last port again when that is free (the
 * backend also takes each payment request's current address from Klarna's answer, should it move).
 */
export async function startSimulator(
  options: { port?: number; stateFile?: string; webhookDelayMs?: number; retryDelaysMs?: number[] } = {},
): Promise<SimulatorHandle> {
  const handle = {
    apiKey: `sim_${randomBytes(12).toString('hex')}`,
    controlKey: randomBytes(24).toString('hex'),
    signingKeyId: 'sim-key-1',
    secret: randomBytes(24).toString('hex'),
  } as SimulatorHandle;
  const simulator = createSimulator({
    apiKey: handle.apiKey,
    controlKey: handle.controlKey,
    publicUrl: () => handle.url,
    stateFile: options.stateFile,
    webhook: {
      url: () => handle.webhookUrl,
      signingKeyId: handle.signingKeyId,
      secret: handle.secret,
      delayMs: options.webhookDelayMs,
      retryDelaysMs: options.retryDelaysMs,
    },
  });
  const lastPort = options.port || simulator.savedPort;
  const { server, url } = await listen(simulator.app.fetch, lastPort ?? 0).catch((error) => {
    if (error?.code !== 'EADDRINUSE' || options.port) throw error;
    return listen(simulator.app.fetch, 0); // its last port is taken now: another one
  });
  simulator.rememberPort(Number(new URL(url).port));
  const control = (name: string, body?: unknown) =>
    fetch(`${url}/_sim/${name}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        authorization: `Bearer ${handle.controlKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  Object.assign(handle, { simulator, url, control, stop: async () => (simulator.stop(), await close(server)) });
  return handle;
}

export interface BackendOptions {
  port?: number;
  dataDir?: string;
  /**
   * The lock on `dataDir` when the caller holds it already (`npm start`); otherwise the embedded database takes its
   * own.
   */
  dataDirLock?: DataDirLock;
  databaseUrl?: string;
  klarna: {
    baseUrl: string;
    apiKey: string;
    partnerAccountId?: string;
    clientId: string;
    signingKeys: Map<string, string>;
    live?: boolean;
    retryDelaysMs?: number[];
    timeoutMs?: number;
  };
  mode: 'simulator' | 'klarna';
  publicUrl?: string;
  simulatorUrl?: string;
  /** How often pending orders are checked with Klarna, for a webhook that never came. */
  sweepMs?: number;
  /** How long an initiate or a charge may take before it is answered 503 "not confirmed yet" (25 s by default). */
  requestBoundMs?: number;
  /**
   * How long stop() waits for requests (and webhooks) under way to finish before it closes the database (30 s, its
   * whole bound, by default).
   */
  drainMs?: number;
  /** How long a Klarna call may stay in flight before the sweep repeats it (2 minutes by default). */
  stuckAfterMs?: number;
  log?: (line: string) => void;
}

export async function startBackend(options: BackendOptions) {
  const log = options.log ?? ((line: string) => console.log(line));
  const sql = await openDatabase({
    databaseUrl: options.databaseUrl,
    dataDir: options.dataDir,
    lock: options.dataDirLock,
    log,
  });
  const store = new Store(sql);
  const klarna = createKlarnaClient({
    baseUrl: options.klarna.baseUrl,
    apiKey: options.klarna.apiKey,
    partnerAccountId: options.klarna.partnerAccountId,
    retryDelaysMs: options.klarna.retryDelaysMs,
    timeoutMs: options.klarna.timeoutMs,
  });
  let publicUrl = options.publicUrl ?? '';
  const payments = new Payments(store, klarna, () => publicUrl, log, options.stuckAfterMs);
  // Work under way (requests, webhooks acknowledged and still being handled): stop() lets it finish.
  const underWay = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>) => {
    const settled: Promise<unknown> = work.catch(() => undefined).finally(() => underWay.delete(settled));
    underWay.add(settled);
  };
  let stopping = false;
  const app = createApp(store, payments, {
    track,
    requestBoundMs: options.requestBoundMs,
    mode: options.mode,
    clientId: options.klarna.clientId,
    live: options.klarna.live ?? false,
    signingKeys: options.klarna.signingKeys,
    publicUrl: () => publicUrl,
    simulatorUrl: options.simulatorUrl ? () => options.simulatorUrl! : undefined,
    log,
  });
  const { server, url } = await listen((request) => {
    // Stopping: nothing new starts (a retry reaches the next instance, or this one once it is back).
    if (stopping)
      return Response.json(
        { error: 'The shop is restarting; please try again in a moment.' },
        { status: 503, headers: { 'retry-after': '1' } },
      );
    const answer = Promise.resolve(app.fetch(request));
    track(answer);
    return answer;
  }, options.port ?? 0);
  publicUrl ||= url;
  // A webhook can be lost and a process can die mid-call: orders still under way are looked at
  // again, each pass within one interval, and a stop ends the pass under way at once.
  const sweepMs = options.sweepMs ?? 30_000;
  const stopSweeping = new AbortController();
  let sweeping: Promise<void> | undefined;
  const runSweep = () =>
    (sweeping ??= payments
      .sweep({ budgetMs: sweepMs, signal: stopSweeping.signal })
      .catch((error) => log(`sweep failed: ${(error as Error).message}`))
      .finally(() => (sweeping = undefined)));
  const sweep = setInterval(runSweep, sweepMs);
  sweep.unref();
  return {
    url,
    store,
    payments,
    /** Runs one sweep pass now, or waits for the one under way (tests; the interval does it in production). */
    sweep: async () => {
      await sweeping;
      await runSweep();
    },
    /**
     * Stops taking requests and ends the sweep pass under way at once (its calls are repeated, with
     * their keys, by the next instance to sweep), lets the requests under way finish, then closes
     * the connections and the database: all within `drainMs` (30 s by default, past the bound of an
     * initiate or a charge). Closing the database under a running request would leave its
     * Idempotency-Key claimed and its order mid-call.
     */
    async stop() {
      stopping = true;
      clearInterval(sweep);
      stopSweeping.abort(new Error('the shop is stopping'));
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const drainMs = options.drainMs ?? 30_000;
      // the last second of the bound is for the answers still on their way out
      const deadline = Date.now() + Math.max(drainMs - 1000, drainMs / 2);
      const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
      while ((underWay.size || sweeping) && Date.now() < deadline) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([
          Promise.all([...underWay, sweeping]),
          new Promise((resolve) => (timer = setTimeout(resolve, deadline - Date.now()))),
        ]);
        clearTimeout(timer);
      }
      if (underWay.size) log(`stopping with ${underWay.size} request(s) still under way after ${drainMs} ms`);
      // The last answers may still be on their way out: their connections are closed once idle, the rest after a
      // second.
      const connections = server as { closeIdleConnections?: () => void; closeAllConnections?: () => void };
      let ended = false;
      void closed.then(() => (ended = true));
      for (let waited = 0; !ended && waited < 1000; waited += 25) {
        connections.closeIdleConnections?.();
        await pause(25);
      }
      connections.closeAllConnections?.();
      await closed;
      await sql.close();
    },
  };
}

const TEST_API = 'https://api-global.test.klarna.com';
const LIVE_API = 'https://api-global.klarna.com';

/**
 * Klarna's settings from the environment, or undefined for the offline simulator; throws, naming
 * the variable, on a half-set or contradictory environment, which would otherwise run the
 * simulator in place of Klarna, or send test calls live (or live ones to the test environment).
 */
export function klarnaFromEnv(env: Record<string, string | undefined>) {
  const set = (name: string) => env[name] !== undefined && env[name] !== '';
  if (!set('KLARNA_API_KEY')) {
    // any of them, a misspelt one too (KLARNA_CLIENTID): each says Klarna was meant
    const given = Object.keys(env).filter(
      (name) => name.startsWith('KLARNA_') && name !== 'KLARNA_API_KEY' && set(name),
    );
    if (given.length)
      throw new Error(
        `KLARNA_API_KEY is not set, but ${given.join(', ')} ${given.length > 1 ? 'are' : 'is'}: ` +
          `set KLARNA_API_KEY to use Klarna, or unset ${given.length > 1 ? 'them' : 'it'} ` +
          'for the offline simulator (see the README).',
      );
    return undefined;
  }
  for (const name of ['KLARNA_CLIENT_ID', 'KLARNA_WEBHOOK_SIGNING_KEYS', 'PUBLIC_URL']) {
    if (!set(name)) throw new Error(`${name} is required with KLARNA_API_KEY (see the README).`);
  }
  // Klarna sends the customer back to it, and the API checks Origin against it: an origin, no path
  let publicUrl: URL | undefined;
  try {
    publicUrl = new URL(env.PUBLIC_URL!);
  } catch {
    // named below
  }
  if (
    !publicUrl ||
    !/^https?:$/.test(publicUrl.protocol) ||
    publicUrl.pathname !== '/' ||
    publicUrl.search ||
    publicUrl.hash
  ) {
    throw new Error(
      `PUBLIC_URL is the shop's public origin, such as https://shop.example, not ${JSON.stringify(env.PUBLIC_URL)}.`,
    );
  }
  if (set('KLARNA_LIVE') && env.KLARNA_LIVE !== 'true' && env.KLARNA_LIVE !== 'false')
    throw new Error(`KLARNA_LIVE is true or false, not ${JSON.stringify(env.KLARNA_LIVE)}.`);
  const live = env.KLARNA_LIVE === 'true';
  const baseUrl = set('KLARNA_API_BASE') ? env.KLARNA_API_BASE! : live ? LIVE_API : TEST_API;
  let host: string;
  try {
    host = new URL(baseUrl).hostname;
  } catch {
    throw new Error(`KLARNA_API_BASE is not a URL: ${JSON.stringify(baseUrl)}.`);
  }
  // Klarna's hosts say which environment they are; another host (a proxy, say) is taken at its word.
  const klarnaHost = host === 'klarna.com' || host.endsWith('.klarna.com');
  const testHost = /(^|\.)test\.klarna\.com$/.test(host) || /(^|\.)playground\.klarna\.com$/.test(host);
  if (klarnaHost && live && testHost)
    throw new Error(`KLARNA_LIVE=true, but KLARNA_API_BASE (${host}) is Klarna's test environment.`);
  if (klarnaHost && !live && !testHost)
    throw new Error(`KLARNA_API_BASE (${host}) is Klarna's live environment, but KLARNA_LIVE is not true.`);
  return {
    publicUrl: publicUrl.origin,
    klarna: {
      baseUrl,
      apiKey: env.KLARNA_API_KEY!,
      partnerAccountId: env.KLARNA_PARTNER_ACCOUNT_ID,
      clientId: env.KLARNA_CLIENT_ID!,
      signingKeys: parseSigningKeys(env.KLARNA_WEBHOOK_SIGNING_KEYS),
      live,
    },
  };
}

/** `npm start`: the storefront, offline unless KLARNA_API_KEY is set. */
async function main() {
  const env = process.env;
  const port = Number(env.PORT ?? 5173);
  const dataDir = env.DATA_DIR ?? '.data/storefront';
  let backend: Awaited<ReturnType<typeof startBackend>>;
  let simulator: SimulatorHandle | undefined;
  const klarna = klarnaFromEnv(env); // before anything opens or listens
  // One process at a time on DATA_DIR, which holds the embedded database and the offline simulator's state.
  const dataDirLock = !klarna || !env.DATABASE_URL ? await lockDataDir(dataDir) : undefined;
  if (klarna) {
    backend = await startBackend({
      port,
      dataDir,
      dataDirLock,
      databaseUrl: env.DATABASE_URL,
      mode: 'klarna',
      publicUrl: klarna.publicUrl,
      klarna: klarna.klarna,
    });
  } else {
    simulator = await startSimulator({
      port: Number(env.SIMULATOR_PORT ?? 0),
      stateFile: join(dataDir, 'klarna-simulator.json'),
    });
    backend = await startBackend({
      port,
      dataDir,
      dataDirLock,
      databaseUrl: env.DATABASE_URL,
      mode: 'simulator',
      publicUrl: env.PUBLIC_URL,
      simulatorUrl: simulator.url,
      klarna: {
        baseUrl: simulator.url,
        apiKey: simulator.apiKey,
        partnerAccountId: 'krn:partner:global:account:test:SIMULATE',
        clientId: 'klarna_test_client_offline_simulator',
        signingKeys: new Map([[simulator.signingKeyId, simulator.secret]]),
      },
      sweepMs: 5_000,
    });
    simulator.webhookUrl = `${backend.url}/api/klarna/webhooks`;
  }
  const klarnaIs = klarna?.klarna.live ? 'Klarna live' : 'Klarna test environment';
  console.log(
    `Storefront: ${backend.url}/  (${simulator ? `offline, Klarna simulator at ${simulator.url}` : klarnaIs})`,
  );
  const shutdown = async () => {
    await backend.stop();
    await simulator?.stop();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error) => {
    console.error(error.message);
    process.exit(1);
  });
}
