/**
 * End-to-end benchmark of `retrace run` on a real package, embedded preset: files and MB of
 * source per minute, where the time goes (indexing, search and scoring, dataset I/O, and the rest:
 * agents, checks and the bus), and peak RSS. References measured side by side in the same run,
 * each in its own process so peak RSS is its own: the same run with no search (budget 0), and
 * indexing alone (`retrace graph`). Also RSS as the files go by, to show memory does not grow
 * with the number of files done (the dataset is streamed).
 *
 *   npx tsx bench/run.ts [--repo node_modules/pino] [--budget 32]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runJob } from '../src/run/run-job.ts';

const { values } = parseArgs({
  options: {
    repo: { type: 'string', default: 'node_modules/pino' },
    budget: { type: 'string', default: '32' },
    child: { type: 'string' },
  },
});
const repo = resolve(values.repo!);
const budget = Number(values.budget);
const tmp = mkdtempSync(join(tmpdir(), 'retrace-bench-run-'));

async function child(kind: string): Promise<void> {
  const rss: number[] = [];
  const b = kind === 'nosearch' ? 0 : budget;
  const s = await runJob({
    repoPath: repo,
    out: join(tmp, `${kind}.jsonl`),
    seed: 1,
    budget: b,
    faultRate: 0.1,
    resume: false,
    progress: { phase() {}, file: (done, total) => { if ([0.25, 0.5, 0.75, 1].some((q) => done === Math.ceil(q * total))) rss.push(process.memoryUsage().rss); } },
  });
  process.stdout.write(JSON.stringify({ ...s, rssAtQuartiles: rss, skipped: s.skipped.length, verify: s.verify?.every((v) => v.ok) }) + '\n');
}

function runChild(kind: string): Record<string, unknown> & { ms: Record<string, number>; peakRssBytes: number } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--child', kind, '--repo', repo, '--budget', String(budget)], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${kind} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

async function main(): Promise<void> {
  if (values.child) return child(values.child);
  const graph = spawnSync(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, '../src/cli/main.ts'), 'graph', repo, '--json'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const t0 = performance.now();
  spawnSync(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, '../src/cli/main.ts'), 'graph', repo, '--json'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const indexMs = performance.now() - t0;
  if (graph.status !== 0) throw new Error(`retrace graph failed: ${graph.stderr}`);
  const full = runChild('full');
  const nosearch = runChild('nosearch');
  const bytes = Number((spawnSync('du', ['-sb', '--exclude=node_modules', repo], { encoding: 'utf8' }).stdout.split('\t')[0]));
  const mins = (ms: number) => ms / 60_000;
  const f = full as unknown as { files: number; steps: number; ms: Record<string, number>; peakRssBytes: number; rssAtQuartiles: number[]; verify: boolean; scorerCalls: number };
  const n = nosearch as unknown as typeof f;
  const share = (x: number) => `${((100 * x) / f.ms.total!).toFixed(1)}%`;
  const rest = f.ms.files! - f.ms.search! - f.ms.io!;
  console.log(`repo ${repo} (${(bytes / 1e6).toFixed(2)} MB on disk), ${f.files} files, budget ${budget}, verified: ${f.verify}`);
  console.log(`end to end: ${(f.ms.total! / 1000).toFixed(1)} s = ${(f.files / mins(f.ms.total!)).toFixed(1)} files/min, ${(bytes / 1e6 / mins(f.ms.total!)).toFixed(2)} MB/min; ${f.steps} steps, ${f.scorerCalls} scorer calls`);
  console.log(`where the time goes: index ${share(f.ms.index!)}, plan+design ${share(f.ms.plan!)}, search+scoring ${share(f.ms.search!)}, dataset+checkpoint I/O ${share(f.ms.io!)}, agents+checks+bus ${share(rest)}, verify ${share(f.ms.verify!)}`);
  console.log(`peak RSS ${(f.peakRssBytes / 2 ** 20).toFixed(0)} MiB; RSS at 25/50/75/100% of files: ${f.rssAtQuartiles.map((r) => (r / 2 ** 20).toFixed(0)).join(' / ')} MiB`);
  console.log(`reference, no search (budget 0): ${(n.ms.total! / 1000).toFixed(1)} s, peak RSS ${(n.peakRssBytes / 2 ** 20).toFixed(0)} MiB -> full run / no-search run = ${(f.ms.total! / n.ms.total!).toFixed(2)}x`);
  console.log(`reference, indexing alone (retrace graph, warm cache, own process): ${(indexMs / 1000).toFixed(1)} s -> full run / indexing = ${(f.ms.total! / indexMs).toFixed(1)}x`);
  rmSync(tmp, { recursive: true, force: true });
}

await main();
