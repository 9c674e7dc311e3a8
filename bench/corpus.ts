/**
 * Corpus throughput: `retrace corpus` against its reference, `retrace run` of each repository one
 * after another, on the same real repositories in the same run (bench/corpus/select.ts picks and
 * copies them: node_modules packages, Python's standard library, Go's sources, Debian's Rust
 * crates). Three passes, each a fresh process tree with a cold graph cache of its own:
 *
 *   (a) `retrace run <repo> --no-card --no-trace` per repository, one after another: the
 *       reference, writing what a corpus worker writes (records.jsonl.gz, no card, no trace);
 *   (b) `retrace corpus <list> --jobs 1` (its shards, manifest and card included);
 *   (c) `retrace corpus <list> --jobs 2`.
 *
 * Repositories per hour and trained tokens per hour of each, the ratios (b)/(a) and (c)/(a), CPU
 * seconds (user + system of the whole process tree), and peak RSS per job (each repository's
 * process: the run summary's, the manifest's figures.peakRssBytes). Each repository's records
 * from (b) and (c) are compared with (a)'s, decompressed, byte for byte.
 *
 * With `--rounds R` (default 2) the repositories are dealt into R slices, each slice runs all
 * three passes, in the order a, b, c and then c, b, a for the next, so load from other work on a
 * shared machine drifting over the bench falls on every pass alike; figures are summed.
 *
 *   npx tsx bench/corpus.ts [--repos 100] [--budget 4] [--rounds 2] [--max-files 12] [--max-kb 100] [--keep]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { candidates, copyRepository, pickMix, type Candidate, type Source } from './corpus/select.ts';

const { values } = parseArgs({
  options: {
    repos: { type: 'string', default: '100' },
    budget: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '2' },
    'min-files': { type: 'string', default: '3' },
    'max-files': { type: 'string', default: '12' },
    'max-kb': { type: 'string', default: '100' },
    keep: { type: 'boolean', default: false },
  },
});
const BIN = resolve(import.meta.dirname, '../bin/retrace.js');
const budget = String(Number(values.budget));
const rounds = Math.max(1, Number(values.rounds));

interface Timed {
  status: number | null;
  stdout: string;
  stderr: string;
  wallS: number;
  cpuS: number;
  /** The largest RSS of any one process of the tree (GNU time's %M). */
  maxRssBytes: number;
}

/** `node bin/retrace.js ...args` under /usr/bin/time, with its own graph cache. */
function retrace(args: string[], cache: string, timeFile: string): Timed {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S %M', '-o', timeFile, process.execPath, BIN, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    env: { ...process.env, XDG_CACHE_HOME: cache },
  });
  const wallS = (performance.now() - t0) / 1000;
  const [user, sys, kb] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, wallS, cpuS: user! + sys!, maxRssBytes: kb! * 1024 };
}

interface RepoFigures {
  key: string;
  ok: boolean;
  files: number;
  trainTokens: number;
  peakRssBytes: number;
  records: string;
}

interface Pass {
  name: string;
  wallS: number;
  cpuS: number;
  maxRssBytes: number;
  repos: RepoFigures[];
  /** Trained tokens in the corpus's shards (duplicates across repositories masked); runs: the sum. */
  packedTrainTokens: number;
}

const settings = ['--budget', budget, '--seed', '1'];

function runEach(repos: string[], keys: string[], dir: string): Pass {
  mkdirSync(dir, { recursive: true });
  const pass: Pass = { name: 'run', wallS: 0, cpuS: 0, maxRssBytes: 0, repos: [], packedTrainTokens: 0 };
  const cache = join(dir, 'cache');
  for (const [i, repo] of repos.entries()) {
    const out = join(dir, `${keys[i]}.jsonl.gz`);
    const t = retrace(['run', repo, '-o', out, '--no-card', '--no-trace', '--json', ...settings], cache, join(dir, 'time.txt'));
    pass.wallS += t.wallS;
    pass.cpuS += t.cpuS;
    pass.maxRssBytes = Math.max(pass.maxRssBytes, t.maxRssBytes);
    const line = t.stdout.trim().split('\n').pop() ?? '';
    const s = line.startsWith('{') ? (JSON.parse(line) as { files: number; trainTokens: number; peakRssBytes: number; failures: unknown[] }) : undefined;
    if (t.status !== 0) process.stderr.write(`run ${keys[i]}: exit ${t.status}: ${t.stderr.slice(-500)}\n`);
    pass.repos.push({ key: keys[i]!, ok: t.status === 0 && s !== undefined, files: s?.files ?? 0, trainTokens: s?.trainTokens ?? 0, peakRssBytes: s?.peakRssBytes ?? 0, records: out });
  }
  pass.packedTrainTokens = pass.repos.reduce((n, r) => n + r.trainTokens, 0);
  return pass;
}

function runCorpus(list: string, jobs: number, dir: string): Pass {
  mkdirSync(dir, { recursive: true });
  const t = retrace(['corpus', list, '--out-dir', join(dir, 'out'), '--jobs', String(jobs), '--json', ...settings], join(dir, 'cache'), join(dir, 'time.txt'));
  if (t.status !== 0) process.stderr.write(`corpus --jobs ${jobs}: exit ${t.status}: ${t.stderr.slice(-1000)}\n`);
  const summary = t.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; trainTokens?: number }).find((e) => e.event === 'summary');
  const manifest = readFileSync(join(dir, 'out', 'manifest.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { key: string; status: string; figures?: { files: number; trainTokens: number; peakRssBytes: number } });
  return {
    name: `corpus --jobs ${jobs}`,
    wallS: t.wallS,
    cpuS: t.cpuS,
    maxRssBytes: t.maxRssBytes,
    packedTrainTokens: summary?.trainTokens ?? 0,
    repos: manifest.map((o) => ({
      key: o.key,
      ok: o.status === 'finished',
      files: o.figures?.files ?? 0,
      trainTokens: o.figures?.trainTokens ?? 0,
      peakRssBytes: o.figures?.peakRssBytes ?? 0,
      records: join(dir, 'out', 'repos', o.key, 'records.jsonl.gz'),
    })),
  };
}

function merge(a: Pass | undefined, b: Pass): Pass {
  if (!a) return b;
  return { name: b.name, wallS: a.wallS + b.wallS, cpuS: a.cpuS + b.cpuS, maxRssBytes: Math.max(a.maxRssBytes, b.maxRssBytes), repos: [...a.repos, ...b.repos], packedTrainTokens: a.packedTrainTokens + b.packedTrainTokens };
}

function sameRecords(a: string, b: string): boolean {
  try {
    return gunzipSync(readFileSync(a)).equals(gunzipSync(readFileSync(b)));
  } catch {
    return false;
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length === 0 ? 0 : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const mib = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MiB`;
const num = (n: number): string => Math.round(n).toLocaleString('en');

async function main(): Promise<void> {
  const limits = { minFiles: Number(values['min-files']), maxFiles: Number(values['max-files']), maxBytes: Number(values['max-kb']) * 1024 };
  const picked = pickMix(candidates(limits), Number(values.repos));
  const tmp = mkdtempSync(join(tmpdir(), 'retrace-bench-corpus-'));
  const repoDir = join(tmp, 'repos');
  mkdirSync(repoDir);
  const paths = picked.map((c) => copyRepository(c, repoDir));
  const bySource = new Map<Source, Candidate[]>();
  for (const c of picked) bySource.set(c.source, [...(bySource.get(c.source) ?? []), c]);
  console.log(`corpus bench: ${picked.length} repositories (${[...bySource].map(([s, cs]) => `${s} ${cs.length}`).join(', ')}), ${num(picked.reduce((n, c) => n + c.files, 0))} files, ${(picked.reduce((n, c) => n + c.bytes, 0) / 1e6).toFixed(2)} MB; budget ${budget}, seed 1, ${rounds} round(s); copies in ${repoDir}`);
  console.log(`repositories: ${picked.map((c) => c.key).join(' ')}`);

  // Warm-up (not counted): tsx's transform cache and the disk cache of the sources.
  retrace(['run', paths[0]!, '-o', join(tmp, 'warm.jsonl.gz'), '--no-card', '--no-trace', '--json', '--budget', '0'], join(tmp, 'warm-cache'), join(tmp, 'warm-time.txt'));

  let a: Pass | undefined;
  let b: Pass | undefined;
  let c: Pass | undefined;
  const slices: string[] = [];
  for (let r = 0; r < rounds; r++) {
    const idx = picked.map((_, i) => i).filter((i) => i % rounds === r);
    const slice = idx.map((i) => paths[i]!);
    const keys = idx.map((i) => picked[i]!.key);
    const list = join(tmp, `round-${r}.txt`);
    writeFileSync(list, slice.join('\n') + '\n');
    const order = r % 2 === 0 ? ['a', 'b', 'c'] : ['c', 'b', 'a'];
    for (const p of order) {
      const t0 = performance.now();
      if (p === 'a') a = merge(a, runEach(slice, keys, join(tmp, `a-${r}`)));
      if (p === 'b') b = merge(b, runCorpus(list, 1, join(tmp, `b-${r}`)));
      if (p === 'c') c = merge(c, runCorpus(list, 2, join(tmp, `c-${r}`)));
      const line = `slice ${r + 1}/${rounds}, pass (${p}): ${slice.length} repositories, ${((performance.now() - t0) / 1000).toFixed(0)} s`;
      slices.push(line);
      process.stderr.write(line + '\n');
    }
  }
  const passes = [a!, b!, c!];
  console.log(slices.join('\n'));
  const ref = a!;
  const recordsOf = new Map(ref.repos.map((x) => [x.key, x.records]));
  console.log('');
  console.log('| pass | repositories finished | wall | repositories / hour | trained tokens / hour | ratio to (a), wall | CPU s (user+sys, all processes) | CPU ratio (a)/(x) | peak RSS per job: max / median | largest process |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const [i, p] of passes.entries()) {
    const done = p.repos.filter((x) => x.ok);
    const hours = p.wallS / 3600;
    const tokens = done.reduce((n, x) => n + x.trainTokens, 0);
    const ratio = i === 0 ? '1 (reference)' : `${((done.length / hours) / (ref.repos.filter((x) => x.ok).length / (ref.wallS / 3600))).toFixed(2)}x`;
    const rss = done.map((x) => x.peakRssBytes);
    console.log(`| (${'abc'[i]}) ${i === 0 ? 'retrace run, one after another' : `retrace ${p.name}`} | ${done.length} / ${p.repos.length} | ${p.wallS.toFixed(0)} s | ${(done.length / hours).toFixed(0)} | ${num(tokens / hours)} | ${ratio} | ${p.cpuS.toFixed(0)} | ${(ref.cpuS / p.cpuS).toFixed(2)}x | ${mib(Math.max(0, ...rss))} / ${mib(median(rss))} | ${mib(p.maxRssBytes)} |`);
  }
  for (const p of [b!, c!]) {
    const same = p.repos.filter((x) => recordsOf.has(x.key) && sameRecords(recordsOf.get(x.key)!, x.records)).length;
    const summed = p.repos.reduce((n, x) => n + x.trainTokens, 0);
    console.log(`${p.name}: records identical to retrace run's (decompressed, byte for byte): ${same} / ${p.repos.length}; trained tokens in the shards ${num(p.packedTrainTokens)} of ${num(summed)} the repositories' runs trained (the rest masked as duplicates across repositories)`);
  }
  const biggest = [...ref.repos].sort((x, y) => y.peakRssBytes - x.peakRssBytes)[0];
  if (biggest) console.log(`largest peak RSS of a job in (a): ${biggest.key}, ${biggest.files} files, ${mib(biggest.peakRssBytes)}`);
  const failed = passes.flatMap((p) => p.repos.filter((x) => !x.ok).map((x) => `${p.name}:${x.key}`));
  if (failed.length > 0) console.log(`not finished: ${failed.join(', ')}`);
  if (values.keep) console.log(`kept: ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}

await main();
