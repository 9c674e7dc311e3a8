/**
 * services/launch.sh --auth --tls as a user runs it: a 3-node cluster that requires TLS and the
 * users of services/nats/permissions.conf (random passwords in DIR/secrets), the agents, a search
 * service, a scoring node and a graph service, each
 * signed in as its own user through its environment. A `retrace run` as the driver (DIR/env's
 * variables in its environment) writes the embedded run's bytes with its searches done by the
 * search service, and so does one taking the repository from the graph service; no process breaks its permissions; no secret is on a command line, in a log or
 * in the dataset; a wrong password and a missing CA fail clearly; `stop` leaves nothing running.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectFailedError, NatsBus } from '../../src/bus/mod.ts';
import { GraphClient } from '../../src/graph/service/client.ts';
import { runJob } from '../../src/run/run-job.ts';
import { freePortRange, pidAlive } from '../support/ports.ts';

const repoRoot = join(import.meta.dirname, '../..');
const launch = join(repoRoot, 'services/launch.sh');
const retrace = join(repoRoot, 'bin/retrace.js');
const fixture = join(repoRoot, 'test/agents/fixtures/mini');
const tmp = mkdtempSync(join(tmpdir(), 'retrace-launch-secure-'));
const dir = join(tmp, 'cluster');
const pids: number[] = [];
const buses: NatsBus[] = [];

const alive = pidAlive;

/** `KEY=VALUE` and `export KEY=VALUE` lines of a file (comments skipped). */
function readVars(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^(?:export )?([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

const mode = (file: string) => statSync(file).mode & 0o777;
const logs = () => readdirSync(join(dir, 'logs')).map((f) => ({ f, text: readFileSync(join(dir, 'logs', f), 'utf8') }));

let up: SpawnSyncReturns<string>;
let urls: string[] = [];
let secrets: Record<string, string> = {};
let driverEnv: Record<string, string> = {};
let ca = '';
const out = join(tmp, 'mini.jsonl');

beforeAll(async () => {
  // Ports base..base+22 on loopback, every one checked free, below the ephemeral range.
  const base = await freePortRange(23);
  const args = ['start', '--dir', dir, '--base-port', String(base), '--ack-wait', '5000', '--auth', '--tls', '--search-services', '1', '--scoring-nodes', '1'];
  args.push('--graph', fixture, '--graph-name', 'mini');
  up = spawnSync('bash', [launch, ...args], { encoding: 'utf8', timeout: 150_000 });
  for (const f of existsSync(join(dir, 'pids')) ? readdirSync(join(dir, 'pids')) : []) pids.push(Number(readFileSync(join(dir, 'pids', f), 'utf8')));
  if (up.status !== 0) return;
  urls = up.stdout.trim().split('\n').at(-1)!.split(',');
  secrets = readVars(join(dir, 'secrets'));
  driverEnv = readVars(join(dir, 'env'));
  ca = join(dir, 'tls/ca.pem');
}, 160_000);

afterAll(async () => {
  for (const b of buses) await b.close().catch(() => {});
  spawnSync('bash', [launch, 'stop', '--dir', dir], { timeout: 120_000 });
  for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
}, 130_000);

describe('services/launch.sh --auth --tls', () => {
  it('starts every process with its own user, keeps the secrets private and off every command line', () => {
    expect(up.status, `${up.stderr}`).toBe(0);
    expect(urls).toHaveLength(3);
    for (const u of urls) expect(u).toMatch(/^tls:\/\/127\.0\.0\.1:\d+$/);
    expect(readFileSync(join(dir, 'urls'), 'utf8').trim()).toBe(urls.join(','));
    // 3 servers, 5 agents, a search service, a scoring node (and the graph service).
    expect(pids).toHaveLength(3 + 5 + 2 + 1);

    expect(Object.keys(secrets).sort()).toEqual(['ARCHITECT', 'CODER', 'DEBUGGER', 'DRIVER', 'GRAPH', 'PLANNER', 'SCORER', 'SEARCH', 'TESTER'].map((u) => `RETRACE_${u}_PASSWORD`));
    const passwords = Object.values(secrets);
    expect(new Set(passwords).size).toBe(9);
    for (const p of passwords) expect(p).toMatch(/^rt[0-9a-f]{48}$/);
    expect(driverEnv).toMatchObject({ RETRACE_NATS_USER: 'driver', RETRACE_NATS_PASSWORD: secrets.RETRACE_DRIVER_PASSWORD, RETRACE_NATS_CA: ca, RETRACE_NATS_REPLICAS: '3' });
    for (const f of ['secrets', 'env', 'tls/ca.key', 'tls/server.key']) expect(mode(join(dir, f)), f).toBe(0o600);

    const shown = up.stdout + up.stderr;
    for (const pid of pids) {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      for (const p of passwords) expect(cmdline).not.toContain(p);
      expect(cmdline).not.toMatch(/PASSWORD/);
    }
    for (const p of passwords) expect(shown).not.toContain(p);
    // Each agent signs in as its role's user (permissions.conf gives each role only its own work).
    for (const role of ['planner', 'architect', 'coder', 'tester', 'debugger']) {
      const pid = readFileSync(join(dir, 'pids', `agent-${role}-1.pid`), 'utf8').trim();
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      expect(environ, role).toContain(`RETRACE_NATS_USER=${role}`);
    }
    for (const { f, text } of logs().filter((l) => l.f.startsWith('nats-'))) expect(text, f).toMatch(/TLS required for client connections/);
  });

  it('serves a run as the driver, byte-identical to the embedded run, its searches done by the search service', async () => {
    expect(up.status).toBe(0);
    const run = spawnSync(process.execPath, [retrace, 'run', fixture, '-o', out, '--nats', urls.join(','), '--ack-wait', '5000', '--run-id', 'secure', '--seed', '4', '--budget', '4', '--fault-rate', '0.5', '--no-trace', '--json'], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, ...driverEnv },
    });
    expect(run.status, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as { verify: Array<{ ok: boolean }>; searches: number };
    expect(summary.verify[0]!.ok).toBe(true);
    expect(summary.searches).toBeGreaterThan(0);
    const ref = join(tmp, 'mini.embedded.jsonl');
    await runJob({ repoPath: fixture, out: ref, seed: 4, budget: 4, faultRate: 0.5, resume: false, runId: 'secure', verify: false });
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(ref, 'utf8'));

    // The searches went to the search service (the driver may ask it for its counters).
    const driver = await NatsBus.connect({ servers: urls, user: 'driver', pass: secrets.RETRACE_DRIVER_PASSWORD!, tls: { caFile: ca } });
    buses.push(driver);
    const status = await driver.request<{ jobs: number; failed: number }>('retrace.search.status', { type: 'search.status.request', body: {} });
    expect(status.body.jobs).toBeGreaterThan(0);
    expect(status.body.failed).toBe(0);
    // Where search-service has --corpus-scoring, the launcher sent it to the scoring node.
    if (!`${up.stderr}`.includes('has no --corpus-scoring')) {
      const nodes = await driver.discover('retrace-score');
      expect(nodes).toHaveLength(1);
      expect(nodes[0]!.endpoints.find((e) => e.name === 'score')!.numRequests).toBeGreaterThan(0);
    }
    // Every process stayed within its permissions.
    for (const { f, text } of logs()) expect(text, f).not.toMatch(/Violation/);
  }, 120_000);

  it('runs a graph service that serves a run and the file texts scoring nodes and search services ask for', async () => {
    expect(up.status).toBe(0);
    expect(readFileSync(join(dir, 'logs/graph-1.log'), 'utf8')).toMatch(/graph-service mini ready/);
    for (const user of ['scorer', 'search']) {
      const bus = await NatsBus.connect({ servers: urls, user, pass: secrets[`RETRACE_${user.toUpperCase()}_PASSWORD`]!, tls: { caFile: ca } });
      buses.push(bus);
      const [text] = await new GraphClient(bus, 'mini').sources(['src/math.ts']);
      expect(text).toBe(readFileSync(join(fixture, 'src/math.ts'), 'utf8'));
    }
    // A run that takes the repository from the graph service: the agents and the corpora of the
    // searches read it over the bus.
    const graphOut = join(tmp, 'mini.graph.jsonl');
    const run = spawnSync(process.execPath, [retrace, 'run', fixture, '-o', graphOut, '--nats', urls.join(','), '--graph', 'mini', '--ack-wait', '5000', '--run-id', 'secure-graph', '--seed', '4', '--budget', '4', '--fault-rate', '0.5', '--no-trace', '--json'], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, ...driverEnv },
    });
    expect(run.status, run.stderr).toBe(0);
    const ref = join(tmp, 'mini.graph.embedded.jsonl');
    await runJob({ repoPath: fixture, out: ref, seed: 4, budget: 4, faultRate: 0.5, resume: false, runId: 'secure-graph', verify: false });
    expect(readFileSync(graphOut, 'utf8')).toBe(readFileSync(ref, 'utf8'));
    const driver = await NatsBus.connect({ servers: urls, user: 'driver', pass: secrets.RETRACE_DRIVER_PASSWORD!, tls: { caFile: ca } });
    buses.push(driver);
    const [graph] = await driver.discover('retrace-graph');
    expect(graph!.endpoints.find((e) => e.name === 'source')!.numRequests).toBeGreaterThan(2);
    for (const { f, text } of logs()) expect(text, f).not.toMatch(/Violation/);
  }, 120_000);

  it('refuses a wrong password and a client without the CA, with clear errors', async () => {
    expect(up.status).toBe(0);
    const wrong = await NatsBus.connect({ servers: urls, user: 'coder', pass: 'not-the-password', tls: { caFile: ca }, maxReconnectAttempts: 0 }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(ConnectFailedError);
    expect((wrong as ConnectFailedError).reason).toBe('authentication');
    expect((wrong as Error).message).toMatch(/refused the credentials/);
    expect((wrong as Error).message).not.toContain('not-the-password');
    const noCa = await NatsBus.connect({ servers: urls, user: 'driver', pass: secrets.RETRACE_DRIVER_PASSWORD!, maxReconnectAttempts: 0, timeoutMs: 3000 }).catch((e: unknown) => e);
    expect(noCa).toBeInstanceOf(ConnectFailedError);
    expect((noCa as ConnectFailedError).reason).toBe('tls');
    // The CLI says so too, and exits non-zero.
    const run = spawnSync(process.execPath, [retrace, 'run', fixture, '-o', join(tmp, 'refused.jsonl'), '--nats', urls.join(','), '--ack-wait', '5000', '--run-id', 'refused', '--no-trace'], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, ...driverEnv, RETRACE_NATS_PASSWORD: 'wrong-password-0' },
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/refused the credentials/);
    expect(run.stderr).not.toContain('wrong-password-0');
  }, 60_000);

  it('never writes a secret to a log or the dataset, and stops everything', async () => {
    expect(up.status).toBe(0);
    for (const b of buses.splice(0)) await b.close();
    const down = spawnSync('bash', [launch, 'stop', '--dir', dir], { encoding: 'utf8', timeout: 120_000 });
    expect(down.status, down.stderr).toBe(0);
    expect(down.stderr).not.toMatch(/did not stop/);
    expect(pids.filter(alive)).toEqual([]);
    const passwords = Object.values(secrets);
    const written = [...logs(), { f: 'dataset', text: readFileSync(out, 'utf8') }];
    for (const { f, text } of written) for (const p of passwords) expect(text.includes(p), `${f} holds a password`).toBe(false);
    for (const { f, text } of logs().filter((l) => l.f.startsWith('agent-'))) expect(text, f).toMatch(/agent stopped/);
    // The passwords die with the servers.
    expect(existsSync(join(dir, 'secrets'))).toBe(false);
    expect(existsSync(join(dir, 'env'))).toBe(false);
  }, 130_000);
});
