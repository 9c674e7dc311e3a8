/**
 * `retrace corpus --nats` on a real 3-node JetStream cluster: two drivers share one corpus and
 * each packs the shards of the single-machine run; a driver killed mid-repository leaves it to
 * another, which resumes it from the checkpoint the first uploaded.
 */
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNatsCluster, type NatsClusterHandle } from '../support/nats-cluster.ts';
import { natsServerAvailable } from '../support/nats-server.ts';
import { Processes } from '../support/processes.ts';
import { tempDir } from '../support/tmp.ts';
import { waitFor } from '../support/wait.ts';

const nodeModules = join(import.meta.dirname, '../../node_modules');
const scratch = tempDir('retrace-corpus-cluster-');
const holder = join(scratch, 'repos');
const list = join(scratch, 'more.txt');
const settings = ['--budget', '0', '--seed', '5'];
let cluster: NatsClusterHandle;
let procs: Processes;
let reference: string;

const shardsOf = (dir: string) => readdirSync(join(dir, 'data')).filter((n) => n.endsWith('.parquet')).sort().map((n) => readFileSync(join(dir, 'data', n)));
const manifest = (dir: string) => readFileSync(join(dir, 'manifest.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { key: string; status: string; driver?: string; figures?: { resumedResults: number } });

async function corpus(name: string, args: string[], inputs = [holder, list]): Promise<{ code: number | null; out: string }> {
  const p = procs.start(name, ['corpus', ...inputs, ...settings, ...args]);
  return { code: await p.exited, out: p.output() };
}

function expectSameShards(dir: string, ref = reference): void {
  const got = shardsOf(dir);
  const want = shardsOf(ref);
  expect(got.length).toBe(want.length);
  got.forEach((b, i) => expect(b.equals(want[i]!)).toBe(true));
}

beforeAll(async () => {
  for (const pkg of ['dequal', 'ansi-regex', 'color-name', 'ini']) cpSync(join(nodeModules, pkg), join(holder, pkg), { recursive: true });
  cpSync('/usr/lib/python3.11/json', join(scratch, 'json'), { recursive: true, filter: (p) => !p.includes('__pycache__') });
  writeFileSync(list, 'json\n');
  cluster = await startNatsCluster({ size: 3 });
  await cluster.ready();
  procs = new Processes({ ...process.env, RETRACE_NATS_REPLICAS: '3' });
  reference = join(scratch, 'single');
  const single = await corpus('single', ['--out-dir', reference]);
  expect(single.code, single.out).toBe(0);
}, 240_000);

afterAll(async () => {
  await procs?.stopAll();
  await cluster?.stop();
});

describe.skipIf(!natsServerAvailable())('retrace corpus over a NATS cluster', () => {
  it('two drivers split the corpus and each writes the shards of the single-machine run', async () => {
    const nats = ['--nats', cluster.urls.join(','), '--corpus', 'split'];
    const [a, b] = await Promise.all([corpus('driver-a', ['--out-dir', join(scratch, 'a'), ...nats]), corpus('driver-b', ['--out-dir', join(scratch, 'b'), ...nats])]);
    expect(a.code, a.out).toBe(0);
    expect(b.code, b.out).toBe(0);
    expectSameShards(join(scratch, 'a'));
    expectSameShards(join(scratch, 'b'));
    const drivers = new Set(manifest(join(scratch, 'a')).map((o) => o.driver));
    expect(drivers.size).toBe(2);
    expect(manifest(join(scratch, 'b')).map((o) => o.driver)).toEqual(manifest(join(scratch, 'a')).map((o) => o.driver));
  }, 240_000);

  it("a driver killed mid-repository: another takes the repository after the ack wait and resumes it from the first's checkpoint", async () => {
    // A repository long enough to be killed in (commander: tens of files) and a small one.
    const inputs = [join(scratch, 'commander'), join(scratch, 'json')];
    cpSync(join(nodeModules, 'commander'), inputs[0]!, { recursive: true });
    const ref = join(scratch, 'single-2');
    expect((await corpus('single-2', ['--out-dir', ref], inputs)).code).toBe(0);
    const nats = ['--nats', cluster.urls.join(','), '--corpus', 'killed', '--ack-wait', '3000', '--jobs', '1'];
    const first = procs.start('first', ['corpus', ...inputs, ...settings, '--out-dir', join(scratch, 'first'), ...nats]);
    // The repository is under way, and its checkpoint has been uploaded (a heartbeat is 1 s).
    const checkpoint = join(scratch, 'first/repos/commander/records.jsonl.gz.checkpoint');
    await waitFor(() => existsSync(checkpoint) && readFileSync(checkpoint, 'utf8').split('\n').length > 3, 'a checkpointed repository', 120_000);
    await new Promise((r) => setTimeout(r, 1500));
    if (!existsSync(checkpoint)) throw new Error(`the repository finished before it could be killed:\n${first.output()}`);
    first.child.kill('SIGKILL');
    await first.exited;
    const second = await corpus('second', ['--out-dir', join(scratch, 'second'), ...nats], inputs);
    expect(second.code, second.out).toBe(0);
    expect(manifest(join(scratch, 'second')).find((o) => o.key === 'commander')?.figures?.resumedResults).toBeGreaterThan(0);
    expectSameShards(join(scratch, 'second'), ref);
    // The killed driver, started again, finds the corpus done and packs the same shards.
    const again = await corpus('first-again', ['--out-dir', join(scratch, 'first'), ...nats], inputs);
    expect(again.code, again.out).toBe(0);
    expect(again.out).toMatch(/2 by an earlier run/);
    expectSameShards(join(scratch, 'first'), ref);
  }, 240_000);

  it('lists the corpora and a corpus\'s repositories with retrace runs', async () => {
    const listed = procs.start('corpora', ['runs', '--nats', cluster.urls.join(','), '--corpora', '--json']);
    expect(await listed.exited, listed.output()).toBe(0);
    const corpora = JSON.parse(listed.output().trim().split('\n').at(-1)!) as Array<{ id: string; repositories: number; finished: number; failed: number; pending: number }>;
    expect(corpora.find((c) => c.id === 'split')).toMatchObject({ repositories: 5, finished: 5, failed: 0, pending: 0 });
    const repos = procs.start('repos', ['runs', '--nats', cluster.urls.join(','), '--corpus', 'split']);
    expect(await repos.exited).toBe(0);
    expect(repos.output()).toMatch(/^dequal {2}finished, \d+ files, \d+ tokens trained by \S+:\d+ {2}\/.*dequal$/m);
    const unknown = procs.start('unknown', ['runs', '--nats', cluster.urls.join(','), '--corpus', 'nope']);
    expect(await unknown.exited).toBe(2);
    expect(unknown.output()).toMatch(/no corpus "nope"/);
  }, 60_000);
});
