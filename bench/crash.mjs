// Section — crash consistency: workerd killed with SIGKILL at a random point
// of a refresh storm, then started again on the same Durable Object storage.
//
// The provider is the demo oidc-provider, which rotates the refresh token on
// every refresh and revokes the grant when a rotated one is presented again
// (RFC 9700 §4.14.2). A kill can therefore land after the provider rotated
// and before the edge stored the new token: the connection cannot work any
// more, and what matters is that it says so. After each restart every
// connection must be, after one proxied request, either connected and
// answering 200, or lost with the `authorization_revoked` diagnosis (its
// action: reconnect) — never connected while its requests fail — and no
// token or client secret may be readable in the storage files. Lost
// connections are connected again for the next round.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProvider } from '../demo/provider.mjs';
import { startDemoApi } from '../demo/api.mjs';
import { DEMO_CLIENT_SECRET } from '../demo/provider-config.mjs';
import { startEdge } from './lib/edge.mjs';
import { createApp, connect, storm } from './lib/demo_oauth.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const ORG = 'crash-org';

// The workerd processes miniflare started for this process.
function killWorkerd() {
  let pids = [];
  try {
    pids = execFileSync('pgrep', ['-P', String(process.pid), '-x', 'workerd'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch { /* none running */ }
  for (const pid of pids) process.kill(Number(pid), 'SIGKILL');
  return pids.length;
}

// miniflare's dispose waits for a workerd that is gone; it is not waited for long.
async function abandon(edge) {
  await Promise.race([edge.dispose().catch(() => {}), sleep(2000)]);
}

function filesUnder(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

// Which of `secrets` appear in any storage file, as bytes.
function secretsOnDisk(dir, secrets) {
  const found = new Set();
  for (const file of filesUnder(dir)) {
    const bytes = readFileSync(file).toString('latin1');
    for (const secret of secrets) if (bytes.includes(secret)) found.add(secret);
  }
  return found.size;
}

// One proxied request per user, then the connection as the API shows it.
async function outcome(edge, appId, user, path) {
  const call = await edge.api('GET', path, { token: user.token });
  const view = await edge.api('GET', `/api/apps/${appId}/connection`, { token: user.token });
  const status = view.data?.status;
  if (call.status === 200 && status === 'connected') return { kind: 'working' };
  if (call.status !== 200 && status === 'lost' && view.data?.lost?.cause === 'authorization_revoked') return { kind: 'lost' };
  return { kind: 'violation', login: user.login, call: call.status, error: call.data?.error ?? null, status, cause: view.data?.lost?.cause ?? null };
}

export async function run({ quick, log }) {
  const rounds = quick ? 3 : 20;
  const userCount = quick ? 3 : 8;
  const perUser = quick ? 4 : 8;
  const ttl = 2; // seconds: every round's storm finds the access tokens expired
  const provider = await startProvider({ accessTokenTTL: ttl });
  const api = await startDemoApi({ provider });
  const persistDir = mkdtempSync(join(tmpdir(), 'connauth-crash-'));
  let edge = await startEdge({ persistDir });
  const issued = new Set([DEMO_CLIENT_SECRET]);
  const remember = () => {
    for (const model of ['AccessToken', 'RefreshToken']) for (const t of provider.stored(model)) issued.add(t.jti);
  };
  try {
    const admin = await edge.session(ORG, 'crash-admin', 'admin');
    const app = await createApp(edge, provider, api, admin);
    if (!app.appId) return { available: false, reason: app.reason };
    const path = `/proxy/${app.appId}/contacts`;
    const users = [];
    for (let i = 0; i < userCount; i++) {
      const login = `crash-user-${i}`;
      const token = await edge.session(ORG, login, 'member');
      const connected = await connect(edge, app.appId, token, login);
      if (connected.reason) return { available: false, reason: connected.reason };
      users.push({ login, token });
    }

    const results = [];
    for (let round = 0; round < rounds; round++) {
      await sleep(ttl * 1000 + 1100); // expires_at has whole seconds; refresh_buffer is 0
      const before = provider.counters.refresh_token ?? 0;
      const delayMs = Math.floor(Math.random() * 800);
      const storms = users.map((u) => storm(edge.origin, path, u.token, perUser));
      await sleep(delayMs);
      remember();
      const killed = killWorkerd();
      const answered = (await Promise.all(storms)).flatMap((s) => s.results).filter((r) => r.status === 200).length;
      remember();
      const refreshes = (provider.counters.refresh_token ?? 0) - before;
      await abandon(edge);
      edge = await startEdge({ persistDir });

      const outcomes = [];
      for (const user of users) outcomes.push(await outcome(edge, app.appId, user, path));
      remember();
      const secrets = secretsOnDisk(persistDir, issued);
      const lost = users.filter((_, i) => outcomes[i].kind === 'lost');
      let reconnectFailures = 0;
      for (const user of lost) {
        let again = await connect(edge, app.appId, user.token, user.login);
        if (again.reason) {
          reconnectFailures++;
          log(`crash: round ${round + 1}: reconnecting ${user.login} failed (${again.reason}); the provider's last token answers: ${JSON.stringify(provider.tokenRequests.slice(-3))}`);
          again = await connect(edge, app.appId, user.token, user.login);
        }
        if (again.reason) throw new Error(`round ${round + 1}: reconnecting ${user.login} twice: ${again.reason}`);
      }
      results.push({
        delay_ms: delayMs,
        killed,
        answered_before_kill: answered,
        refresh_requests: refreshes,
        working: outcomes.filter((o) => o.kind === 'working').length,
        lost: lost.length,
        violations: outcomes.filter((o) => o.kind === 'violation'),
        secrets_on_disk: secrets,
        reconnect_failures: reconnectFailures,
      });
      const r = results.at(-1);
      log(`crash: round ${round + 1}/${rounds}: killed after ${delayMs} ms (${refreshes} refreshes sent, ${answered} answered), then ${r.working} working, ${r.lost} lost, ${r.violations.length} inconsistent, ${secrets} secrets on disk`);
    }
    const violations = results.flatMap((r) => r.violations);
    return {
      available: true,
      rounds: results.length,
      connections: userCount,
      requests_per_connection: perUser,
      kills: results.filter((r) => r.killed > 0).length,
      working: results.reduce((n, r) => n + r.working, 0),
      lost: results.reduce((n, r) => n + r.lost, 0),
      violations,
      secrets_on_disk: results.reduce((n, r) => n + r.secrets_on_disk, 0),
      tokens_checked: issued.size - 1,
      consistent: violations.length === 0 && results.every((r) => r.secrets_on_disk === 0 && r.killed > 0),
      per_round: results.map(({ violations: v, ...rest }) => ({ ...rest, violations: v.length })),
    };
  } finally {
    await abandon(edge);
    await api.stop();
    await provider.stop();
    rmSync(persistDir, { recursive: true, force: true });
  }
}

export function table(result) {
  if (!result.available) return [['crash consistency', `not available: ${result.reason}`]];
  const rows = [['round', 'killed after ms', 'refreshes sent', 'answered before', 'working', 'lost (authorization_revoked)', 'inconsistent', 'secrets on disk']];
  result.per_round.forEach((r, i) => rows.push([i + 1, r.delay_ms, r.refresh_requests, r.answered_before_kill, r.working, r.lost, r.violations, r.secrets_on_disk]));
  for (const v of result.violations) rows.push([`inconsistent: ${JSON.stringify(v)}`]);
  return rows;
}
