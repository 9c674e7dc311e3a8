/**
 * An agent started by npx, whose wrapper is killed outright (npx runs it under `sh -c`, and
 * killing npx kills the shell only), does not run on orphaned: it sees its parent go, drains, and
 * exits. One started in the background by a script that exits (services/launch.sh) runs on.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNatsServer, type NatsServerHandle } from '../support/nats-server.ts';
import { sleep, waitFor } from '../support/wait.ts';

const bin = join(import.meta.dirname, '../../bin/retrace.js');
let server: NatsServerHandle;
const started: number[] = [];

beforeAll(async () => {
  server = await startNatsServer();
});
afterAll(async () => {
  for (const pid of started) if (running(pid)) process.kill(pid, 'SIGKILL');
  await server?.stop();
});

/** Whether `pid` is a live process (an exited one waiting to be reaped is not). */
function running(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return false;
  try {
    return !/^\d+ \(.*\) [ZX] /.test(readFileSync(stat, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * `sh` starting the agent in the background and waiting on it: the agent's pid, and all it
 * printed. `npx`: the environment npx gives the processes it starts.
 */
function agentUnderShell(npx: boolean): { shell: ReturnType<typeof spawn>; pid: () => number | undefined; output: () => string } {
  const cmd = `"${process.execPath}" "${bin}" agent planner --nats ${server.url} --log-level info & echo "agent-pid $!"; wait`;
  const { npm_lifecycle_event: _e, ...env } = process.env;
  const shell = spawn('sh', ['-c', cmd], { stdio: ['ignore', 'pipe', 'pipe'], env: npx ? { ...env, npm_lifecycle_event: 'npx' } : env });
  let out = '';
  shell.stdout!.on('data', (d) => (out += d));
  shell.stderr!.on('data', (d) => (out += d));
  const pid = () => {
    const m = /agent-pid (\d+)/.exec(out);
    return m ? Number(m[1]) : undefined;
  };
  return { shell, pid, output: () => out };
}

/** Starts the agent under `sh`, waits until it is ready, kills the shell outright: the agent's pid. */
async function orphan(a: ReturnType<typeof agentUnderShell>): Promise<number> {
  await waitFor(() => /agent planner ready/.test(a.output()), 'the agent to be ready', 60_000);
  const pid = a.pid()!;
  started.push(pid);
  a.shell.kill('SIGKILL');
  return pid;
}

describe('an agent whose parent goes away', { timeout: 90_000 }, () => {
  it('started by npx, drains and exits instead of running on orphaned', async () => {
    const a = agentUnderShell(true);
    const pid = await orphan(a);
    await waitFor(() => !running(pid), 'the orphaned agent to exit', 20_000);
    expect(a.output()).toMatch(/"reason":"parent-gone".*draining/);
    expect(a.output()).toMatch(/agent stopped/);
  });

  it('started in the background by a script, runs on', async () => {
    const a = agentUnderShell(false);
    const pid = await orphan(a);
    await sleep(3000);
    expect(running(pid)).toBe(true);
    expect(a.output()).not.toMatch(/draining/);
    process.kill(pid, 'SIGTERM');
    await waitFor(() => !running(pid), 'the agent to drain on SIGTERM', 20_000);
    expect(a.output()).toMatch(/"reason":"SIGTERM".*draining/);
  });
});
