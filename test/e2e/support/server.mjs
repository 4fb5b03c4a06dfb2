import { createHash } from 'node:crypto';
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
};

/** Policies a page can ask for with ?csp=<name>. */
export const POLICIES = {
  // what a merchant page has when it forgot Klarna
  'no-klarna': ['content-security-policy', "script-src 'self'"],
  // the same, only reported: it blocks nothing
  'report-only': ['content-security-policy-report-only', "script-src 'self'"],
  // the strict policy: no inline scripts or styles anywhere
  strict: [
    'content-security-policy',
    "default-src 'self'; script-src 'self' https://js.klarna.com; style-src 'self'; connect-src 'self'; img-src 'self'",
  ],
  // the strict policy, and no string may reach a DOM sink (innerHTML and the like): Trusted Types
  'trusted-types': [
    'content-security-policy',
    "default-src 'self'; script-src 'self' https://js.klarna.com; style-src 'self'; connect-src 'self'; img-src 'self'; require-trusted-types-for 'script'; trusted-types 'none'",
  ],
};

/**
 * The README's `<head>` hints for a pinned bundle (its Quick start): the `<link rel="modulepreload">`
 * lines of the snippet that carries `integrity`, for the bundle at /dist/ and with `integrity` as given.
 */
async function readmeHeadHints(integrity) {
  const readme = await readFile(join(root, 'README.md'), 'utf8');
  const block = [...readme.matchAll(/```html\n([^`]*?)```/g)]
    .map((match) => match[1])
    .find((html) => html.includes('integrity="sha384-…"'));
  const hints = block
    ?.split('\n')
    .filter((line) => line.trim().startsWith('<link rel="modulepreload"'))
    .join('\n');
  if (!hints?.includes('klarna.mjs') || !hints.includes('/assets/pay-with-klarna.js'))
    throw new Error('README.md no longer gives the <head> hints for klarna.mjs and the pinned bundle');
  return hints.replaceAll('/assets/pay-with-klarna.js', '/dist/pay-with-klarna.js').replaceAll('sha384-…', integrity);
}

/**
 * The page server and a merchant backend for end-to-end tests, on 127.0.0.1 and a free port.
 * It serves the built bundle and the test pages, and records every POST to /api/klarna/initiate.
 */
export async function startServer() {
  const initiations = [];
  const server = http.createServer(async (request, response) => {
    const url = new URL(request.url, 'http://127.0.0.1');
    if (request.method === 'POST' && url.pathname === '/api/klarna/initiate') {
      let raw = '';
      for await (const chunk of request) raw += chunk;
      initiations.push({ headers: request.headers, body: JSON.parse(raw) });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ paymentRequestUrl: 'https://pay.test.klarna.com/na/requests/e2e/start' }));
      return;
    }
    const path = normalize(url.pathname).replace(/^\/+/, '');
    if (path === 'test/e2e/pages/integrity.html') {
      // the script tag the README gives, with the hash the build printed (computed the same way here)
      const bundle = await readFile(join(root, 'dist/pay-with-klarna.js'));
      const integrity = `sha384-${createHash('sha384').update(bundle).digest('base64')}`;
      const tampered = url.searchParams.has('tampered') ? 'sha384-AAAA' + integrity.slice(11) : integrity;
      // ?preload=readme: the <head> hints as the README's Performance section gives them, with the same
      // hash; ?preload=bare: a preload of the bundle without one
      const wanted = url.searchParams.get('preload');
      const preload =
        wanted === 'readme'
          ? await readmeHeadHints(tampered)
          : wanted === 'bare'
            ? '<link rel="modulepreload" href="/dist/pay-with-klarna.js" />'
            : '';
      // ?import: a module of the page imports the bundle instead of the tag (an import carries no hash)
      const script = url.searchParams.has('import')
        ? `<script type="module">import '/dist/pay-with-klarna.js';</script>`
        : `<script type="module" src="/dist/pay-with-klarna.js" integrity="${tampered}" crossorigin="anonymous"></script>`;
      response.writeHead(200, { 'content-type': types['.html'] });
      response.end(`<!doctype html><html lang="en-US"><head><meta charset="utf-8"><title>SRI</title>
        ${preload}
        ${script}</head>
        <body><pay-with-klarna client-id="klarna_test_client_e2e" amount="100" currency="USD" initiate-url="/api/klarna/initiate"></pay-with-klarna></body></html>`);
      return;
    }
    if (!/^(dist|test\/e2e\/pages)\//.test(path)) {
      response.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(join(root, path));
      const headers = {
        'content-type': types[extname(path)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
      };
      const policy = POLICIES[url.searchParams.get('csp')];
      if (policy && extname(path) === '.html') headers[policy[0]] = policy[1];
      response.writeHead(200, headers).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    initiations,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
