/**
 * The grounded planner: the plan from the repository's summary (README, manifests, file tree: the
 * brief the team is given), inside the knowledge boundary. Its thoughts, overview, requirements and
 * milestone titles and goals are trained on, so each is said only as far as the guard allows.
 */
import { createRng, mixSeed } from '../../search/rng.ts';
import type { PlanInput, PlanOutput } from '../policy.ts';
import type { Milestone } from '../types.ts';
import { Speech } from './speech.ts';
import { choose, code, firstSentence, list, plural } from './text.ts';

const MILESTONE_FILES = 8;

function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '.' : path.slice(0, i);
}

/** Consecutive runs of the writing order, cut where the directory changes or a run is full. */
export function milestoneGroups(order: readonly string[]): string[][] {
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
  return merged;
}

/** Milestones of the writing order, their titles and goals said through `say` (unguarded: an open speech). */
export function milestonesFor(order: readonly string[], say?: Speech, seed = 0): Milestone[] {
  const rng = createRng(mixSeed(seed, 'milestones'));
  return milestoneGroups(order).map((files, i) => {
    const dirs = [...new Set(files.map(dirOf))];
    const dirName = (d: string) => (d === '.' ? 'the top level' : code(`${d}/`));
    const where = list(dirs.map(dirName), 3);
    const title = `Milestone ${i + 1}: ${where}`;
    const foundation = i === 0 ? ', the foundation the rest builds on' : '';
    const verb = choose(rng, 'Write', 'Rebuild');
    const goal = `${verb} ${list(files.map(code), 4)}${foundation}.`;
    if (!say) return { title, goal, files };
    return {
      title: say.first(title, `Milestone ${i + 1}`) ?? `Milestone ${i + 1}`,
      goal: say.first(goal, `${verb} the ${plural(files.length, 'file')} of this milestone${foundation}.`) ?? '',
      files,
    };
  });
}

export function planRepository(input: PlanInput, seed: number): PlanOutput {
  const s = input.summary;
  const rng = createRng(mixSeed(seed, 'plan', s.name));
  const say = new Speech(input.guard);
  const langs = Object.entries(s.languages).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const manifest = s.manifests.find((m) => m.description || m.name);
  const what = manifest?.description ?? firstSentence(s.readme) ?? `the code in ${list(s.topDirs.map((d) => code(`${d}/`)), 4)}`;
  const opening = choose(rng, 'The repository is', 'I am rebuilding', 'This is');
  const pkg = manifest?.name && manifest.name !== s.name ? ` (${code(manifest.name)})` : '';
  const first = say.first(`${opening} ${code(s.name)}${pkg}: ${what}`, `${opening} ${code(s.name)}${pkg}.`, `${opening} ${code(s.name)}.`, `${opening} the repository I am given.`);
  const order = choose(
    rng,
    'Files import each other, so I will write them in dependency order: each file after everything it uses.',
    'I will follow the import graph: a file is written only once what it imports exists.',
  );
  say.first(`${plural(s.files.length, 'file')}${langs.length ? `, mostly ${list(langs.map(([l, n]) => `${l} (${plural(n, 'file')})`), 3)}` : ''}. ${order}`, order);
  if (s.tests.length > 0) {
    const one = s.tests.length === 1;
    say.first(
      `${plural(s.tests.length, 'test file')} ${one ? 'comes' : 'come'} right after the code ${one ? 'it exercises' : 'they exercise'}: ${list(s.tests.map(code), 4)}.`,
      `The tests come right after the code they exercise.`,
    );
  }
  const thoughts = [...say.said];
  const overview = say.first(first ?? '', `A plan for ${code(s.name)}, in dependency order.`, 'A plan for the repository, in dependency order.') ?? '';

  const requirements: string[] = [];
  const require = (...alternatives: Array<string | undefined>): void => {
    const r = say.first(...alternatives);
    if (r) requirements.push(r);
  };
  for (const m of s.manifests) {
    const who = m.name ? code(m.name) : 'the project';
    require(`${code(m.path)} declares ${who}${m.description ? `: ${m.description}` : ''}.`, `${code(m.path)} declares ${who}.`, `${code(m.path)} declares the project.`);
  }
  for (const d of s.topDirs.slice(0, 8)) {
    const n = s.files.filter((f) => f.startsWith(`${d}/`)).length;
    require(`${code(`${d}/`)} holds ${plural(n, 'file')}.`);
  }
  if (s.tests.length > 0) require(`The tests (${list(s.tests.map(code), 3)}) pass against the code they test.`, 'The tests pass against the code they test.');
  if (requirements.length === 0) require(`${plural(s.files.length, 'file')} at the top level, written in dependency order.`, 'Every file written in dependency order.');

  return { thoughts, plan: { overview, requirements, milestones: milestonesFor(s.order, say, seed) } };
}
