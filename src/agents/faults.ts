/**
 * Realistic faults for debugging episodes: a first draft of a chunk with one mistake a developer
 * makes — a misspelled identifier, a missing import, a dropped argument, a broken bracket. A fault
 * is kept only if the tester's real checks catch it in the draft file; otherwise the next kind is
 * tried, and a chunk where none is caught gets no fault.
 */
import type { LanguageId } from '../graph/types.ts';
import { createRng, mixSeed, type Rng } from '../search/rng.ts';
import { declaredNameUses, runChecks, type CheckEnvironment } from './checks.ts';
import type { Finding } from './types.ts';

export type FaultKind = 'misspelled-identifier' | 'missing-import' | 'dropped-argument' | 'broken-bracket';

export interface Fault {
  kind: FaultKind;
  /** The chunk as drafted, with the fault. */
  draft: string;
  /** What the checks report on the draft file. */
  findings: Finding[];
}

const KEYWORDS = new Set([
  'const', 'function', 'return', 'import', 'export', 'from', 'class', 'extends', 'async', 'await', 'while', 'break', 'continue',
  'default', 'switch', 'case', 'throw', 'true', 'false', 'null', 'this', 'super', 'type', 'interface', 'public', 'private',
  'static', 'readonly', 'package', 'struct', 'impl', 'self', 'None', 'True', 'False', 'yield', 'else', 'elif', 'pass', 'lambda',
  'void', 'undefined', 'typeof', 'instanceof', 'string', 'number', 'boolean', 'func', 'range', 'string', 'require', 'module',
]);

function misspell(name: string, rng: Rng): string {
  const i = 1 + rng.int(name.length - 2);
  // Swap two neighbouring letters, the commonest typo; fall back to dropping one.
  const swapped = name.slice(0, i) + name[i + 1] + name[i] + name.slice(i + 2);
  return swapped !== name ? swapped : name.slice(0, i) + name.slice(i + 1);
}

function candidates(lang: LanguageId, chunk: string, rng: Rng): Array<{ kind: FaultKind; draft: string }> {
  const out: Array<{ kind: FaultKind; draft: string }> = [];
  const lines = chunk.split('\n');
  // Misspelled identifier: a use of a name the file declares (offsets in characters; the
  // chunk is parsed alone, which is enough to find its identifiers).
  for (const u of rng.shuffle(declaredNameUses(lang, chunk).filter((x) => x.name.length >= 3 && !KEYWORDS.has(x.name))).slice(0, 6)) {
    if (chunk.slice(u.start, u.start + u.name.length) !== u.name) continue; // byte offsets differ from char offsets past non-ASCII
    out.push({ kind: 'misspelled-identifier', draft: chunk.slice(0, u.start) + misspell(u.name, rng) + chunk.slice(u.start + u.name.length) });
  }
  // Missing import: drop a whole import line.
  const imports = lines.map((l, i) => [l, i] as const).filter(([l]) => /^\s*(import\b|from\s+\S+\s+import\b|use\s)/.test(l) && !/[{(]\s*$/.test(l));
  for (const [, i] of rng.shuffle(imports).slice(0, 2)) {
    out.push({ kind: 'missing-import', draft: [...lines.slice(0, i), ...lines.slice(i + 1)].join('\n') });
  }
  // Dropped argument: remove the last argument of a call written on one line.
  const calls = [...chunk.matchAll(/\b([A-Za-z_]\w*)\(([^()\n]*,[^()\n]*)\)/g)];
  for (const c of rng.shuffle(calls).slice(0, 3)) {
    const args = c[2]!;
    const cut = args.lastIndexOf(',');
    const start = c.index! + c[1]!.length + 1;
    out.push({ kind: 'dropped-argument', draft: chunk.slice(0, start) + args.slice(0, cut) + chunk.slice(start + args.length) });
  }
  // Broken bracket: the last closing brace or parenthesis goes missing.
  const close = Math.max(chunk.lastIndexOf('}'), chunk.lastIndexOf(')'));
  if (close >= 0) out.push({ kind: 'broken-bracket', draft: chunk.slice(0, close) + chunk.slice(close + 1) });
  // Seeded order of kinds, so episodes vary.
  const kinds = rng.shuffle(['misspelled-identifier', 'missing-import', 'dropped-argument', 'broken-bracket'] as FaultKind[]);
  return kinds.flatMap((k) => out.filter((c) => c.kind === k));
}

/**
 * A fault for `chunk` that the checks catch when the file is `before + draft + after`, or
 * undefined. Deterministic for (seed, path, chunk index).
 */
/** Files where a debugging episode makes sense: hand-written size, not minified or bundled. */
export function faultable(content: string): boolean {
  if (content.length > 64 * 1024) return false;
  const lines = content.split('\n');
  return lines.length <= 3000 && lines.every((l) => l.length <= 400);
}

export function injectFault(opts: {
  language: LanguageId;
  path: string;
  chunkIndex: number;
  before: string;
  chunk: string;
  after: string;
  env: CheckEnvironment;
  seed: number;
}): Fault | undefined {
  if (!faultable(opts.before + opts.chunk + opts.after)) return undefined;
  const rng = createRng(mixSeed(opts.seed, 'fault', opts.path, opts.chunkIndex));
  const clean = runChecks(opts.language, opts.path, opts.before + opts.chunk + opts.after, opts.env);
  if (clean.findings.length > 0) return undefined; // the real file already fails: a fault would not be told apart
  for (const c of candidates(opts.language, opts.chunk, rng)) {
    if (c.draft === opts.chunk) continue;
    const report = runChecks(opts.language, opts.path, opts.before + c.draft + opts.after, opts.env);
    if (report.findings.length > 0) return { kind: c.kind, draft: c.draft, findings: report.findings };
  }
  return undefined;
}

/**
 * The edit that turns `faulty` back into `real`: the smallest run of whole lines that differs,
 * grown by neighbouring lines until `old` occurs exactly once in `faulty`.
 */
export function repairEdit(faulty: string, real: string): { old: string; new: string } {
  const a = faulty.split('\n');
  const b = real.split('\n');
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length - 1;
  let endB = b.length - 1;
  while (endA >= start && endB >= start && a[endA] === b[endB]) {
    endA--;
    endB--;
  }
  for (;;) {
    const old = a.slice(start, endA + 1).join('\n');
    const neu = b.slice(start, endB + 1).join('\n');
    const first = faulty.indexOf(old);
    if (old.length > 0 && first >= 0 && faulty.indexOf(old, first + 1) < 0) return { old, new: neu };
    if (start === 0 && endA === a.length - 1) return { old: faulty, new: real };
    if (start > 0) start--;
    if (endA < a.length - 1) {
      endA++;
      endB++;
    }
  }
}
