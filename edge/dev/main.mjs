#!/usr/bin/env node
// scripts/dev's launcher: starts the product on loopback (edge/dev/launcher.mjs)
// with the settings from the environment (edge/dev/defaults.mjs: PORT,
// SESSION_SECRET, ENCRYPTION_KEY, DATA_DIR, PROVIDER_PORT, API_PORT), prints
// where everything is and how to try it, and stops cleanly on Ctrl-C
// (SIGINT) or SIGTERM: workerd disposed, the demo servers closed.
//
//   node edge/dev/main.mjs           (scripts/dev sets up and builds first)
import { devSettings } from './defaults.mjs';
import { startDev, banner } from './launcher.mjs';

const settings = devSettings();
let dev;
try {
  dev = await startDev(settings);
} catch (error) {
  console.error(`connauth dev: could not start: ${error?.message ?? error}`);
  if (error?.code === 'EADDRINUSE' || /address already in use/i.test(String(error?.message))) {
    console.error('a port is taken: set PORT (and PROVIDER_PORT, API_PORT) to free ones');
  }
  process.exit(1);
}
console.log(banner(dev, settings));

let stopping = false;
async function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  console.log(`\nconnauth dev: ${signal}, stopping…`);
  await dev.stop();
  console.log('connauth dev: stopped');
  process.exit(0);
}
// miniflare registers exit-hook's handlers, which kill workerd and exit at
// once; this process is ours, so its signals are too: stop everything in
// order (dispose miniflare, close the servers), then exit.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.removeAllListeners(signal);
  process.on(signal, () => shutdown(signal));
}
