#!/usr/bin/env node
/**
 * `npm run playground`: the element alone, offline. Vite serves the element from source and a small stand-in for
 * the merchant backend answers the element's initiate call; Klarna's SDK is the testing kit's fake.
 */
import { createServer } from 'vite';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const port = Number(process.env.PORT) || 5174;

const outcomes = {
  'step-up': [200, { paymentRequestUrl: 'https://pay.test.klarna.com/na/requests/demo/start' }],
  approved: [200, { returnUrl: '/demo/playground.html?paid=approved' }],
  declined: [402, { message: 'Klarna declined this purchase. Please choose another payment method.' }],
  unavailable: [503, { error: 'The payment service is unavailable. Please try again.' }],
};

/** Answers POST /api/klarna/initiate as the outcome the page asked for (header X-Demo-Outcome). */
function demoBackend() {
  return {
    name: 'demo-backend',
    configureServer(server) {
      server.middlewares.use('/api/klarna/initiate', (request, response, next) => {
        if (request.method !== 'POST') return next();
        let body = '';
        request.on('data', (chunk) => (body += chunk));
        request.on('end', () => {
          const [status, answer] = outcomes[request.headers['x-demo-outcome']] ?? outcomes['step-up'];
          setTimeout(() => {
            response.writeHead(status, { 'content-type': 'application/json' });
            response.end(JSON.stringify(answer));
          }, 400);
        });
      });
    },
  };
}

const server = await createServer({
  root,
  configFile: false,
  appType: 'mpa',
  server: { host: '127.0.0.1', port, strictPort: true },
  plugins: [demoBackend()],
  logLevel: 'warn',
});
await server.listen();
console.log(`pay-with-klarna demo (offline, fake Klarna SDK): http://127.0.0.1:${port}/demo/playground.html`);
