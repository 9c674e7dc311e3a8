/**
 * The subject map (every subject Retrace uses is built here) and subject matching.
 *
 * A subject is dot-separated tokens. In a pattern, `*` matches exactly one token and `>` (last
 * token only) matches one or more. Tokens are non-empty and hold no whitespace.
 */
import { InvalidSubjectError } from './errors.ts';

const TOKEN_RE = /^[^\s.*>]+$/;

export const subjects = {
  work: (run: string, role: string) => `retrace.${token(run)}.work.${token(role)}`,
  event: (run: string, kind: string) => `retrace.${token(run)}.event.${token(kind)}`,
  trace: (run: string) => `retrace.${token(run)}.trace`,
  graph: (repo: string, query: string) => `retrace.graph.${token(repo)}.${token(query)}`,
  searchRefine: () => 'retrace.search.refine',
  score: (model: string) => `retrace.score.${token(model)}`,
  control: (role: string) => `retrace.control.${token(role)}`,
  deadLetter: (kind: string) => `retrace-dlq.${token(kind)}`,
  /** Where malformed messages received on plain subscriptions are recorded. */
  malformed: () => 'retrace-dlq.malformed',
} as const;

export const buckets = {
  policies: 'retrace-policies',
  runs: 'retrace-runs',
} as const;

/** Makes a name safe as one subject token: anything but [A-Za-z0-9_-] becomes `_`. */
export function token(name: string): string {
  if (name.length === 0) throw new InvalidSubjectError('empty subject token');
  return name.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** Throws InvalidSubjectError unless `subject` is a concrete subject (no wildcards). */
export function assertSubject(subject: string): void {
  const parts = subject.split('.');
  for (const part of parts) {
    if (!TOKEN_RE.test(part)) throw new InvalidSubjectError(`invalid subject "${subject}"`);
  }
}

/** Throws InvalidSubjectError unless `pattern` is a valid subscription pattern. */
export function assertPattern(pattern: string): void {
  const parts = pattern.split('.');
  parts.forEach((part, i) => {
    if (part === '*') return;
    if (part === '>' && i === parts.length - 1) return;
    if (!TOKEN_RE.test(part)) throw new InvalidSubjectError(`invalid subject pattern "${pattern}"`);
  });
}

/** Whether concrete `subject` matches `pattern`. */
export function subjectMatches(pattern: string, subject: string): boolean {
  if (pattern === subject) return true;
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    const pt = p[i];
    if (pt === '>') return s.length > i;
    if (i >= s.length) return false;
    if (pt !== '*' && pt !== s[i]) return false;
  }
  return p.length === s.length;
}

/** Whether two patterns can match a common subject (used to reject overlapping work queues). */
export function patternsOverlap(a: string, b: string): boolean {
  const p = a.split('.');
  const q = b.split('.');
  for (let i = 0; ; i++) {
    const x = p[i];
    const y = q[i];
    if (x === '>' || y === '>') return x !== undefined && y !== undefined;
    if (x === undefined || y === undefined) return x === y;
    if (x !== '*' && y !== '*' && x !== y) return false;
  }
}

/** A name usable as a JetStream stream/consumer name or KV bucket: [A-Za-z0-9_-]. */
export function resourceName(name: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(name)) {
    throw new InvalidSubjectError(`"${name}" is not a valid name: use letters, digits, _ and -`);
  }
  return name;
}
