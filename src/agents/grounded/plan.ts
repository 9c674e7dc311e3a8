/**
 * The grounded planner: the plan from the repository's summary (README, manifests, file tree: the
 * brief the team is given, and the import graph the writing order follows), inside the knowledge
 * boundary. Its thoughts, overview, requirements and milestone titles and goals are trained on, so
 * each is said only as far as the guard allows.
 *
 * Milestones are runs of the writing order (the conductor writes them in turn), at most twelve, cut
 * where the fewest imports cross; each is named by what it provides (its most imported files) and
 * its goal is a check anyone can run once it is done: its tests pass, or the files after it can
 * import what it provides.
 */
import { createRng, mixSeed } from '../../search/rng.ts';
import type { RepoSummary } from '../facts.ts';
import type { PlanInput, PlanOutput } from '../policy.ts';
import type { Milestone } from '../types.ts';
import { Speech } from './speech.ts';
import { capitalized, choose, code, firstSentence, list, pathWordsOf, plural, wordsOf } from './text.ts';
import { isWord } from '../../search/name-words.ts';

/** At most this many milestones, however large the repository. */
export const MAX_MILESTONES = 12;
/** About this many files a milestone on small repositories. */
const FILES_PER_MILESTONE = 6;

/** What the milestones are cut by: the import graph and the tests' subjects. */
export interface RepoStructure {
  imports?: Record<string, string[]>;
  testSubjects?: Record<string, string[]>;
}

/** How many milestones a writing order of `n` files gets. */
export function milestoneCount(n: number): number {
  return Math.max(1, Math.min(MAX_MILESTONES, Math.ceil(n / FILES_PER_MILESTONE)));
}

/** Edges of the structure as positions in `order`: (importer, imported), tests to their subjects too. */
function edgesIn(order: readonly string[], structure: RepoStructure): Array<[number, number]> {
  const at = new Map(order.map((p, i) => [p, i]));
  const out: Array<[number, number]> = [];
  const addAll = (from: string, to: readonly string[]) => {
    const a = at.get(from);
    if (a === undefined) return;
    for (const t of to) {
      const b = at.get(t);
      if (b !== undefined && b !== a) out.push([Math.max(a, b), Math.min(a, b)]);
    }
  };
  for (const [f, deps] of Object.entries(structure.imports ?? {})) addAll(f, deps);
  for (const [t, subjects] of Object.entries(structure.testSubjects ?? {})) addAll(t, subjects);
  return out;
}

/**
 * Consecutive runs of the writing order, `milestoneCount` of them: cut where the fewest nearby
 * imports cross (a file and what it builds on stay together), sizes kept near even.
 */
export function milestoneGroups(order: readonly string[], structure: RepoStructure = {}): string[][] {
  // Manifests and configuration lead the order and documents close it: the first go with the
  // first milestone; the last are one milestone of their own when there are a few, else the last's.
  const isSource = (f: string): boolean => structure.imports === undefined || f in structure.imports;
  let start = 0;
  while (start < order.length && !isSource(order[start]!)) start++;
  let end = order.length;
  while (end > start && !isSource(order[end - 1]!)) end--;
  if (start === end) return order.length > 0 ? [[...order]] : [];
  const tail = order.slice(end);
  const ownTail = tail.length >= 3 && milestoneCount(end - start) < MAX_MILESTONES;
  const groups = cutRuns(order.slice(start, end), structure, milestoneCount(end - start));
  groups[0]!.unshift(...order.slice(0, start));
  if (ownTail) groups.push(tail);
  else groups[groups.length - 1]!.push(...tail);
  return groups;
}

/** The cost of cutting before each position of `order` (imports between files near either side) and its mean. */
function crossingCosts(order: readonly string[], structure: RepoStructure, ideal: number): { crossing: Float64Array; mean: number } {
  const n = order.length;
  // crossing[p]: imports between files on either side of a cut before position p, near the cut.
  const diff = new Array<number>(n + 1).fill(0);
  for (const [a, b] of edgesIn(order, structure)) {
    if (a - b > 2 * ideal) continue; // far edges cross every cut alike: they say nothing about where to cut
    diff[b + 1]! += 1;
    diff[a + 1]! -= 1;
  }
  const crossing = new Float64Array(n + 1);
  for (let p = 1, run = 0; p <= n; p++) crossing[p] = run += diff[p]!;
  let total = 0;
  for (let p = 0; p <= n; p++) total += crossing[p]!;
  return { crossing, mean: total / n };
}

/**
 * `order` cut into `m` consecutive runs at the least cost: each run's size cost (its distance from
 * an even share, squared) plus, at each cut, the imports crossing it.
 *
 * best[k][j], the least cost of cutting order[0, j) into k runs, is cut(j) plus the least of
 * best[k-1][i] + size(j - i) over the runs [i, j) at most three shares long; ties go to the
 * smallest i. The runs are tried from the even share outwards, in both directions, and a direction
 * stops once even the smallest best[k-1] on its side, with its size cost, exceeds the best found:
 * rounding is monotone, so nothing past that point could win or tie. The choice is the one trying
 * every run would make, at a cost that no longer grows with the square of the repository.
 */
/**
 * Whether no run whose cost is at least `bound` can change the choice: it costs more than the best
 * found, or nothing is reachable at all (an infinite cost never wins, nor ties a finite one).
 */
const beyond = (bound: number, best: number): boolean => bound > best || bound === Infinity;

function cutRuns(order: readonly string[], structure: RepoStructure, m: number): string[][] {
  const n = order.length;
  const ideal = n / m;
  const { crossing, mean } = crossingCosts(order, structure, ideal);
  const widest = Math.max(1, Math.ceil(3 * ideal));
  const size = new Float64Array(widest + 1);
  for (let s = 1; s <= widest; s++) size[s] = (1 + mean) * 2 * ((s - ideal) / ideal) ** 2;
  let prev = new Float64Array(n + 1).fill(Infinity);
  prev[0] = 0;
  const from: Int32Array[] = [new Int32Array(0)];
  const evenShare = Math.min(widest, Math.max(1, Math.round(ideal)));
  for (let k = 1; k <= m; k++) {
    const cur = new Float64Array(n + 1).fill(Infinity);
    const back = new Int32Array(n + 1).fill(-1);
    // Lower bounds of prev over i <= x (prefixMin) and i >= x (suffixMin).
    const prefixMin = new Float64Array(n + 1);
    const suffixMin = new Float64Array(n + 2).fill(Infinity);
    for (let i = 0, low = Infinity; i <= n; i++) prefixMin[i] = low = Math.min(low, prev[i]!);
    for (let i = n; i >= 0; i--) suffixMin[i] = Math.min(suffixMin[i + 1]!, prev[i]!);
    for (let j = k; j <= n; j++) {
      const cut = j < n ? crossing[j]! : 0;
      const lo = Math.max(k - 1, j - widest);
      let bestC = Infinity;
      let bestI = -1;
      const consider = (i: number) => {
        const c = prev[i]! + size[j - i]! + cut;
        if (c < bestC || (c === bestC && i < bestI)) {
          bestC = c;
          bestI = i;
        }
      };
      const start = Math.max(lo, j - evenShare);
      // Longer runs (smaller i): size cost grows as i falls below the even share.
      for (let i = start; i >= lo; i--) {
        if (j - i >= ideal && beyond(prefixMin[i]! + size[j - i]! + cut, bestC)) break;
        consider(i);
      }
      // Shorter runs (larger i): size cost grows as the run shrinks below the even share.
      for (let i = start + 1; i < j; i++) {
        if (j - i <= ideal && beyond(suffixMin[i]! + size[j - i]! + cut, bestC)) break;
        consider(i);
      }
      cur[j] = bestC;
      back[j] = bestI;
    }
    from.push(back);
    prev = cur;
  }
  const groups: string[][] = [];
  for (let k = m, j = n; k > 0; k--) {
    const i = from[k]![j]!;
    groups.unshift(order.slice(i, j));
    j = i;
  }
  return groups.filter((g) => g.length > 0);
}

/** How many files of the repository import each file. */
function importersOf(structure: RepoStructure): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [f, deps] of Object.entries(structure.imports ?? {})) {
    for (const d of deps) {
      const users = out.get(d);
      if (users) users.push(f);
      else out.set(d, [f]);
    }
  }
  return out;
}

const CONFIG = /(^|\/)(package\.json|go\.mod|Cargo\.toml|pyproject\.toml|setup\.py|setup\.cfg|pom\.xml|build\.gradle(\.kts)?|tsconfig[^/]*\.json|\.gitignore|requirements[^/]*\.txt)$/;

/** Whether a file is code the graph parsed (without a graph: anything but manifests and documents). */
function isSourceIn(structure: RepoStructure, f: string): boolean {
  return structure.imports ? f in structure.imports : !CONFIG.test(f) && !/\.(md|rst|txt)$/i.test(f);
}

/** The files a milestone is named by: its most imported ones, or its last source file. */
function keyFiles(files: readonly string[], importers: Map<string, string[]>, tests: ReadonlySet<string>, structure: RepoStructure): string[] {
  const sources = files.filter((f) => !tests.has(f) && isSourceIn(structure, f));
  const ranked = sources.map((f, i) => ({ f, i, n: importers.get(f)?.length ?? 0 })).sort((a, b) => b.n - a.n || b.i - a.i);
  const hubs = ranked.filter((r) => r.n > 0).slice(0, 2).map((r) => r.f);
  if (hubs.length > 0) return hubs;
  // Nothing here is imported: the milestone is its files, the first of them named.
  if (sources.length > 0) return sources.slice(0, 2);
  const test = files.find((f) => tests.has(f));
  return test ? [test] : [];
}

/** `the heap (`heap/heap.go`)`: a file by its words, with its path. */
function named(path: string): string {
  const w = pathWordsOf(path);
  return w ? `the ${w} (${code(path)})` : code(path);
}

interface MilestoneText {
  titles: string[];
  goals: string[];
}

/** Title and goal candidates for one milestone, from the most to the least said. */
function milestoneText(i: number, files: readonly string[], later: ReadonlySet<string>, structure: RepoStructure, importers: Map<string, string[]>, tests: ReadonlySet<string>, rng: ReturnType<typeof createRng>): MilestoneText {
  const keys = keyFiles(files, importers, tests, structure);
  const label = `Milestone ${i + 1}`;
  const onlyConfig = files.every((f) => !isSourceIn(structure, f));
  const titles = onlyConfig
    ? [`${label}: the documents and configuration`]
    : keys.length > 0
      ? [`${label}: ${list(keys.map(named))}`, `${label}: ${list(keys.map(code))}`, ...keys.map((k) => `${label}: ${named(k)}`)]
      : [];
  titles.push(label);

  const goals: string[] = [];
  const ownTests = files.filter((f) => tests.has(f));
  const tested = ownTests.filter((t) => (structure.testSubjects?.[t] ?? []).length > 0);
  if (tested.length > 0) {
    const subjects = [...new Set(tested.flatMap((t) => structure.testSubjects?.[t] ?? []))];
    goals.push(
      `The tests in ${list(tested.map(code), 2)} pass against ${list(subjects.map(code), 2)}.`,
      `The tests in ${list(tested.map(code), 2)} pass.`,
      `Its ${plural(tested.length, 'test file')} pass against the code ${tested.length === 1 ? 'it exercises' : 'they exercise'}.`,
    );
  }
  const own = new Set(files);
  for (const k of keys) {
    const users = (importers.get(k) ?? []).filter((u) => later.has(u));
    if (users.length === 0) continue;
    const verb = choose(rng, 'can be imported by', 'is ready for');
    goals.push(
      `${capitalized(named(k))} ${verb} ${list(users.map(code), 2)}, written later.`,
      `${code(k)} ${verb} the ${plural(users.length, 'file')} after it that import it.`,
    );
    break;
  }
  for (const k of keys) {
    const along = (importers.get(k) ?? []).filter((u) => own.has(u) && u !== k);
    if (along.length === 0) continue;
    goals.push(
      along.length === 1
        ? `${capitalized(named(k))} and ${code(along[0]!)}, which imports it, pass the checks.`
        : `${capitalized(named(k))} and the ${plural(along.length, 'file')} here that import it (${list(along.map(code), 2)}) pass the checks.`,
      `${code(k)} and the ${along.length === 1 ? 'file here that imports it' : `${plural(along.length, 'file')} here that import it`} pass the checks.`,
    );
    break;
  }
  if (onlyConfig) goals.push('The documents and configuration are in place, as the brief lists them.');
  goals.push(`The ${plural(files.length, 'file')} of this milestone pass the checks, each written after what it imports${i === 0 ? ': the foundation the rest builds on' : ''}.`);
  return { titles, goals };
}

/**
 * Milestones of the writing order (see the module comment), their titles and goals said through
 * `say` (unguarded: an open speech). `structure`: the import graph; without it the runs are even.
 */
export function milestonesFor(order: readonly string[], say?: Speech, seed = 0, structure: RepoStructure = {}, groups: string[][] = milestoneGroups(order, structure)): Milestone[] {
  const rng = createRng(mixSeed(seed, 'milestones'));
  const importers = importersOf(structure);
  const tests = new Set(Object.keys(structure.testSubjects ?? {}));
  const pick = (alternatives: readonly string[]): string | undefined => (say ? say.first(...alternatives) : alternatives[0]);
  let done = 0;
  return groups.map((files, i) => {
    done += files.length;
    const later = new Set(order.slice(done));
    const t = milestoneText(i, files, later, structure, importers, tests, rng);
    const title = pick(t.titles) ?? `Milestone ${i + 1}`;
    const goal = pick(t.goals) ?? '';
    return { title, goal, files };
  });
}

/** What the repository is for, from the brief: its manifest's description, or its README's first sentence. */
function purposeOf(s: RepoSummary): string | undefined {
  const manifest = s.manifests.find((m) => m.description);
  return manifest?.description ?? firstSentence(readmeProse(s.readme));
}

/** The README without its badges, links-only lines and headings that only repeat the name. */
function readmeProse(readme: string | undefined): string | undefined {
  if (!readme) return undefined;
  const lines = readme.split('\n').filter((l) => !/^\s*(\[!\[|!\[|<|#|={3,}|-{3,}|\s*$)/.test(l));
  return lines.length > 0 ? lines.join('\n') : undefined;
}

export function planRepository(input: PlanInput, seed: number): PlanOutput {
  const s = input.summary;
  const rng = createRng(mixSeed(seed, 'plan', s.name));
  const say = new Speech(input.guard);
  const present = new Set(s.files);
  const tests = new Set(s.tests);
  const langs = Object.entries(s.languages).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const manifest = s.manifests.find((m) => m.description || m.name);
  const what = purposeOf(s);
  const pkg = manifest?.name && manifest.name !== s.name ? ` (${code(manifest.name)})` : '';
  const opening = choose(rng, 'The repository is', 'I am rebuilding', 'This is');
  // Without a description, the directories' names are what the brief says of its parts.
  const readable = (w: string | undefined): w is string => w !== undefined && w.length > 0 && w.split(' ').every(isWord);
  const dirs = s.topDirs.map((d) => wordsOf(d).join(' ')).filter(readable);
  const areas = what ? [] : dirs.length > 1 ? dirs : [...new Set(s.order.filter((f) => !tests.has(f)).map(pathWordsOf))].filter(readable);
  const first = say.first(
    what ? `${opening} ${code(s.name)}${pkg}: ${what.replace(/\.$/, '')}.` : undefined,
    `${opening} ${code(s.name)}${pkg}.`,
    `${opening} ${code(s.name)}.`,
    areas.length > 0 ? `The repository I am given has no README or manifest to say what it does; its ${dirs.length > 1 ? 'directories' : 'files'} do: ${list(areas, 6)}.` : undefined,
    `${opening} the repository I am given.`,
  );
  const structure: RepoStructure = { ...(s.imports ? { imports: s.imports } : {}), ...(s.testSubjects ? { testSubjects: s.testSubjects } : {}) };
  const importers = importersOf(structure);
  const hubs = [...importers].filter(([f]) => present.has(f)).sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1)).slice(0, 3);
  const order = choose(
    rng,
    'Files import each other, so I will write them in dependency order: each file after everything it uses.',
    'I will follow the import graph: a file is written only once what it imports exists.',
  );
  say.first(`${plural(s.files.length, 'file')}${langs.length ? `, mostly ${list(langs.map(([l, n]) => `${l} (${plural(n, 'file')})`), 3)}` : ''}. ${order}`, order);
  if (hubs.length > 0) {
    say.first(
      `The most imported: ${list(hubs.map(([f, users]) => `${code(f)} (by ${plural(users.length, 'file')})`))}. They come early, and the milestones are cut around them.`,
      `The most imported files come early, and the milestones are cut around them.`,
    );
  }
  const groups = milestoneGroups(s.order, structure);
  if (s.tests.length > 0) {
    const one = s.tests.length === 1;
    say.first(
      `${plural(s.tests.length, 'test file')} ${one ? 'checks' : 'check'} the work: ${list(s.tests.map(code), 4)}; a milestone with tests is done when they pass.`,
      `The tests check the work: a milestone with tests is done when they pass.`,
    );
  }
  say.first(
    groups.length === 1
      ? 'One milestone holds it all: the repository is small enough to write in one run of the writing order.'
      : `${capitalized(plural(groups.length, 'milestone'))}, each a run of the writing order that delivers something the next ones use.`,
  );
  const thoughts = [...say.said];
  const overview =
    say.first(
      first && what ? `${first} It is rebuilt file by file in dependency order, in ${plural(groups.length, 'milestone')}.` : undefined,
      first ?? undefined,
      `A plan for ${code(s.name)}, in dependency order.`,
      'A plan for the repository, in dependency order.',
    ) ?? '';

  const requirements: string[] = [];
  const require = (...alternatives: Array<string | undefined>): void => {
    const r = say.first(...alternatives);
    if (r) requirements.push(r);
  };
  if (what) require(`It does what its brief says: ${what.replace(/\.$/, '')}.`);
  for (const m of s.manifests) {
    const who = m.name ? code(m.name) : 'the project';
    require(`${code(m.path)} declares ${who}${m.description ? `: ${m.description}` : ''}.`, `${code(m.path)} declares ${who}.`, `${code(m.path)} declares the project.`);
  }
  for (const [f, users] of hubs) {
    const others = users.filter((u) => u !== f);
    const one = others.length === 1;
    require(`${capitalized(named(f))} provides what ${list(others.map(code), 2)} ${one ? 'imports' : 'import'}.`, `${code(f)} provides what ${plural(others.length, 'other file')} ${one ? 'imports' : 'import'}.`);
  }
  const entries = s.order.filter((f) => (s.imports?.[f]?.length ?? 0) > 1 && !importers.has(f) && !tests.has(f));
  if (entries.length > 0) require(`${list(entries.map(code), 3)} ${entries.length === 1 ? 'brings' : 'bring'} the rest together: nothing imports ${entries.length === 1 ? 'it' : 'them'}, ${entries.length === 1 ? 'it imports' : 'they import'} the others.`);
  if (s.tests.length > 0) require(`The tests (${list(s.tests.map(code), 3)}) pass against the code they test.`, 'The tests pass against the code they test.');
  require('Every file is written after what it imports, so each one can be checked as soon as it is written.');

  return { thoughts, plan: { overview, requirements, milestones: milestonesFor(s.order, say, seed, structure, groups) } };
}
