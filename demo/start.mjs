#!/usr/bin/env node
// Starts the demo provider and API by hand and prints where they listen and
// the apps to register (JSON on stdout). Ctrl-C stops both.
//
//   node demo/start.mjs [--provider-port 4000] [--api-port 4001] [--access-token-ttl 3600]
import { parseArgs } from 'node:util';
import { startProvider } from './provider.mjs';
import { startDemoApi } from './api.mjs';
import { demoApps } from './catalog.mjs';

const { values } = parseArgs({
  options: {
    'provider-port': { type: 'string', default: '0' },
    'api-port': { type: 'string', default: '0' },
    'access-token-ttl': { type: 'string', default: '3600' },
  },
});

const provider = await startProvider({
  port: Number(values['provider-port']),
  accessTokenTTL: Number(values['access-token-ttl']),
});
const api = await startDemoApi({ provider, port: Number(values['api-port']) });

console.log(JSON.stringify({
  provider: provider.issuer,
  api: api.url,
  login: 'any name and password on the provider\'s sign-in page',
  apps: demoApps({ providerUrl: provider.issuer, apiUrl: api.url }),
}, null, 2));

async function shutdown() {
  await Promise.all([api.stop(), provider.stop()]);
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
