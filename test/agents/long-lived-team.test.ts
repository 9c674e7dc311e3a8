/**
 * Agents outlive runs: a team that rebuilt a repository, then rebuilds it again under the same run
 * id after its files changed, produces what a fresh team produces on the changed files — its
 * workspaces are indexed again and its searches' scorers are not the ones trained on the old texts.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryBus } from '../../src/bus/mod.ts';
import { LocalRefiner } from '../../src/agents/refiner.ts';
import { Workspaces } from '../../src/agents/workspace.ts';
import { conduct } from '../../src/run/conductor.ts';
import { startTeam } from '../../src/run/embedded.ts';

const tmp = mkdtempSync(join(tmpdir(), 'retrace-long-lived-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function rebuild(bus: MemoryBus, root: string): Promise<string> {
  // The driver of each run indexes afresh, as `retrace run` does.
  const record = await conduct({ bus, workspaces: new Workspaces({ cacheDir: join(tmp, 'cache') }), run: 'same-id', repo: { name: 'mini', root }, seed: 3, budget: 8, faultRate: 0 });
  expect(record.failures).toEqual([]);
  return JSON.stringify(record.steps);
}

describe('a long-lived team', () => {
  it('rebuilds a changed repository as a fresh team does', async () => {
    const root = join(tmp, 'mini');
    cpSync(join(import.meta.dirname, 'fixtures/mini'), root, { recursive: true });
    const bus = new MemoryBus();
    const team = await startTeam({ bus, workspaces: new Workspaces({ cacheDir: join(tmp, 'cache') }), refiner: new LocalRefiner() });
    const before = await rebuild(bus, root);

    // math.ts is written early: every later file's search trains on it.
    const math = join(root, 'src/math.ts');
    writeFileSync(math, `${readFileSync(math, 'utf8')}\n/** The largest value. */\nexport function largest(values: number[]): number {\n  return Math.max(...values);\n}\n`);
    const again = await rebuild(bus, root);
    await team.stop();

    const freshBus = new MemoryBus();
    const fresh = await startTeam({ bus: freshBus, workspaces: new Workspaces({ cacheDir: join(tmp, 'cache') }), refiner: new LocalRefiner() });
    const expected = await rebuild(freshBus, root);
    await fresh.stop();

    expect(again).not.toBe(before);
    expect(again).toBe(expected);
  }, 60_000);
});
