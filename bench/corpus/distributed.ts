/**
 * One repository embedded (`retrace run <repo>`) against the distributed layout on this machine
 * (a local nats-server with JetStream, `retrace run <repo> --nats URL --spawn`: the driver and one
 * agent process per role), same seed and budget, each with the message trace recorded, on a graph
 * cache warmed beforehand for both. Prints the wall-time ratio, each run's phase times, the CPU
 * seconds of every process (sampled from /proc while it runs: the driver, each agent, the
 * nats-server), and whether the two datasets are the same bytes.
 *
 *   npx tsx bench/corpus/distributed.ts [--repo node_modules/ajv] [--budget 4] [--port 14222]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';

const { values } = parseArgs({
  options: {
    repo: { type: 'string', default: resolve(import.meta.dirname, '../../node_modules/ajv') },
    budget: { type: 'string', default: '4' },
    port: { type: 'string', default: '14222' },
    keep: { type: 'boolean', default: false },
  },
});
const BIN = resolve(import.meta.dirname, '../../bin/retrace.js');
const TICK = 100; // clock ticks per second (getconf CLK_TCK on Linux)

/**
 * CPU seconds and peak RSS of the processes below `roots` (the run and the nats-server this bench
 * started; the machine is shared, so others' processes are left out), sampled while they run.
 */
class ProcessSampler {
  private readonly seen = new Map<number, { label: string; cpuS: number; hwmKb: number }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly roots: () => number[]) {}

  start(): void {
    this.timer = setInterval(() => this.sample(), 200);
  }

  stop(): Map<string, { processes: number; cpuS: number; hwmKb: number }> {
    clearInterval(this.timer);
    this.sample();
    const by = new Map<string, { processes: number; cpuS: number; hwmKb: number }>();
    for (const p of this.seen.values()) {
      const b = by.get(p.label) ?? { processes: 0, cpuS: 0, hwmKb: 0 };
      by.set(p.label, { processes: b.processes + 1, cpuS: b.cpuS + p.cpuS, hwmKb: Math.max(b.hwmKb, p.hwmKb) });
    }
    return by;
  }

  private sample(): void {
    const procs = new Map<number, { ppid: number; fields: string[] }>();
    for (const e of readdirSync('/proc')) {
      const pid = Number(e);
      if (!Number.isInteger(pid)) continue;
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        procs.set(pid, { ppid: Number(fields[1]), fields });
      } catch {
        // gone between listing and reading
      }
    }
    const roots = new Set(this.roots());
    const mine = (pid: number): boolean => {
      for (let p = pid, hops = 0; p > 1 && hops < 64; p = procs.get(p)?.ppid ?? 0, hops++) if (roots.has(p)) return true;
      return false;
    };
    for (const [pid, { fields }] of procs) {
      if (!mine(pid)) continue;
      try {
        const label = labelOf(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0'));
        if (!label) continue;
        const cpuS = (Number(fields[11]) + Number(fields[12])) / TICK;
        const hwm = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        this.seen.set(pid, { label, cpuS, hwmKb: Number(hwm?.[1] ?? 0) });
      } catch {
        // gone between listing and reading
      }
    }
  }
}

function labelOf(cmd: string[]): string | undefined {
  if (cmd[0]?.endsWith('nats-server')) return 'nats-server';
  const i = cmd.findIndex((a) => a.endsWith('bin/retrace.js'));
  if (i < 0) return undefined;
  if (cmd[i + 1] === 'agent') return `agent ${cmd[i + 2]}`;
  if (cmd[i + 1] === 'run') return 'run (driver)';
  return undefined;
}

function waitForPort(port: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((res, rej) => {
    const tryOnce = () => {
      const s = createConnection(port, '127.0.0.1');
      s.once('connect', () => {
        s.end();
        res();
      });
      s.once('error', () => (Date.now() > deadline ? rej(new Error(`nothing listens on ${port}`)) : setTimeout(tryOnce, 100)));
    };
    tryOnce();
  });
}

interface Summary {
  files: number;
  steps: number;
  records: number;
  trainTokens: number;
  scorerCalls: number;
  ms: Record<string, number>;
  peakRssBytes: number;
  failures: unknown[];
  verify: Array<{ ok: boolean }> | null;
}

async function timedRun(args: string[], cache: string, also: number[] = []): Promise<{ wallS: number; summary: Summary; procs: ReturnType<ProcessSampler['stop']> }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, XDG_CACHE_HOME: cache }, stdio: ['ignore', 'pipe', 'inherit'] });
  const sampler = new ProcessSampler(() => [child.pid ?? -1, ...also]);
  sampler.start();
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  const wallS = (performance.now() - t0) / 1000;
  const procs = sampler.stop();
  if (code !== 0) throw new Error(`retrace ${args.join(' ')}: exit ${code}`);
  return { wallS, summary: JSON.parse(out.trim().split('\n').pop()!) as Summary, procs };
}

function report(name: string, r: Awaited<ReturnType<typeof timedRun>>): void {
  const s = r.summary;
  const ms = Object.entries(s.ms).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(', ');
  console.log(`${name}: wall ${r.wallS.toFixed(1)} s; ${s.files} files, ${s.steps} steps, ${s.records} records, ${s.trainTokens} trained tokens, ${s.scorerCalls} scorer calls, failures ${s.failures.length}, verified ${s.verify?.every((v) => v.ok)}`);
  console.log(`  summary ms: ${ms}`);
  let total = 0;
  for (const [label, p] of [...r.procs].sort()) {
    total += p.cpuS;
    console.log(`  ${label}: ${p.processes} process${p.processes > 1 ? 'es' : ''}, CPU ${p.cpuS.toFixed(1)} s, peak RSS ${(p.hwmKb / 1024).toFixed(0)} MiB`);
  }
  console.log(`  CPU, all processes: ${total.toFixed(1)} s`);
}

async function main(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'retrace-bench-distributed-'));
  const repo = join(tmp, basename(resolve(values.repo!)));
  cpSync(resolve(values.repo!), repo, { recursive: true, dereference: true, filter: (s) => basename(s) !== 'node_modules' || s === resolve(values.repo!) });
  const cache = join(tmp, 'cache');
  const settings = ['--budget', String(Number(values.budget)), '--seed', '1', '--no-card', '--json'];
  // Warm the graph cache for both runs (each agent process indexes the repository too).
  spawnSync(process.execPath, [BIN, 'graph', repo, '--json'], { env: { ...process.env, XDG_CACHE_HOME: cache }, stdio: 'ignore', maxBuffer: 1 << 28 });

  const embedded = await timedRun(['run', repo, '-o', join(tmp, 'embedded.jsonl.gz'), '--trace', join(tmp, 'embedded.trace.jsonl'), ...settings], cache);
  report('embedded', embedded);

  const port = Number(values.port);
  const nats: ChildProcess = spawn('nats-server', ['-js', '-sd', join(tmp, 'js'), '-p', String(port), '-a', '127.0.0.1'], { stdio: 'ignore' });
  try {
    await waitForPort(port, 10_000);
    const distributed = await timedRun(['run', repo, '-o', join(tmp, 'distributed.jsonl.gz'), '--trace', join(tmp, 'distributed.trace.jsonl'), '--nats', `nats://127.0.0.1:${port}`, '--spawn', ...settings], cache, [nats.pid ?? -1]);
    report('distributed (--nats --spawn, local JetStream)', distributed);
    const same = gunzipSync(readFileSync(join(tmp, 'embedded.jsonl.gz'))).equals(gunzipSync(readFileSync(join(tmp, 'distributed.jsonl.gz'))));
    console.log(`distributed / embedded wall time: ${(distributed.wallS / embedded.wallS).toFixed(2)}x (target <= 1.5x); datasets identical: ${same}`);
  } finally {
    nats.kill('SIGTERM');
  }
  if (values.keep) console.log(`kept: ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}

await main();
