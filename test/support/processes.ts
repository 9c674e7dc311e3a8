/**
 * `retrace` subcommands as their own processes, as a user starts them: output captured, a ready
 * line waited for, and every process stopped (SIGTERM, then SIGKILL) by `stopAll`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from './wait.ts';

const bin = join(import.meta.dirname, '../../bin/retrace.js');

export interface RetraceProcess {
  name: string;
  child: ChildProcess;
  output(): string;
  alive(): boolean;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

export class Processes {
  readonly all = new Map<string, RetraceProcess>();

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  start(name: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): RetraceProcess {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? this.env, ...(opts.cwd ? { cwd: opts.cwd } : {}) });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const p: RetraceProcess = { name, child, output: () => out, alive: () => child.exitCode === null && child.signalCode === null, exited };
    this.all.set(name, p);
    return p;
  }

  /** Waits until every named process printed its ready line (fails early when one exits). */
  async ready(names: Iterable<string>, pattern: RegExp | ((name: string) => RegExp), timeoutMs = 60_000): Promise<void> {
    const list = [...names].map((n) => this.all.get(n)!);
    await waitFor(
      () => {
        for (const p of list) if (!p.alive()) throw new Error(`${p.name} exited before it was ready:\n${p.output()}`);
        return list.every((p) => (typeof pattern === 'function' ? pattern(p.name) : pattern).test(p.output()));
      },
      `${list.map((p) => p.name).join(', ')} to be ready`,
      timeoutMs,
    );
  }

  kill(name: string, signal: NodeJS.Signals = 'SIGKILL'): void {
    this.all.get(name)?.child.kill(signal);
  }

  /** SIGTERM to every live process, SIGKILL to those still alive after `graceMs`. */
  async stopAll(graceMs = 10_000): Promise<void> {
    const live = [...this.all.values()].filter((p) => p.alive());
    for (const p of live) p.child.kill('SIGTERM');
    await Promise.race([Promise.all(live.map((p) => p.exited)), new Promise((r) => setTimeout(r, graceMs))]);
    for (const p of live) if (p.alive()) p.child.kill('SIGKILL');
  }
}
