/**
 * `retrace trace --nats URL --run ID` on a real nats-server, for a run that is not live: an ended
 * run is shown from its manifest in KV `retrace-runs` (or the trace file it names) and the command
 * exits; a run never seen fails with exit 2 once the wait is over; a run whose end is written to
 * its manifest only (the `run.status` event missed) still ends the follower.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buckets, MemoryBus, NatsBus, token } from '../../src/bus/mod.ts';
import type { RunManifest } from '../../src/run/run-job.ts';
import { startRecorder } from '../../src/trace/mod.ts';
import { startNatsServer, type NatsServerHandle } from '../support/nats-server.ts';
import { Processes } from '../support/processes.ts';
import { tempDir } from '../support/tmp.ts';
import { waitFor } from '../support/wait.ts';

let server: NatsServerHandle;
let bus: NatsBus;
const procs = new Processes();

beforeAll(async () => {
  server = await startNatsServer();
  bus = await NatsBus.connect({ servers: server.url });
});

afterAll(async () => {
  await procs.stopAll();
  await bus?.close();
  await server?.stop();
});

function manifest(run: string, status: RunManifest['status'], more: Partial<RunManifest> & { trace?: string } = {}): RunManifest {
  return { run, status, repo: 'mini', files: 6, done: 6, started: '2026-01-01T00:00:00.000Z', updated: '2026-01-01T00:01:00.000Z', ...more };
}

async function putManifest(m: RunManifest): Promise<void> {
  await (await bus.kv<RunManifest>(buckets.runs)).put(token(m.run), m);
}

const trace = (run: string, ...more: string[]) => procs.start(`${run}-${more.join('')}`, ['trace', '--nats', server.url, '--run', run, ...more]);

describe('retrace trace --nats --run', () => {
  it('shows a finished run from its manifest and exits 0', async () => {
    await putManifest(manifest('done1', 'finished', { failures: 1 }));
    const p = trace('done1');
    expect(await p.exited, p.output()).toBe(0);
    expect(p.output()).toMatch(/^run done1 finished · 6\/6 files · 1 failed · repo mini/m);
  });

  it('renders the trace file a finished run names, in the format asked for', async () => {
    const file = join(tempDir('retrace-follow-'), 'done2.trace.jsonl');
    const mem = new MemoryBus();
    const rec = await startRecorder(mem, 'done2', file);
    await mem.publish('retrace.done2.work.coder', { type: 'agent.work', body: { job: 'coder:x' }, sender: 'conductor' });
    await waitFor(() => rec.count === 1, 'the message recorded');
    await rec.stop();
    await mem.close();
    await putManifest(manifest('done2', 'finished', { trace: file }));
    const p = trace('done2', '--format', 'mermaid');
    expect(await p.exited, p.output()).toBe(0);
    expect(p.output()).toContain('participant C as conductor');
  });

  it('shows a failed run and exits 1', async () => {
    await putManifest(manifest('lost1', 'failed', { error: 'the planner never answered' }));
    const p = trace('lost1');
    expect(await p.exited, p.output()).toBe(1);
    expect(p.output()).toMatch(/run lost1 failed: the planner never answered/);
  });

  it('fails on a run never seen with exit 2 once the wait is over', async () => {
    const p = trace('nobody', '--wait', '1');
    expect(await p.exited, p.output()).toBe(2);
    expect(p.output()).toMatch(/no run "nobody" on .*: it has no manifest in retrace-runs and sent nothing within 1s/);
  });

  it('ends when the manifest of a running run says it finished', async () => {
    await putManifest(manifest('live1', 'started', { done: 2 }));
    const p = trace('live1');
    await procs.ready([p.name], /following run live1 \(running\)/);
    await putManifest(manifest('live1', 'finished'));
    expect(await p.exited, p.output()).toBe(0);
    expect(p.output()).toMatch(/run live1 finished · 0 messages/);
  });

  it('waits for a run that starts after it, and follows it', async () => {
    const p = trace('late1');
    await procs.ready([p.name], /following run late1 \(not known yet: waiting up to 60s/);
    await bus.publish('retrace.late1.event.run', { type: 'run.status', body: { run: 'late1', status: 'started', repo: 'mini', files: 1 }, sender: 'run' });
    await bus.publish('retrace.late1.event.run', { type: 'run.status', body: { run: 'late1', status: 'finished', repo: 'mini', files: 1 }, sender: 'run' });
    expect(await p.exited, p.output()).toBe(0);
    expect(p.output()).toMatch(/run late1 finished · 2 messages/);
  });
});
