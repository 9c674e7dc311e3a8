/**
 * The grounded policy: offline and deterministic for a seed. Everything it says comes from the
 * facts (graph and real files), so every name it mentions exists; seeded choices vary the order and
 * wording. It needs no model and no network, so the whole pipeline runs anywhere.
 */
import { createRng, mixSeed } from '../../search/rng.ts';
import type { Proposer } from '../../search/proposer.ts';
import type { RepoSummary } from '../facts.ts';
import type {
  CheckReviewInput,
  DesignInput,
  DesignOutput,
  DiagnoseInput,
  FileIntentInput,
  PlanOutput,
  Policy,
  PolicySpec,
  ProposerContext,
  TestIntentInput,
} from '../policy.ts';
import type { Milestone } from '../types.ts';
import { choose, code, firstSentence, list, plural } from './text.ts';
import { groundedProposerFor } from './proposer.ts';

const MILESTONE_FILES = 8;

function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '.' : path.slice(0, i);
}

/** Consecutive runs of the writing order, cut where the directory changes or a run is full. */
export function milestonesFor(order: readonly string[]): Milestone[] {
  const groups: string[][] = [];
  for (const f of order) {
    const last = groups[groups.length - 1];
    if (last && last.length < MILESTONE_FILES && dirOf(last[0]!) === dirOf(f)) last.push(f);
    else groups.push([f]);
  }
  // Merge single-file groups into the previous one while it has room, so milestones mean something.
  const merged: string[][] = [];
  for (const g of groups) {
    const prev = merged[merged.length - 1];
    if (prev && g.length === 1 && prev.length < MILESTONE_FILES) prev.push(...g);
    else merged.push([...g]);
  }
  return merged.map((files, i) => {
    const dirs = [...new Set(files.map(dirOf))];
    const where = dirs.length === 1 ? (dirs[0] === '.' ? 'the top level' : code(`${dirs[0]}/`)) : list(dirs.map((d) => code(`${d}/`)), 3);
    return {
      title: `Milestone ${i + 1}: ${where}`,
      goal: `Write ${list(files.map(code), 4)}${i === 0 ? ', the foundation the rest builds on' : ''}.`,
      files,
    };
  });
}

export class GroundedPolicy implements Policy {
  readonly id = 'grounded';
  constructor(readonly spec: PolicySpec = { id: 'grounded', params: {} }) {}

  async plan(s: RepoSummary, seed: number): Promise<PlanOutput> {
    const rng = createRng(mixSeed(seed, 'plan', s.name));
    const langs = Object.entries(s.languages).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    const manifest = s.manifests.find((m) => m.description || m.name);
    const what = manifest?.description ?? firstSentence(s.readme) ?? `the code in ${list(s.topDirs.map((d) => code(`${d}/`)), 4)}`;
    const thoughts = [
      `${choose(rng, 'The repository is', 'I am rebuilding', 'This is')} ${code(s.name)}${manifest?.name ? ` (${code(manifest.name)})` : ''}: ${what}`,
      `${plural(s.files.length, 'file')}${langs.length ? `, mostly ${list(langs.map(([l, n]) => `${l} (${n})`), 3)}` : ''}. ${choose(
        rng,
        'Files import each other, so I will write them in dependency order: each file after everything it uses.',
        'I will follow the import graph: a file is written only once what it imports exists.',
      )}`,
    ];
    if (s.tests.length > 0) {
      thoughts.push(`${plural(s.tests.length, 'test file')} ${s.tests.length === 1 ? 'comes' : 'come'} right after the code ${s.tests.length === 1 ? 'it exercises' : 'they exercise'}: ${list(s.tests.map(code), 4)}.`);
    }
    const requirements: string[] = [];
    for (const m of s.manifests) {
      requirements.push(`${code(m.path)} declares ${m.name ? code(m.name) : 'the project'}${m.description ? `: ${m.description}` : ''}.`);
    }
    for (const d of s.topDirs.slice(0, 8)) {
      const n = s.files.filter((f) => f.startsWith(`${d}/`)).length;
      requirements.push(`${code(`${d}/`)} holds ${plural(n, 'file')}.`);
    }
    if (s.tests.length > 0) requirements.push(`The tests (${list(s.tests.map(code), 3)}) pass against the code they test.`);
    if (requirements.length === 0) requirements.push(`${plural(s.files.length, 'file')} at the top level, written in dependency order.`);
    return { thoughts, plan: { overview: thoughts[0]!, requirements, milestones: milestonesFor(s.order) } };
  }

  async design(input: DesignInput, seed: number): Promise<DesignOutput> {
    const f = input.file;
    const rng = createRng(mixSeed(seed, 'design', f.path));
    const defs = f.definitions;
    const responsibility =
      firstSentence(f.headerDoc) ??
      firstSentence(defs[0]?.doc) ??
      (defs.length > 0
        ? `Defines ${list(defs.map((d) => `${d.kind} ${code(d.name)}`), 4)}.`
        : f.language
          ? `A ${f.language} file with no top-level definitions.`
          : `A ${f.path.endsWith('.md') ? 'document' : 'support file'} of the repository.`);
    const dependencies = f.imports.map((p) => {
      const uses = f.importUses[p] ?? [];
      return { path: p, why: uses.length > 0 ? `uses ${list(uses.map(code), 4)}` : 'imported for its side effects or types' };
    });
    const design = {
      path: f.path,
      responsibility,
      publicInterface: defs.map((d) => d.signature),
      dependencies,
    };
    const thought = [
      `${code(f.path)} (${input.milestone.title}): ${responsibility}`,
      defs.length > 0 ? `${choose(rng, 'Its interface:', 'It exposes')} ${list(defs.map((d) => code(d.name)), 6)}.` : '',
      dependencies.length > 0
        ? `${choose(rng, 'It builds on', 'It depends on')} ${list(dependencies.map((d) => `${code(d.path)} (${d.why})`), 4)}.`
        : f.externals.length > 0
          ? `It needs only packages from outside: ${list(f.externals.map(code), 4)}.`
          : 'It stands alone.',
    ]
      .filter(Boolean)
      .join(' ');
    return { thought, design };
  }

  async fileIntent(input: FileIntentInput, seed: number): Promise<string> {
    const rng = createRng(mixSeed(seed, 'intent', input.file.path));
    const deps = input.design.dependencies.map((d) => code(d.path));
    return [
      `${choose(rng, 'Next:', 'Now')} ${code(input.file.path)}. ${input.design.responsibility}`,
      deps.length > 0 ? `${choose(rng, 'I read', 'First I look at')} ${list(deps, 4)}, already written.` : '',
      input.chunks > 1 ? `I write it in ${input.chunks} parts, one top-level definition at a time.` : '',
    ]
      .filter(Boolean)
      .join(' ');
  }

  proposer(ctx: ProposerContext): Proposer {
    return groundedProposerFor(ctx);
  }

  async reviewChecks(input: CheckReviewInput, seed: number): Promise<string> {
    const rng = createRng(mixSeed(seed, 'review', input.path, input.findings.length));
    if (input.findings.length === 0) {
      return `${choose(rng, 'Checks pass on', 'All checks are clean for')} ${code(input.path)}: ${list(input.checks)}.`;
    }
    const first = input.findings[0]!;
    return `${code(input.path)} fails the ${first.check} check at line ${first.line}: ${first.message}${
      input.findings.length > 1 ? ` (and ${plural(input.findings.length - 1, 'more finding')})` : ''
    }. ${choose(rng, 'It has to be fixed before going on.', 'The file does not stand as written.')}`;
  }

  async diagnose(input: DiagnoseInput, seed: number): Promise<string> {
    const rng = createRng(mixSeed(seed, 'diagnose', input.path));
    const first = input.findings[0];
    const where = input.definition ? ` in ${input.definition.kind} ${code(input.definition.name)}` : '';
    const parts = [
      first
        ? `The ${first.check} finding points at line ${first.line} of ${code(input.path)}${where}: ${first.message}.`
        : `Something is wrong in ${code(input.path)}${where}.`,
    ];
    if (input.fix) {
      const before = input.fix.before.trim();
      const after = input.fix.after.trim();
      parts.push(
        `${choose(rng, 'The line reads', 'As written:')} ${code(before.split('\n')[0]!.slice(0, 120))}. ${choose(
          rng,
          'It should read',
          'The intended code is',
        )} ${code(after.split('\n')[0]!.slice(0, 120))}.`,
      );
    }
    return parts.join(' ');
  }

  async testIntent(input: TestIntentInput, seed: number): Promise<string> {
    const rng = createRng(mixSeed(seed, 'test', input.file.path));
    const cases = input.file.definitions.map((d) => code(d.name));
    return [
      `${code(input.file.path)} ${choose(rng, 'tests', 'exercises')} ${list(input.subjects.map(code), 3)}.`,
      cases.length > 0 ? `Cases: ${list(cases, 6)}.` : '',
    ]
      .filter(Boolean)
      .join(' ');
  }

  async close(): Promise<void> {}
}
