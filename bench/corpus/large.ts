/**
 * A large repository made from real files, rebuilt by `retrace run` at default settings: where
 * the time goes per phase (index, plan, design, files, verify and the dataset's end) and the peak
 * memory (RSS from /proc, the JS heap from a preload inside the run). The reference, in the same
 * bench: the same run on a repository of `--reference` files made the same way (a tenth by
 * default), so the ratio of times against the ratio of files shows how the run scales.
 *
 * The repository: `--files N` source files of at most 13 KB (Go 40 KB), copied with their paths
 * from Go's sources, node_modules (nested node_modules left out), /usr/include, Debian's Rust
 * crates, Python's library and the JDK's java.base sources, the sources taken in turn and each
 * one's files spread over its sorted list, so the same N gives the same repository on the same
 * machine (made once under --work, reused).
 *
 *   nice -n 10 npx tsx bench/corpus/large.ts --files 20000 [--reference 2000] [--budget 0]
 *     [--timeout-min 120] [--node-arg=--cpu-prof] [--work /tmp/retrace-large] [--keep] [--prepare]
 */
import { spawn, execFileSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOTS } from './select.ts';

const { values } = parseArgs({
  options: {
    files: { type: 'string', default: '2000' },
    reference: { type: 'string' },
    budget: { type: 'string', default: '0' },
    'timeout-min': { type: 'string', default: '120' },
    'node-arg': { type: 'string', multiple: true, default: [] },
    work: { type: 'string', default: '/tmp/retrace-large' },
    keep: { type: 'boolean', default: false },
    /** Only make the repositories (to profile a run by hand). */
    prepare: { type: 'boolean', default: false },
  },
});
const BIN = resolve(import.meta.dirname, '../../bin/retrace.js');
const MAX_BYTES = 13_000;
const MAX_GO_BYTES = 40_000;

interface Source {
  name: string;
  root: string;
  ext: RegExp;
  maxBytes: number;
  /** Folder names never entered. */
  skip: Set<string>;
}

const JDK_ZIP = '/usr/lib/jvm/openjdk-17/lib/src.zip';

function sources(work: string): Source[] {
  const common = new Set(['.git', 'testdata', '__pycache__']);
  const list: Source[] = [
    { name: 'go', root: ROOTS.go, ext: /\.go$/, maxBytes: MAX_GO_BYTES, skip: new Set([...common, 'vendor']) },
    { name: 'npm', root: ROOTS.npm, ext: /\.(js|ts|mjs|cjs)$/, maxBytes: MAX_BYTES, skip: new Set([...common, 'node_modules']) },
    { name: 'include', root: '/usr/include', ext: /\.(h|hpp)$/, maxBytes: MAX_BYTES, skip: common },
    { name: 'rust', root: ROOTS.rust, ext: /\.rs$/, maxBytes: MAX_BYTES, skip: common },
    { name: 'python', root: ROOTS.python, ext: /\.py$/, maxBytes: MAX_BYTES, skip: new Set([...common, 'test', 'site-packages', 'dist-packages']) },
  ];
  const jdk = unpackJavaBase(work);
  if (jdk) list.push({ name: 'java', root: jdk, ext: /\.java$/, maxBytes: MAX_BYTES, skip: common });
  return list.filter((s) => existsSync(s.root));
}

/** java.base of the JDK's src.zip, unpacked once under `work`. */
function unpackJavaBase(work: string): string | undefined {
  if (!existsSync(JDK_ZIP)) return undefined;
  const out = join(work, 'jdk');
  const dir = join(out, 'java.base');
  if (!existsSync(join(out, '.done'))) {
    mkdirSync(out, { recursive: true });
    execFileSync('unzip', ['-q', '-o', JDK_ZIP, 'java.base/*', '-d', out]);
    writeFileSync(join(out, '.done'), '');
  }
  return dir;
}

/** Every file of a source within its limits, sorted by path (linked folders not followed: no loops, no copies). */
function filesOf(s: Source): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      if (s.skip.has(e) || e.startsWith('.')) continue;
      const p = join(d, e);
      const link = lstatSync(p, { throwIfNoEntry: false });
      if (!link) continue;
      if (link.isDirectory()) walk(p);
      else if ((link.isFile() || link.isSymbolicLink()) && s.ext.test(e)) {
        const st = statSync(p, { throwIfNoEntry: false });
        if (st?.isFile() && st.size > 0 && st.size <= s.maxBytes) out.push(p);
      }
    }
  };
  walk(s.root);
  return out;
}

/** `n` files, the sources taken in turn, each source's files spread over its list (every k-th). */
function pick(all: Array<{ source: Source; files: string[] }>, n: number): Array<{ source: Source; file: string }> {
  const available = all.reduce((a, s) => a + s.files.length, 0);
  if (available < n) throw new Error(`only ${available} files within the limits on this machine, fewer than --files ${n}`);
  // Each source's share: an even split, what a short source cannot give going to the others.
  const share = new Map(all.map((s) => [s.source.name, 0]));
  let left = n;
  let open = all.filter((s) => s.files.length > 0);
  while (left > 0) {
    const each = Math.max(1, Math.floor(left / open.length));
    for (const s of open) {
      const take = Math.min(each, s.files.length - share.get(s.source.name)!, left);
      share.set(s.source.name, share.get(s.source.name)! + take);
      left -= take;
    }
    open = open.filter((s) => share.get(s.source.name)! < s.files.length);
  }
  const picked: Array<{ source: Source; file: string }> = [];
  for (const s of all) {
    const k = share.get(s.source.name)!;
    const step = s.files.length / k;
    for (let i = 0; i < k; i++) picked.push({ source: s.source, file: s.files[Math.floor(i * step)]! });
  }
  return picked;
}

/** The repository of `n` files under `work` (made once; a stamp of its file list says it is whole). */
function buildRepository(work: string, n: number): { dir: string; bytes: number; bySource: Record<string, number> } {
  const all = sources(work).map((source) => ({ source, files: filesOf(source) }));
  const picked = pick(all, n);
  const digest = createHash('sha256').update(picked.map((p) => p.file).join('\n')).digest('hex').slice(0, 12);
  const dir = join(work, `repo-${n}`);
  const stamp = join(work, `repo-${n}.stamp`);
  const bySource: Record<string, number> = {};
  let bytes = 0;
  for (const p of picked) {
    bySource[p.source.name] = (bySource[p.source.name] ?? 0) + 1;
    bytes += statSync(p.file).size;
  }
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) return { dir, bytes, bySource };
  rmSync(dir, { recursive: true, force: true });
  for (const p of picked) {
    const to = join(dir, p.source.name, relative(p.source.root, p.file));
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(p.file, to);
  }
  writeFileSync(stamp, digest);
  return { dir, bytes, bySource };
}

/** The JS heap inside the run, sampled by a preload every 250 ms (the timer is unref'd). */
function heapSampler(work: string): string {
  const file = join(work, 'heap-sampler.mjs');
  writeFileSync(
    file,
    `import { appendFileSync } from 'node:fs';
const out = process.env.RETRACE_HEAP_LOG;
if (out) setInterval(() => { const m = process.memoryUsage(); appendFileSync(out, JSON.stringify({ t: Date.now(), rss: m.rss, heap: m.heapUsed }) + '\\n'); }, 250).unref();
`,
  );
  return file;
}

const PHASES = ['index', 'plan', 'design', 'files', 'end'] as const;
type Phase = (typeof PHASES)[number];

interface Phases {
  /** When each phase ended (ms since the epoch); `end`: verify and the dataset's end, to the exit. */
  ends: Record<Phase, number>;
  milestones: number;
  filesDone: number;
  /** Where it was when it ended (the last job done). */
  last: string;
}

/** Phase ends from the run's debug log (the agents' start, then each job's `work done` line, with its time). */
function phasesFrom(log: string, tEnd: number): Phases {
  let tAgents = 0;
  let tPlan = 0;
  let tDesign = 0;
  let tFiles = 0;
  let milestones = 0;
  let filesDone = 0;
  let last = 'index';
  for (const line of log.split('\n')) {
    if (!line.startsWith('{')) continue;
    let e: { time?: number; msg?: string; job?: string };
    try {
      e = JSON.parse(line) as typeof e;
    } catch {
      continue;
    }
    if (e.msg === 'agent started' && tAgents === 0) tAgents = e.time!;
    if (e.msg !== 'work done' || !e.job) continue;
    last = e.job;
    if (e.job === 'planner:plan') tPlan = e.time!;
    else if (e.job.startsWith('architect:')) {
      tDesign = e.time!;
      milestones++;
    } else {
      tFiles = e.time!;
      if (e.job.startsWith('coder:code:') || e.job.startsWith('tester:write:')) filesDone++;
    }
  }
  // A phase not reached ends when the run did; the one it was in, too.
  const index = tAgents || tEnd;
  const plan = tPlan || tEnd;
  const design = tDesign || (tPlan ? tEnd : plan);
  const files = tFiles || (tDesign ? tEnd : design);
  return { ends: { index, plan, design, files, end: tEnd }, milestones, filesDone, last };
}

interface Sample {
  t: number;
  cpuS: number;
}

interface Measured {
  n: number;
  wallS: number;
  cpuS: number;
  code: number | null;
  timedOut: boolean;
  peakRss: number;
  peakHeap: number;
  phases: Phases;
  /** Per phase: wall and CPU seconds. */
  per: Record<Phase, { wallS: number; cpuS: number }>;
  summary?: { files: number; steps: number; records: number; trainTokens: number; failures: unknown[]; verify: Array<{ ok: boolean }> | null; ms: Record<string, number> };
  stderrTail: string;
}

const TICK = 100; // clock ticks per second (getconf CLK_TCK on Linux)

/** The process's peak RSS (VmHWM) and CPU seconds so far, from /proc. */
function procSample(pid: number): { hwmKb: number; cpuS: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { hwmKb: Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0), cpuS: (Number(fields[11]) + Number(fields[12])) / TICK };
  } catch {
    return undefined;
  }
}

/** CPU seconds at time `t`: the last sample at or before it. */
function cpuAt(samples: readonly Sample[], t: number): number {
  let c = 0;
  for (const s of samples) if (s.t <= t) c = s.cpuS;
  return c;
}

async function measure(work: string, n: number): Promise<Measured> {
  const repo = buildRepository(work, n);
  console.log(`repository of ${n} files: ${repo.dir} (${(repo.bytes / 1e6).toFixed(1)} MB; ${Object.entries(repo.bySource).map(([k, v]) => `${k} ${v}`).join(', ')})`);
  const out = join(work, `out-${n}`);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const heapLog = join(out, 'heap.jsonl');
  const args = [...values['node-arg']!, BIN, 'run', repo.dir, '-o', join(out, 'records.jsonl.gz'), '--no-card', '--no-trace', '--json', '--budget', String(Number(values.budget)), '--log-level', 'debug'];
  const env = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${heapSampler(work)}`.trim(), RETRACE_HEAP_LOG: heapLog };
  const t0 = Date.now();
  const child = spawn(process.execPath, args, { cwd: out, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  // The run's log, also on disk (<work>/out-<n>/run.log): where a long run is can be looked up while it runs.
  const logFile = join(out, 'run.log');
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    appendFileSync(logFile, d);
  });
  let peakKb = 0;
  const samples: Sample[] = [{ t: t0, cpuS: 0 }];
  const sampleTimer = setInterval(() => {
    const p = procSample(child.pid!);
    if (!p) return;
    peakKb = Math.max(peakKb, p.hwmKb);
    samples.push({ t: Date.now(), cpuS: p.cpuS });
  }, 1000);
  let timedOut = false;
  const limit = setTimeout(() => {
    timedOut = true;
    child.kill('SIGTERM');
  }, Number(values['timeout-min']) * 60_000);
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  const tEnd = Date.now();
  clearInterval(sampleTimer);
  clearTimeout(limit);
  const heap = existsSync(heapLog) ? readFileSync(heapLog, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { rss: number; heap: number }) : [];
  const phases = phasesFrom(stderr, tEnd);
  const per = {} as Measured['per'];
  let from = t0;
  for (const k of PHASES) {
    const to = Math.max(from, phases.ends[k]);
    per[k] = { wallS: (to - from) / 1000, cpuS: cpuAt(samples, to) - cpuAt(samples, from) };
    from = to;
  }
  const m: Measured = {
    n,
    wallS: (tEnd - t0) / 1000,
    cpuS: samples.at(-1)!.cpuS,
    code,
    timedOut,
    peakRss: Math.max(peakKb * 1024, ...heap.map((h) => h.rss)),
    peakHeap: Math.max(0, ...heap.map((h) => h.heap)),
    phases,
    per,
    stderrTail: stderr.split('\n').filter((l) => !l.includes('"level":20') && !l.includes('"level":30')).slice(-8).join('\n'),
  };
  const last = stdout.trim().split('\n').pop();
  if (code === 0 && last) m.summary = JSON.parse(last) as Measured['summary'];
  if (!values.keep) rmSync(join(out, 'records.jsonl.gz'), { force: true });
  return m;
}

const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;

function report(m: Measured): void {
  const p = m.phases;
  const state = m.timedOut ? `STOPPED after ${values['timeout-min']} min` : m.code === 0 ? 'completed' : `FAILED (exit ${m.code})`;
  console.log(`${m.n} files: ${state}, wall ${m.wallS.toFixed(1)} s, CPU ${m.cpuS.toFixed(1)} s, peak RSS ${mib(m.peakRss)}, peak JS heap used ${mib(m.peakHeap)}`);
  const phase = (k: Phase) => `${k} ${m.per[k].wallS.toFixed(1)} s (CPU ${m.per[k].cpuS.toFixed(1)} s)`;
  console.log(`  phases, wall (CPU): ${phase('index')}, ${phase('plan')}, ${phase('design')} [${p.milestones} milestones], ${phase('files')} [${p.filesDone} written], verify+dataset ${phase('end')}; last job done: ${p.last}`);
  if (m.summary) {
    const v = m.summary;
    console.log(`  ${v.files} files rebuilt, ${v.steps} steps, ${v.records} records, ${v.trainTokens} trained tokens, failures ${v.failures.length}, verified ${v.verify?.every((x) => x.ok)}`);
  } else if (m.stderrTail) console.log(`  stderr: ${m.stderrTail}`);
}

async function main(): Promise<void> {
  const work = resolve(values.work!);
  mkdirSync(work, { recursive: true });
  const n = Number(values.files);
  const ref = values.reference !== undefined ? Number(values.reference) : Math.max(100, Math.round(n / 10));
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(ref) || ref < 0) throw new Error('--files and --reference take whole numbers');
  if (values.prepare) {
    for (const k of ref > 0 ? [ref, n] : [n]) console.log(buildRepository(work, k).dir);
    return;
  }
  const reference = ref > 0 && ref !== n ? await measure(work, ref) : undefined;
  if (reference) report(reference);
  const big = await measure(work, n);
  report(big);
  if (reference && big.code === 0 && reference.code === 0) {
    const fileRatio = n / ref;
    const ratio = (a: number, b: number) => (b > 0 ? a / b : NaN);
    const exp = (r: number) => (Math.log(r) / Math.log(fileRatio)).toFixed(2);
    const cpu = ratio(big.cpuS, reference.cpuS);
    console.log(`${n} / ${ref} files = ${fileRatio.toFixed(1)}x: CPU ${cpu.toFixed(1)}x (exponent ${exp(cpu)}; 1.00 is linear), wall ${ratio(big.wallS, reference.wallS).toFixed(1)}x, peak RSS ${ratio(big.peakRss, reference.peakRss).toFixed(2)}x`);
    for (const k of PHASES) {
      const r = ratio(big.per[k].cpuS, reference.per[k].cpuS);
      console.log(`  ${k}: CPU ${r.toFixed(1)}x (exponent ${exp(r)})`);
    }
  }
}

await main();
