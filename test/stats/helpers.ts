/** Hand-written datasets: steps in, a dataset file out (through the real writer). */
import { join } from 'node:path';
import type { Step } from '../../src/agents/types.ts';
import { openSink } from '../../src/dataset/io/sink.ts';
import { loadTokenizer } from '../../src/dataset/tokenizer.ts';
import { DatasetWriter } from '../../src/dataset/writer.ts';
import { tempDir } from '../support/tmp.ts';

const P = 'hand@1';

export const brief = (text: string): Step => ({ role: 'planner', kind: 'observation', tool: 'brief', text, train: false, policy: P });
export const plan = (text: string): Step => ({ role: 'planner', kind: 'action', tool: 'plan', text, train: true, policy: P });
export const design = (path: string, text: string): Step => ({ role: 'architect', kind: 'action', tool: 'design', path, text, train: true, policy: P });
export const think = (role: Step['role'], path: string, text: string): Step => ({ role, kind: 'think', path, text, train: true, policy: P });
export const write = (path: string, text: string, more: Partial<Step> = {}): Step => ({
  role: 'coder', kind: 'action', tool: 'write', path, text, train: true, policy: P, write: { mode: 'create' }, ...more,
});
export const append = (path: string, text: string, more: Partial<Step> = {}): Step => write(path, text, { write: { mode: 'append' }, ...more });
export const edit = (path: string, old: string, new_: string): Step => ({
  role: 'debugger', kind: 'action', tool: 'edit', path, text: `replace:\n${old}\nwith:\n${new_}`, train: true, policy: P, edit: { old, new: new_ },
});
export const read = (path: string, text: string, more: Partial<Step> = {}): Step[] => [
  { role: 'coder', kind: 'action', tool: 'read', path, text: path, train: true, policy: P },
  { role: 'coder', kind: 'observation', tool: 'read', path, text, train: false, policy: P, ...more },
];
export const check = (path: string, text: string, counts?: { findings: number; baseline: number }): Step[] => [
  { role: 'tester', kind: 'action', tool: 'check', path, text: `check ${path}`, train: true, policy: P },
  { role: 'tester', kind: 'observation', tool: 'check', path, text, train: false, policy: P, ...(counts ? { check: counts } : {}) },
];

/** Writes `steps` as one run's dataset through the real writer and JSONL sink (records of at most `contextTokens`). */
export async function dataset(steps: Step[], opts: { name?: string; run?: string; contextTokens?: number; dir?: string; budget?: number } = {}): Promise<string> {
  const path = join(opts.dir ?? tempDir('retrace-stats-'), `${opts.run ?? 'r'}.jsonl`);
  const files = [...new Set(steps.filter((s) => s.tool === 'write' && s.path).map((s) => s.path!))];
  const w = new DatasetWriter({
    tokenizer: loadTokenizer(),
    contextTokens: opts.contextTokens ?? 1_000_000,
    tokenIds: false,
    untrained: new Map(),
    repo: { name: opts.name ?? 'hand', origin: null, commit: null, licence: null, licence_source: null, languages: {}, files },
    run: { id: opts.run ?? 'r', seed: 1, budget: opts.budget ?? 0, fault_rate: 0, scorer: { kind: 'embedded', model: null }, search: null },
    spool: `${path}.spool`,
  });
  w.add(steps);
  await w.finish(await openSink(path, {}));
  return path;
}
