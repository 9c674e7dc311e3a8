/**
 * services/launch.sh as a user runs it: a 3-node cluster on loopback and one agent process per
 * role (two coders); `retrace run --nats` against it writes the embedded run's bytes; `stop`
 * drains the agents (each logs "agent stopped") and stops the servers; nothing is left running. A
 * start that fails (its ports taken) stops what it started and names the log to read.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runJob } from '../../src/run/run-job.ts';
import { freePortRange, pidAlive } from '../support/ports.ts';

const repoRoot = join(import.meta.dirname, '../..');
const launch = join(repoRoot, 'services/launch.sh');
const fixture = join(repoRoot, 'test/agents/fixtures/mini');
const tmp = mkdtempSync(join(tmpdir(), 'retrace-launch-'));
const dir = join(tmp, 'cluster');
const pids: number[] = [];

const alive = pidAlive;

afterAll(() => {
  spawnSync('bash', [launch, 'stop', '--dir', dir], { timeout: 60_000 });
  for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
}, 70_000);

describe('services/launch.sh', () => {
  it('starts a cluster and the agents, serves a run byte-identical to the embedded one, and stops cleanly', async () => {
    // Ports base..base+22 on loopback, every one checked free, below the ephemeral range (where
    // other tests' servers and outgoing connections take theirs).
    const base = await freePortRange(23);
    const up = spawnSync('bash', [launch, 'start', '--dir', dir, '--base-port', String(base), '--coders', '2', '--ack-wait', '5000'], {
      encoding: 'utf8',
      timeout: 150_000,
    });
    for (const f of existsSync(join(dir, 'pids')) ? readdirSync(join(dir, 'pids')) : []) pids.push(Number(readFileSync(join(dir, 'pids', f), 'utf8')));
    expect(up.status, up.stderr).toBe(0);
    const urls = up.stdout.trim().split('\n').at(-1)!;
    expect(urls.split(',')).toHaveLength(3);
    expect(pids).toHaveLength(3 + 6);

    const out = join(tmp, 'mini.jsonl');
    const run = spawnSync(process.execPath, [join(repoRoot, 'bin/retrace.js'), 'run', fixture, '-o', out, '--nats', urls, '--ack-wait', '5000', '--run-id', 'launched', '--seed', '4', '--budget', '4', '--fault-rate', '0.5', '--no-trace', '--json'], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, RETRACE_NATS_REPLICAS: '3' },
    });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).verify[0].ok).toBe(true);
    const ref = join(tmp, 'mini.embedded.jsonl');
    await runJob({ repoPath: fixture, out: ref, seed: 4, budget: 4, faultRate: 0.5, resume: false, runId: 'launched', verify: false });
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(ref, 'utf8'));

    // A second cluster on the same ports fails to start: it says which log to read and leaves
    // nothing of its own running (the first cluster is untouched: it is stopped below).
    const other = join(tmp, 'other');
    const clash = spawnSync('bash', [launch, 'start', '--dir', other, '--base-port', String(base)], { encoding: 'utf8', timeout: 60_000 });
    expect(clash.status).toBe(1);
    expect(clash.stderr).toMatch(/nats-\d exited; see .*\/logs\/nats-\d\.log/);
    expect(readdirSync(join(other, 'pids'))).toEqual([]);

    const down = spawnSync('bash', [launch, 'stop', '--dir', dir], { encoding: 'utf8', timeout: 60_000 });
    expect(down.status, down.stderr).toBe(0);
    expect(down.stderr).not.toMatch(/did not stop/);
    expect(pids.filter(alive)).toEqual([]);
    for (const f of readdirSync(join(dir, 'logs')).filter((f) => f.startsWith('agent-'))) {
      expect(readFileSync(join(dir, 'logs', f), 'utf8'), f).toMatch(/agent stopped/);
    }
  }, 240_000);
});
