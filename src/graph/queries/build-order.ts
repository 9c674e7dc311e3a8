/**
 * The order to write files in: a file after everything it imports, and a test after the file it
 * tests. Import cycles are condensed into one step (strongly connected components); steps are
 * grouped into topological generations (a step's generation is one more than the latest of its
 * dependencies'); within a generation, steps are sorted by path, so the order is deterministic.
 */
import { stronglyConnected } from './scc.ts';
import { testSubjects } from './test-files.ts';

export interface BuildStep {
  /** One file, or the files of an import cycle (sorted). */
  files: string[];
  cycle: boolean;
}

export interface BuildOrder {
  generations: BuildStep[][];
  /** Every file, in order. */
  order: string[];
  /** Import cycles (components of more than one file, or a file importing itself). */
  cycles: string[][];
}

/** `dependsOn(f)`: files f needs written before it (its repo imports). */
export function buildOrder(files: readonly string[], dependsOn: (file: string) => readonly string[]): BuildOrder {
  const sorted = [...files].sort();
  const known = new Set(sorted);
  const subjects = testSubjects(sorted);
  const deps = new Map<string, string[]>();
  for (const f of sorted) {
    const d = new Set(dependsOn(f).filter((x) => known.has(x)));
    const subject = subjects.get(f);
    if (subject !== undefined && subject !== f) d.add(subject);
    deps.set(f, [...d].sort());
  }
  const components = stronglyConnected(sorted, (f) => deps.get(f)!);
  const componentOf = new Map<string, number>();
  components.forEach((c, i) => c.forEach((f) => componentOf.set(f, i)));
  // Tarjan emits a component only after every component it reaches, i.e. after its dependencies:
  // one pass in emission order settles each generation.
  const generationOf: number[] = [];
  components.forEach((comp, i) => {
    let g = 0;
    for (const f of comp) for (const d of deps.get(f)!) {
      const j = componentOf.get(d)!;
      if (j !== i) g = Math.max(g, generationOf[j]! + 1);
    }
    generationOf[i] = g;
  });
  const generations: BuildStep[][] = [];
  const cycles: string[][] = [];
  components.forEach((files, i) => {
    const selfLoop = files.length === 1 && deps.get(files[0]!)!.includes(files[0]!);
    const step: BuildStep = { files, cycle: files.length > 1 || selfLoop };
    if (step.cycle) cycles.push(files);
    (generations[generationOf[i]!] ??= []).push(step);
  });
  for (const gen of generations) gen.sort((a, b) => (a.files[0]! < b.files[0]! ? -1 : 1));
  cycles.sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
  return { generations, order: generations.flatMap((g) => g.flatMap((s) => s.files)), cycles };
}
