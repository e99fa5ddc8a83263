// The connection-loop scenario table (tests/scenarios/connection_loop.json)
// against the edge in real workerd: an admin registers the connector and an
// app, a member connects with the connector's fields, then sends one request
// through /proxy. The CLI runs the same table (tests/node/scenarios.test.mjs)
// and must agree.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEdge, session } from './fixtures/edge_harness.mjs';
import { scenarios, connectorFor, fieldsFor, appFor, scriptedProvider } from '../scenarios/provider.mjs';

const edge = await startEdge();
after(() => edge.dispose());
const { api, upstream } = edge;
const admin = await session('org-scenarios', 'admin', 'admin');
const BASE = 'https://api.scenario.test/';

describe('connection loop scenarios: the edge', () => {
  for (const [i, scenario] of scenarios.entries()) {
    test(scenario.name, async () => {
      const provider = scriptedProvider(scenario);
      upstream.handler = (seen) => {
        const answer = provider.answer(seen.method, new URL(seen.url).pathname.slice(1));
        return new Response(answer.body, { status: answer.status, headers: { 'content-type': answer.contentType } });
      };
      const member = await session('org-scenarios', `member-${i}`, 'member');
      const name = `scenario_${i}`;
      const put = await api('PUT', `/api/connectors/${name}`, { token: admin, json: { ...connectorFor(scenario, BASE), name } });
      assert.equal(put.status, 201, put.text);
      const app = await api('POST', '/api/apps', {
        token: admin, json: { name: `Scenario ${i}`, prompt: 'Connect', connector: name, ...appFor(scenario) },
      });
      assert.equal(app.status, 201, app.text);
      const id = app.data.id;
      const connected = await api('POST', `/api/apps/${id}/connect`, { token: member, json: { fields: fieldsFor(scenario) } });
      assert.equal(connected.status, 200, connected.text);
      provider.connected();

      const answered = await api('GET', `/proxy/${id}/thing`, { token: member });
      const view = (await api('GET', `/api/apps/${id}/connection`, { token: member })).data;
      const { expect } = scenario;
      assert.deepEqual(
        {
          answer: answered.data?.error ?? answered.status,
          status: view.status,
          cause: view.lost?.cause ?? null,
          token_requests: provider.counts.token,
          api_requests: provider.counts.api,
        },
        { answer: expect.answer, status: expect.status, cause: expect.cause,
          token_requests: expect.token_requests, api_requests: expect.api_requests },
        `answer: ${answered.status} ${answered.text}`,
      );
    });
  }
});
