/**
 * The tables of bench/search.ts, from plain records (one per target and method): mean reward per
 * budget, MCTS minus each baseline (paired per target), and cost, each with 95% CIs by bootstrap
 * over packages (bootstrap.ts). Pure: the numbers in, markdown lines out.
 */
import type { StopReason } from '../../src/search/types.ts';
import { bootstrapOverPackages, signOf, type BootstrapOptions, type Interval } from './bootstrap.ts';
import type { Cost } from './measure.ts';

export interface MethodRun {
  /** Best reward after b calls, per budget (the anytime curve read at each budget). */
  rewards: number[];
  /** Cost by each budget. */
  costs: Cost[];
  stopped: StopReason;
}

export interface TargetRecord {
  pkg: string;
  group: string;
  runs: Record<string, MethodRun>;
}

export interface ReportOptions extends BootstrapOptions {
  budgets: readonly number[];
  reference: string;
}

/** Values grouped by package, for the bootstrap. */
export function byPackage(records: readonly TargetRecord[], value: (r: TargetRecord) => number): number[][] {
  const groups = new Map<string, number[]>();
  for (const r of records) {
    const g = groups.get(r.pkg) ?? [];
    g.push(value(r));
    groups.set(r.pkg, g);
  }
  return [...groups.values()];
}

const f4 = (x: number): string => (Number.isFinite(x) ? x.toFixed(4) : '-');
const signed = (x: number): string => (x >= 0 ? '+' : '') + f4(x);
export const showInterval = (ci: Interval): string => `${f4(ci.mean)} [${f4(ci.lo)}, ${f4(ci.hi)}]`;
export const showDifference = (ci: Interval): string => `${signed(ci.mean)} [${signed(ci.lo)}, ${signed(ci.hi)}]`;

export function rewardInterval(records: readonly TargetRecord[], method: string, budgetIndex: number, opts: BootstrapOptions): Interval {
  return bootstrapOverPackages(byPackage(records, (r) => r.runs[method]!.rewards[budgetIndex]!), opts);
}

/** MCTS (the reference) at budget index i minus `method` at budget index j, paired per target. */
export function differenceInterval(records: readonly TargetRecord[], reference: string, i: number, method: string, j: number, opts: BootstrapOptions): Interval {
  return bootstrapOverPackages(byPackage(records, (r) => r.runs[reference]!.rewards[i]! - r.runs[method]!.rewards[j]!), opts);
}

/** Wins, ties and losses of the reference against `method`, per target. */
export function tally(records: readonly TargetRecord[], reference: string, i: number, method: string, j: number): string {
  let w = 0;
  let l = 0;
  for (const r of records) {
    const d = r.runs[reference]!.rewards[i]! - r.runs[method]!.rewards[j]!;
    if (d > 1e-12) w++;
    else if (d < -1e-12) l++;
  }
  return `${w}/${records.length - w - l}/${l}`;
}

export function rewardTable(records: readonly TargetRecord[], methods: readonly string[], opts: ReportOptions): string[] {
  const out = [`| method | ${opts.budgets.map((b) => `@${b}`).join(' | ')} |`, `|---|${opts.budgets.map(() => '---').join('|')}|`];
  for (const m of methods) out.push(`| ${m} | ${opts.budgets.map((_, i) => showInterval(rewardInterval(records, m, i, opts))).join(' | ')} |`);
  return out;
}

export function differenceTable(records: readonly TargetRecord[], baselines: readonly string[], opts: ReportOptions): string[] {
  const out = [`| ${opts.reference} minus | ${opts.budgets.map((b) => `@${b}`).join(' | ')} |`, `|---|${opts.budgets.map(() => '---').join('|')}|`];
  for (const m of baselines) {
    const cells = opts.budgets.map((_, i) => {
      const ci = differenceInterval(records, opts.reference, i, m, i, opts);
      return `${showDifference(ci)} ${mark(ci)} (${tally(records, opts.reference, i, m, i)})`;
    });
    out.push(`| ${m} | ${cells.join(' | ')} |`);
  }
  return out;
}

/** `+` when the CI lies above 0, `-` below, nothing when it includes 0. */
function mark(ci: Interval): string {
  const s = signOf(ci);
  return s === 'above' ? '▲' : s === 'below' ? '▼' : '·';
}

const meanOf = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/** Mean scorer calls, proposer calls and wall time per search, per method and budget. */
export function costTable(records: readonly TargetRecord[], methods: readonly string[], budgets: readonly number[]): string[] {
  const out = [`| method | ${budgets.map((b) => `@${b}: scorer · proposer · ms`).join(' | ')} | stopped early (of ${records.length}) |`, `|---|${budgets.map(() => '---').join('|')}|---|`];
  for (const m of methods) {
    const cells = budgets.map((_, i) => {
      const costs = records.map((r) => r.runs[m]!.costs[i]!);
      return `${meanOf(costs.map((c) => c.scorerCalls)).toFixed(1)} · ${meanOf(costs.map((c) => c.proposerCalls)).toFixed(1)} · ${meanOf(costs.map((c) => c.wallMs)).toFixed(1)}`;
    });
    const early = records.filter((r) => r.runs[m]!.stopped === 'exhausted').length;
    out.push(`| ${m} | ${cells.join(' | ')} | ${early} |`);
  }
  return out;
}
