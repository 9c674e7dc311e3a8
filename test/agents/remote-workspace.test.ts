/**
 * A workspace taken from the graph service (snapshot + texts over the bus) is the workspace an
 * agent builds by indexing the repository itself: the same writing order, facts, chunks, summary,
 * checks environment and context — on a fixture and on a real package nobody here wrote. A wrong
 * version, no graph service, or no bus are clear errors; texts larger than one reply take several.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryBus, RemoteError } from '../../src/bus/mod.ts';
import { RepoUnavailableError, Workspace, Workspaces } from '../../src/agents/workspace.ts';
import { GraphClient, indexRepo, RepoTexts, serveGraph } from '../../src/graph/mod.ts';

const repoRoot = join(import.meta.dirname, '../..');
const tmp = mkdtempSync(join(tmpdir(), 'retrace-remote-ws-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function served(root: string, name: string, maxReplyBytes?: number) {
  const bus = new MemoryBus();
  const graph = await indexRepo(root, { cache: false });
  const handle = await serveGraph({ bus, graph, repo: name, ...(maxReplyBytes ? { maxReplyBytes } : {}) });
  return { bus, handle };
}

function sameWorkspace(local: Workspace, remote: Workspace): void {
  expect(remote.order).toEqual(local.order);
  expect(remote.summary()).toEqual(local.summary());
  for (const path of local.order) {
    expect(remote.read(path)).toBe(local.read(path));
    expect(remote.facts(path)).toEqual(local.facts(path));
    expect(remote.chunks(path)).toEqual(local.chunks(path));
    expect(remote.readsFor(path)).toEqual(local.readsFor(path));
    expect(remote.contextMap(path)).toBe(local.contextMap(path));
  }
  expect([...remote.knownIdentifiers()].sort()).toEqual([...local.knownIdentifiers()].sort());
  expect(JSON.stringify(remote.env(), (_k, v) => (v instanceof Set ? [...v].sort() : v instanceof Map ? [...v.entries()] : v))).toBe(
    JSON.stringify(local.env(), (_k, v) => (v instanceof Set ? [...v].sort() : v instanceof Map ? [...v.entries()] : v)),
  );
}

describe('a workspace from the graph service', () => {
  for (const [name, root, replyBytes] of [
    ['mini', join(repoRoot, 'test/agents/fixtures/mini'), undefined],
    // Replies of 16 kB: the snapshot and the texts each take several.
    ['commander', join(repoRoot, 'node_modules/commander'), 16_384],
  ] as const) {
    it(`is the locally indexed workspace (${name}${replyBytes ? `, replies of ${replyBytes} bytes` : ''})`, async () => {
      const { bus, handle } = await served(root, name, replyBytes);
      const asked = new Map<string, number>();
      bus.subscribe('retrace.graph.>', (m) => void asked.set(m.subject, (asked.get(m.subject) ?? 0) + 1));
      const local = await Workspace.open({ name, root }, { cacheDir: join(tmp, 'cache') });
      // The root the agent is given does not exist: nothing may be read from the file system.
      const remote = await new Workspaces({ bus }).get({ name, root: '/nonexistent/elsewhere', graph: name });
      expect(local.order.length).toBeGreaterThan(2);
      sameWorkspace(local, remote);
      expect(remote.repo.digest).toMatch(/^[0-9a-f]{64}$/);
      if (replyBytes) {
        expect(asked.get(`retrace.graph.${name}.snapshot`)).toBeGreaterThan(2);
        expect(asked.get(`retrace.graph.${name}.source`)).toBeGreaterThan(2);
      }
      await handle.stop();
    });
  }

  it('refuses another version of the repository, a missing service, and a process without a bus', async () => {
    const root = join(repoRoot, 'test/agents/fixtures/mini');
    const { bus, handle } = await served(root, 'mini');
    const ref = { name: 'mini', root, graph: 'mini', digest: 'f'.repeat(64) };
    await expect(Workspace.open(ref, { bus })).rejects.toThrow(/serves another version of mini/);
    // A service that never comes is waited for as long as an outage may last: here, half a second.
    process.env.RETRACE_OUTAGE_MS = '500';
    try {
      await expect(Workspace.open({ ...ref, graph: 'other', digest: undefined }, { bus })).rejects.toThrow(RepoUnavailableError);
      await expect(Workspace.open({ ...ref, graph: 'other', digest: undefined }, { bus })).rejects.toThrow(/graph service "other" did not answer/);
    } finally {
      delete process.env.RETRACE_OUTAGE_MS;
    }
    await expect(Workspace.open(ref)).rejects.toThrow(/no bus to reach it/);
    await handle.stop();
  });

  it('sends texts larger than one reply in several, and names unknown files', async () => {
    const root = join(tmp, 'large');
    mkdirSync(root, { recursive: true });
    // Six files of 900 kB: more than one 4 MiB reply.
    for (let i = 0; i < 6; i++) writeFileSync(join(root, `data${i}.txt`), `${String(i).repeat(899_999)}\n`);
    const graph = await indexRepo(root, { cache: false });
    expect(graph.data.files).toHaveLength(6);
    const texts = new RepoTexts(graph);
    const paths = graph.data.files.map((f) => f.path);
    expect(texts.sources(paths, 4 * 1024 * 1024).length).toBe(4);
    expect(texts.sources(paths, 10).length).toBe(1);

    const bus = new MemoryBus();
    const handle = await serveGraph({ bus, graph, repo: 'large', texts });
    const client = new GraphClient(bus, 'large');
    const got = await client.sources(paths);
    expect(got.map((t) => t.length)).toEqual(paths.map(() => 900_000));
    expect(got[5]!.startsWith('5')).toBe(true);
    const err = await client.sources(['missing.txt']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteError);
    expect((err as RemoteError).message).toMatch(/no such file in the repo graph: missing\.txt/);
    await handle.stop();
  });
});

describe('workspaces of a long-lived process', () => {
  it('index a repository again when the run names another version, and refuse a copy that differs from the run\'s', async () => {
    const root = join(tmp, 'changing');
    mkdirSync(join(root, 'src'), { recursive: true });
    writeFileSync(join(root, 'src/a.js'), 'export const a = 1;\n');
    writeFileSync(join(root, 'src/b.js'), "import { a } from './a.js';\nexport const b = a + 1;\n");
    const cache = { cacheDir: join(tmp, 'cache-changing') };
    const workspaces = new Workspaces(cache);
    const first = await workspaces.get({ name: 'changing', root });
    const v1 = first.digest();
    expect(await workspaces.get({ name: 'changing', root, digest: v1 })).toBe(first);

    // The files change between two runs; the next run names the new version.
    writeFileSync(join(root, 'src/a.js'), 'export const a = 41;\nexport const c = 2;\n');
    const v2 = (await Workspace.open({ name: 'changing', root }, cache)).digest();
    expect(v2).not.toBe(v1);
    const second = await workspaces.get({ name: 'changing', root, digest: v2 });
    expect(second).not.toBe(first);
    expect(second.read('src/a.js')).toContain('a = 41');
    expect(second.facts('src/a.js').definitions.map((d) => d.name)).toEqual(['a', 'c']);

    // A run whose files this process does not have.
    await expect(workspaces.get({ name: 'changing', root, digest: v1 })).rejects.toThrow(/is not the version of changing the run works on/);
  });

  it('keep the most recently used, and drop the rest', async () => {
    const workspaces = new Workspaces({ cacheDir: join(tmp, 'cache-lru') }, 2);
    const mini = { name: 'mini', root: join(repoRoot, 'test/agents/fixtures/mini') };
    const commander = { name: 'commander', root: join(repoRoot, 'node_modules/commander') };
    const xstate = { name: 'xstate', root: join(repoRoot, 'node_modules/xstate') };
    const m1 = await workspaces.get(mini);
    await workspaces.get(commander);
    expect(await workspaces.get(mini)).toBe(m1); // used again: now the most recent
    const c1 = await workspaces.get(commander);
    await workspaces.get(xstate); // drops the least recent: mini
    expect(await workspaces.get(commander)).toBe(c1);
    expect(await workspaces.get(mini)).not.toBe(m1);
  });
});
