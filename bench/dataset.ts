/**
 * What trainer-ready output costs: tokenizing, packing and Parquet (or zstd JSONL) writing, against
 * writing JSON Lines alone (format 1: steps flattened, no tokenizer), over the same steps of a real
 * run, side by side in one process; the ratio is then put against the run's own time. Peak memory
 * while packing, each side in its own process so the peak is its own.
 *
 *   npx tsx bench/dataset.ts [--repo /usr/share/go-1.19/src/crypto] [--budget 4]
 *
 * The run is made once (embedded preset); its steps are read back and grouped into the units the
 * writer got (a run of steps with one role and one path is one job), then written both ways.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Step } from '../src/agents/types.ts';
import { flatten, renderStep } from '../src/dataset/format.ts';
import { openSink, readRecords } from '../src/dataset/io/mod.ts';
import type { DatasetRecordV2 } from '../src/dataset/record.ts';
import { loadTokenizer } from '../src/dataset/tokenizer.ts';
import { DatasetWriter } from '../src/dataset/writer.ts';
import { runJob } from '../src/run/run-job.ts';

const { values } = parseArgs({
  options: {
    repo: { type: 'string', default: '/usr/share/go-1.19/src/crypto' },
    budget: { type: 'string', default: '4' },
    child: { type: 'string' },
    steps: { type: 'string' },
  },
});

type Unit = Step[];

/** The largest RSS seen while writing, sampled as the writer goes (after each unit and record). */
let writingPeak = 0;
const sample = (): void => {
  writingPeak = Math.max(writingPeak, process.memoryUsage().rss);
};

async function unitsOf(file: string): Promise<{ units: Unit[]; repo: DatasetRecordV2['repo']; run: DatasetRecordV2['run'] }> {
  const units: Unit[] = [];
  let first: DatasetRecordV2 | undefined;
  let key = '';
  for await (const { record } of readRecords(file)) {
    const rec = record as DatasetRecordV2;
    first ??= rec;
    for (const { index: _index, ...s } of rec.steps) {
      const k = `${s.role} ${s.path ?? ''}`;
      if (k !== key || units.length === 0) units.push([]);
      key = k;
      units[units.length - 1]!.push(s);
    }
  }
  return { units, repo: first!.repo, run: first!.run };
}

/** Format 1's writer, as it was: records of about 16k tokens at 4 characters a token, one JSON line each. */
function writeJsonlAlone(units: Unit[], out: string): void {
  const fd = openSync(out, 'w');
  let pending: Step[] = [];
  let chars = 0;
  let index = 0;
  const flush = () => {
    const { text, mask } = flatten(pending);
    writeSync(fd, JSON.stringify({ id: `r#${index++}`, format: 1, steps: pending, text, mask, stats: { chars: text.length } }) + '\n');
    sample();
    pending = [];
    chars = 0;
  };
  for (const u of units) {
    for (const s of u) {
      const len = renderStep(s).length;
      if (pending.length > 0 && (chars + len) / 4 > 16384) flush();
      pending.push(s);
      chars += len;
    }
  }
  if (pending.length > 0) flush();
  closeSync(fd);
}

async function writeTrainerReady(units: Unit[], meta: Awaited<ReturnType<typeof unitsOf>>, dir: string, format: 'jsonl' | 'parquet'): Promise<number> {
  const tokenizer = loadTokenizer();
  const w = new DatasetWriter({
    tokenizer,
    contextTokens: 65_536,
    tokenIds: true,
    untrained: new Map(),
    repo: meta.repo,
    run: { id: meta.run.id, seed: meta.run.seed, budget: meta.run.budget, fault_rate: meta.run.fault_rate, scorer: meta.run.scorer, search: meta.run.search },
    spool: join(dir, `${format}.spool`),
  });
  for (const u of units) {
    w.add(u);
    sample();
  }
  const out = format === 'parquet' ? join(dir, 'shards') : join(dir, 'data.jsonl.zst');
  const totals = await w.finish(await openSink(out, { format }), sample);
  return totals.records;
}

/** One side in its own process: its time and peak RSS. */
async function child(kind: string, stepsFile: string): Promise<void> {
  const meta = await unitsOf(stepsFile);
  const dir = mkdtempSync(join(tmpdir(), `retrace-bench-dataset-${kind}-`));
  loadTokenizer(); // loading the vocabulary once per process is not the packing's cost
  const rssBefore = process.memoryUsage().rss;
  writingPeak = rssBefore;
  const t0 = performance.now();
  let records = 0;
  if (kind === 'jsonl-alone') writeJsonlAlone(meta.units, join(dir, 'data.jsonl'));
  else records = await writeTrainerReady(meta.units, meta, dir, kind === 'parquet' ? 'parquet' : 'jsonl');
  const ms = performance.now() - t0;
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify({ kind, ms, records, rssBefore, peakRss: writingPeak, units: meta.units.length }) + '\n');
}

function runChild(kind: string, stepsFile: string): { kind: string; ms: number; records: number; rssBefore: number; peakRss: number; units: number } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--child', kind, '--steps', stepsFile], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${kind} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

async function main(): Promise<void> {
  if (values.child) return child(values.child, values.steps!);
  const repo = resolve(values.repo!);
  const tmp = mkdtempSync(join(tmpdir(), 'retrace-bench-dataset-'));
  const out = join(tmp, 'run.jsonl');
  const s = await runJob({ repoPath: repo, out, seed: 1, budget: Number(values.budget), faultRate: 0.1, resume: false });
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
  console.log(`repo ${repo}: ${s.files} files, ${s.steps} steps, ${s.records} records, ${s.tokens} tokens; run ${(s.ms.total / 1000).toFixed(1)} s at budget ${values.budget} (verified: ${s.verify?.every((v) => v.ok)})`);
  const alone = runChild('jsonl-alone', out);
  for (const kind of ['parquet', 'jsonl-zst']) {
    const c = runChild(kind, out);
    const extra = c.ms - alone.ms;
    console.log(
      `${kind}, ${c.records} records: tokenize+pack+write ${(c.ms / 1000).toFixed(2)} s vs JSONL alone ${(alone.ms / 1000).toFixed(2)} s = ${(c.ms / alone.ms).toFixed(2)}x; ` +
        `a run with it / with JSONL alone = ${(s.ms.total / (s.ms.total - extra)).toFixed(3)}x (target <= 1.3x); ` +
        `RSS while writing: peak ${mib(c.peakRss)} (${mib(c.peakRss - c.rssBefore)} over the ${mib(c.rssBefore)} before, the run's steps and the tokenizer loaded) vs JSONL alone ${mib(alone.peakRss)} (${mib(alone.peakRss - alone.rssBefore)} over)`,
    );
  }
  rmSync(tmp, { recursive: true, force: true });
}

await main();
