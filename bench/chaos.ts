/**
 * Seeded kills at scale (issue 17, item 1): the layout of test/support/chaos.ts (a graph service,
 * a search service, a scoring node, an agent per role, the driver, on one real nats-server), then
 * N trials, each killing a drawn kind of process at a drawn moment of a run and restarting it;
 * every run is compared byte for byte with the embedded run of its seed and run id. The reference
 * is the clean calibration run's wall time, measured in the same layout.
 *
 *   npx tsx bench/chaos.ts [--trials 30] [--seed 1] [--repo DIR --name NAME] [--budget 4]
 */
import { parseArgs } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChaosLayout, KINDS, type Kind, type TrialResult } from '../test/support/chaos.ts';
import { startNatsServer } from '../test/support/nats-server.ts';

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '30' },
    seed: { type: 'string', default: '1' },
    repo: { type: 'string', default: join(import.meta.dirname, '../test/agents/fixtures/mini') },
    name: { type: 'string', default: 'mini' },
    budget: { type: 'string', default: '4' },
  },
});

function table(results: TrialResult[]): string {
  const rows = results.map((r) => `| ${r.trial} | ${r.kind} | ${r.atMessage} | ${r.downMs} | ${r.killed ? 'yes' : 'no'} | ${r.exitCode} | ${r.identical ? 'yes' : '**no**'} | ${(r.wallMs / 1000).toFixed(1)} |`);
  return ['| trial | killed | at message | down ms | kill landed | exit | identical | wall s |', '|---:|---|---:|---:|---|---:|---|---:|', ...rows].join('\n');
}

function perKind(results: TrialResult[]): string {
  const lines = KINDS.map((k: Kind) => {
    const of = results.filter((r) => r.kind === k);
    const ok = of.filter((r) => r.identical).length;
    return `| ${k} | ${of.length} | ${of.filter((r) => r.killed).length} | ${ok} |`;
  });
  return ['| kind | trials | kills landed | identical |', '|---|---:|---:|---:|', ...lines].join('\n');
}

async function main(): Promise<void> {
  const server = await startNatsServer();
  const tmp = mkdtempSync(join(tmpdir(), 'retrace-bench-chaos-'));
  const seed = Number(values.seed);
  const layout = new ChaosLayout({ natsUrl: server.url, repo: values.repo!, name: values.name!, tmp, seed, budget: Number(values.budget), faultRate: 0.5, ackWaitMs: 2000 });
  const t0 = Date.now();
  try {
    await layout.start();
    console.log(`layout up in ${((Date.now() - t0 - layout.cleanRunMs) / 1000).toFixed(1)} s; the clean run ${(layout.cleanRunMs / 1000).toFixed(1)} s; trigger counts: ${JSON.stringify(Object.fromEntries(layout.triggerCounts()))}`);
    const results: TrialResult[] = [];
    for (let i = 0; i < Number(values.trials); i++) {
      const r = await layout.trial(i);
      results.push(r);
      console.log(`trial ${i}: ${r.kind} at message ${r.atMessage}, down ${r.downMs} ms: exit ${r.exitCode}, ${r.identical ? 'identical' : 'DIFFERENT'} (${(r.wallMs / 1000).toFixed(1)} s)`);
      if (!r.identical) console.log(r.output.split('\n').slice(-15).join('\n'));
    }
    const meanS = results.reduce((a, r) => a + r.wallMs, 0) / results.length / 1000;
    console.log(`\n${table(results)}\n\n${perKind(results)}\n`);
    console.log(`identical: ${results.filter((r) => r.identical).length} of ${results.length}; kills landed: ${results.filter((r) => r.killed).length}; mean trial ${meanS.toFixed(1)} s, ${(meanS / (layout.cleanRunMs / 1000)).toFixed(2)}x the clean run`);
  } finally {
    await layout.stop();
    await server.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
