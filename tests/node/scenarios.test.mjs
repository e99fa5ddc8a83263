// The connection-loop scenario table (tests/scenarios/connection_loop.json)
// against the CLI: `connauth connect`, then one `connauth request`, each a
// real process talking to a scripted provider on loopback. The edge runs
// the same table (tests/edge/scenarios.test.mjs) and must agree.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scenarios, connectorFor, fieldsFor, appFor, scriptedProvider } from '../scenarios/provider.mjs';
import { runCli } from './fixtures/cli_process.mjs';

const dir = mkdtempSync(join(tmpdir(), 'connauth-scenarios-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name, value) {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

const run = (args) => runCli(dir, args);

// What the CLI said, in the table's terms: the provider's status, or the
// connection's failure; and the connection's status and cause.
function outcome(result) {
  const verdict = result.stderr.match(/the connection is (lost|degraded) \(([a-z_]+)\)/);
  const http = result.stdout.match(/^HTTP (\d+)/m);
  return {
    answer: verdict ? `connection_${verdict[1]}` : http ? Number(http[1]) : `exit ${result.code}`,
    status: verdict ? verdict[1] : 'connected',
    cause: verdict ? verdict[2] : null,
  };
}

describe('connection loop scenarios: the CLI', () => {
  for (const [i, scenario] of scenarios.entries()) {
    test(scenario.name, async () => {
      const provider = scriptedProvider(scenario);
      const server = http.createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          const answer = provider.answer(req.method, new URL(req.url, 'http://x').pathname.slice(1));
          res.writeHead(answer.status, { 'content-type': answer.contentType });
          res.end(answer.body);
        });
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      try {
        const base = `http://127.0.0.1:${server.address().port}/`;
        const connector = file(`connector-${i}.json`, connectorFor(scenario, base));
        const app = file(`app-${i}.json`, { name: 'Scenario', ...appFor(scenario) });
        const fields = file(`fields-${i}.json`, fieldsFor(scenario));
        const conn = join(dir, `conn-${i}.json`);
        const connected = await run(['connect', connector, '--app', app, '--fields', fields, '--out', conn]);
        assert.equal(connected.code, 0, connected.stderr);
        provider.connected();

        const result = await run(['request', connector, '--app', app, '--connection', conn, '--method', 'GET', '--url', 'thing']);
        const { expect } = scenario;
        assert.deepEqual(
          { ...outcome(result), token_requests: provider.counts.token, api_requests: provider.counts.api },
          { answer: expect.answer, status: expect.status, cause: expect.cause,
            token_requests: expect.token_requests, api_requests: expect.api_requests },
          `stdout: ${result.stdout}\nstderr: ${result.stderr}`,
        );
      } finally {
        server.close();
      }
    });
  }
});
