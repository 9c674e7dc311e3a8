/**
 * The five roles as separate processes (`retrace agent <role>`) on a real nats-server rebuild a
 * multi-language fixture: the writes replay to the repository exactly. The agents register as
 * micro services, a role's processes share its work, `retrace policy set` changes what they use,
 * and SIGTERM drains each process to exit 0.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsBus } from '../../src/bus/mod.ts';
import { ROLES } from '../../src/agents/types.ts';
import { Workspaces } from '../../src/agents/workspace.ts';
import { conduct } from '../../src/run/conductor.ts';
import { replay, verifyFiles } from '../../src/run/replay.ts';
import { startNatsServer, type NatsServerHandle } from '../support/nats-server.ts';
import { waitFor } from '../support/wait.ts';

const repoRoot = join(import.meta.dirname, '../..');
const bin = join(repoRoot, 'bin/retrace.js');
const fixture = join(import.meta.dirname, 'fixtures/mini');

let server: NatsServerHandle;
const children: ChildProcess[] = [];

function startAgent(role: string, instance: string): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [bin, 'agent', role, '--nats', server.url, '--instance', instance, '--ack-wait', '20000', '--log-level', 'warn'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

beforeAll(async () => {
  server = await startNatsServer();
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await server?.stop();
});

describe('agents as separate processes', () => {
  it('rebuild the fixture over NATS, register as services, and drain on SIGTERM', async () => {
    const set = spawnSync(process.execPath, [bin, 'policy', 'set', 'coder', '{"id":"grounded","params":{}}', '--nats', server.url], { encoding: 'utf8' });
    expect(set.status, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/coder -> grounded@\d+/);
    const revision = Number(/@(\d+)/.exec(set.stdout)![1]);

    const agents = [...ROLES.map((r) => startAgent(r, `${r}-a`)), startAgent('coder', 'coder-b')];
    await waitFor(() => agents.every((a) => /ready/.test(a.output())), 'every agent to be ready', 40_000);

    const bus = await NatsBus.connect({ servers: server.url });
    const found = await bus.discover('retrace-agent', { timeoutMs: 1000 });
    expect(found).toHaveLength(6);

    const workspaces = new Workspaces();
    const record = await conduct({ bus, workspaces, run: 'procs1', repo: { name: 'mini', root: fixture }, seed: 5, budget: 4, faultRate: 0.5, jobTimeoutMs: 30_000 });
    const files = (await workspaces.get({ name: 'mini', root: fixture })).graph.data.files.map((f) => f.path);
    const report = verifyFiles(replay(record.steps), fixture, files);
    expect(report.ok, JSON.stringify(report)).toBe(true);
    expect(record.failures).toEqual([]);
    expect(new Set(record.steps.map((s) => s.role))).toEqual(new Set(ROLES));
    // The coder processes followed the policy set from the command line.
    expect(new Set(record.steps.filter((s) => s.role === 'coder').map((s) => s.policy))).toEqual(new Set([`grounded@${revision}`]));

    const list = spawnSync(process.execPath, [bin, 'policy', 'list', '--nats', server.url], { encoding: 'utf8' });
    expect(list.stdout).toMatch(new RegExp(`coder\\s+grounded@${revision}`));

    for (const a of agents) a.child.kill('SIGTERM');
    const codes = await Promise.all(agents.map((a) => a.exited));
    expect(codes).toEqual(agents.map(() => 0));
    await bus.close();
  }, 120_000);
});
