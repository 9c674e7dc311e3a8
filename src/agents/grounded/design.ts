/**
 * The grounded architect: a file's design from its facts, inside the knowledge boundary. The
 * design is trained on before the file is written, so it declares what the file provides — kinds
 * and names, how many parameters, which known base a class extends — and never how: not its
 * signature lines (their parameter names and defaults are the answer), not its header comment.
 */
import { createRng, mixSeed } from '../../search/rng.ts';
import { tokenize } from '../../search/score/mod.ts';
import type { DefinitionFacts, FileFacts } from '../facts.ts';
import type { DesignInput, DesignOutput } from '../policy.ts';
import type { FileDesign } from '../types.ts';
import { Speech } from './speech.ts';
import { actionOf, capitalized, choose, code, counted, list, pathWordsOf, phraseOf, plural } from './text.ts';

const RECEIVERS = new Set(['self', 'cls', 'this', '&self', '&mut self']);

/** The parameters a signature line declares, when the line holds the whole list. */
export function parameterCount(signature: string): number | undefined {
  const tokens = tokenize(signature).filter((t) => t.trim().length > 0);
  const open = tokens.indexOf('(');
  if (open < 0) return undefined;
  let depth = 0;
  const parts: string[][] = [[]];
  for (let k = open; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t === '(' || t === '[' || t === '{' || t === '<') depth++;
    else if (t === ')' || t === ']' || t === '}' || t === '>') depth--;
    if (depth === 0) {
      const named = parts.filter((p) => p.length > 0 && !RECEIVERS.has(p.join(' ')) && !['*', '/', 'void'].includes(p.join('')));
      return named.length;
    }
    if (k === open) continue;
    if (t === ',' && depth === 1) parts.push([]);
    else parts[parts.length - 1]!.push(t);
  }
  return undefined;
}

/** The base class a class's signature line names (`extends B`, Python's `class A(B):`). */
export function baseClassOf(signature: string, language: FileFacts['language']): string | undefined {
  const ext = /\bextends\s+([A-Za-z_$][\w$.]*)/.exec(signature);
  if (ext) return ext[1];
  if (language === 'python') {
    const m = /^\s*class\s+\w+\s*\(\s*([A-Za-z_][\w.]*)\s*[,)]/.exec(signature);
    if (m && m[1] !== 'object') return m[1];
  }
  return undefined;
}

/** One entry of the public interface: candidates from the richest to a kind and a name. */
export function interfaceCandidates(def: DefinitionFacts, language: FileFacts['language']): string[] {
  const plain = `${def.kind} ${code(def.name)}`;
  const async = /\basync\b/.test(def.signature.split('(')[0] ?? '') ? 'async ' : '';
  const out: string[] = [];
  if (def.kind === 'function' || def.kind === 'method') {
    const n = parameterCount(def.signature);
    if (n !== undefined) out.push(`${async}${plain} (${n === 0 ? 'no parameters' : plural(n, 'parameter')})`);
    if (async) out.push(`${async}${plain}`);
  } else if (def.kind === 'class') {
    const base = baseClassOf(def.signature, language);
    if (base) out.push(`${plain} (extends ${code(base)})`);
  }
  out.push(plain);
  return out;
}

const MANIFEST = /(^|\/)(package\.json|go\.mod|Cargo\.toml|pyproject\.toml|setup\.py|setup\.cfg|pom\.xml|build\.gradle(\.kts)?)$/;

/** What a file without definitions is, from its path and language alone. */
function plainFileRole(f: FileFacts): string {
  if (MANIFEST.test(f.path)) return "The project's manifest: its name, its dependencies and how it is built.";
  if (/\.(md|rst|txt)$/i.test(f.path)) return 'A document of the repository.';
  if (/\.(json|ya?ml|toml|ini|cfg)$/i.test(f.path)) return 'Configuration for the tools the project uses.';
  if (f.isTest) return `A test file: cases that run the code it imports.`;
  // A Java file declares a type or documents its package or module: it never runs on its own.
  if (f.language === 'java') return "Its package's documentation and annotations: no type of its own.";
  return f.language ? `A ${f.language} file with no top-level definitions: code that runs when it is loaded.` : 'A support file of the repository.';
}

/** `three functions (`a`, `b` and `c`) and a class (`D`)`, names left out where unsayable. */
function provided(defs: readonly DefinitionFacts[], sayable: (name: string) => boolean, withNames: boolean): string {
  const kinds = new Map<string, DefinitionFacts[]>();
  for (const d of defs) kinds.set(d.kind, [...(kinds.get(d.kind) ?? []), d]);
  const parts = [...kinds].map(([kind, ds]) => {
    const word = kind === 'class' ? counted(ds.length, 'class', 'classes') : counted(ds.length, kind);
    const names = withNames ? [...new Set(ds.map((d) => d.name))].filter(sayable) : [];
    if (names.length === 0) return word;
    // Where the guard keeps some names back, the ones said are not all there is.
    return names.length < ds.length ? `${word} (among them ${list(names.map(code), 4)})` : `${word} (${list(names.map(code), 4)})`;
  });
  return list(parts, 4);
}

/** What the milestone delivers, from its title (`Milestone 2: the heap (...)` -> `the heap (...)`). */
export function capabilityOf(title: string): string | undefined {
  const m = /^Milestone \d+:\s*(.+)$/.exec(title.trim());
  return m ? m[1]!.trim() : undefined;
}

/** Who builds on the file: the files importing it, by path (the brief's file tree). */
function usedBy(f: FileFacts, sayable: (text: string) => boolean): string | undefined {
  const users = f.dependents.filter((p) => p !== f.path && sayable(code(p)));
  if (users.length === 0) return undefined;
  return users.length > 3 ? `${plural(f.dependents.length, 'file')} import it, ${list(users.map(code), 2)} among them` : `${list(users.map(code), 3)} ${users.length === 1 ? 'imports' : 'import'} it`;
}

/** Why the file imports `p`: what it uses from it (known names only), and for what where that reads. */
function dependencyWhy(p: string, uses: readonly string[], sayable: (name: string) => boolean, rng: ReturnType<typeof createRng>): string[] {
  // Public names first: a dependency is used for what it exports, and its members follow.
  const names = [...uses.filter((n) => !n.startsWith('_')), ...uses.filter((n) => n.startsWith('_'))].filter(sayable);
  const out: string[] = [];
  if (names.length > 0) {
    const shown = list(names.map(code), 4);
    // A one-word action only restates the name (`push`: pushing); a phrase says what it is for.
    const action = names.map((n) => (phraseOf(n) ? actionOf(n) : undefined)).find((a) => a !== undefined);
    const verb = choose(rng, 'uses', 'needs', 'takes', 'relies on');
    if (action) out.push(`${verb} ${shown}, for ${action}${names.length > 1 ? ' among other things' : ''}`);
    out.push(`${verb} ${shown}`);
  }
  const words = pathWordsOf(p);
  if (words) out.push(`imported for what the ${words} file defines`);
  out.push('imported for what it defines', 'written before it');
  return out;
}

export function designFile(input: DesignInput, seed: number): DesignOutput {
  const f = input.file;
  const rng = createRng(mixSeed(seed, 'design', f.path));
  const declarable = new Set(input.declarable);
  const defs = declarable.size > 0 ? f.definitions.filter((d) => declarable.has(d.name)) : f.definitions;
  // The design's fields are chosen first; the thought before them is then held to what follows it.
  const fields = new Speech(input.guard);
  const sayable = (name: string) => fields.admits(code(name));
  const words = pathWordsOf(f.path);

  const verb = choose(rng, 'Provides', 'Defines', 'Holds');
  const builds = [...f.imports, ...f.externals].filter((p) => fields.admits(code(p)));
  const on = builds.length > 0 ? `, building on ${list(builds.map(code), 4)}` : '';
  const users = usedBy(f, (t) => fields.admits(t));
  const forWhom = users ? `; ${users}` : '';
  const subjects = f.imports.filter((p) => fields.admits(code(p)));
  // A document names the code it documents: the files written before it that define those names.
  const documented = (f.documents ?? []).map((x) => ({ path: x.path, names: x.names.filter(sayable) })).filter((x) => x.names.length > 0 && fields.admits(code(x.path)));
  const docNames = [...new Set(documented.flatMap((x) => x.names))];
  const responsibility =
    (documented.length > 0
      ? fields.first(
          `Documents the code of ${list(documented.map((x) => code(x.path)), 3)} for its readers: ${list(docNames.map(code), 4)} among what it explains.`,
          `Documents the code of ${list(documented.map((x) => code(x.path)), 3)} for its readers.`,
        )
      : undefined) ??
    (f.isTest && subjects.length > 0
      ? fields.first(
          `Tests for ${list(subjects.map(code), 3)}: cases that run what ${subjects.length === 1 ? 'it defines' : 'they define'}.`,
          words ? `Tests of the ${words.replace(/ test$/, '')} code: cases that run what it imports.` : undefined,
          'Tests for the code it imports.',
        )
      : undefined) ??
    (defs.length > 0
      ? fields.first(
          `${verb} ${provided(defs, sayable, true)}${on}${forWhom}.`,
          `${verb} ${provided(defs, sayable, true)}${on}.`,
          `${verb} ${provided(defs, sayable, true)}.`,
          `${verb} ${provided(defs, sayable, false)}.`,
        )
      : fields.first(plainFileRole(f))) ??
    fields.first(plainFileRole(f), 'A file of the repository.') ??
    '';

  const publicInterface: string[] = [];
  for (const d of defs) {
    const entry = fields.first(...interfaceCandidates(d, f.language));
    if (entry) publicInterface.push(entry);
  }

  const dependencies: FileDesign['dependencies'] = [];
  for (const x of documented) {
    const why = fields.first(`${x.path}: documented here: ${list(x.names.map(code), 4)}`, `${x.path}: the code it documents`);
    if (why) dependencies.push({ path: x.path, why: why.slice(x.path.length + 2) });
  }
  for (const p of f.imports) {
    const said = fields.first(...dependencyWhy(p, f.importUses[p] ?? [], sayable, rng).map((why) => `${p}: ${why}`));
    if (said) dependencies.push({ path: p, why: said.slice(p.length + 2) });
  }

  const fieldTexts = [responsibility, ...publicInterface, ...dependencies.map((d) => `${d.path}: ${d.why}`)];
  const thought = new Speech(input.guard, fieldTexts);
  const names = publicInterface.length > 0 ? defs.map((d) => d.name).filter(sayable) : [];
  const capability = capabilityOf(input.milestone.title);
  const p = code(f.path);
  const where = choose(rng, 'capability', 'words', 'path');
  const firstLine = [
    capability && where === 'capability' ? `For ${capability}, ${p}: ${responsibility}` : undefined,
    words && where !== 'path' ? `${capitalized(words)} comes next, ${p}. ${responsibility}` : undefined,
    capability ? `For ${capability}, ${p}: ${responsibility}` : undefined,
    `${p} (${input.milestone.title}): ${responsibility}`,
  ];
  thought.first(...firstLine);
  thought.each([
    names.length > 0 ? `${choose(rng, 'Its interface:', 'It exposes', 'Others will call')} ${list(names.map(code), 6)}.` : undefined,
    dependencies.length > 0
      ? `${choose(rng, 'It builds on', 'It depends on')} ${list(dependencies.map((d) => `${code(d.path)} (${d.why})`), 4)}.`
      : f.externals.length > 0
        ? `It needs only packages from outside: ${list(f.externals.map(code), 4)}.`
        : 'It stands alone.',
  ]);
  const said = thought.said.length > 0 ? thought.said : [thought.first(`Next to design: ${code(f.path)}.`, 'Next to design: one more file.') ?? ''];
  return { thought: said.join(' '), design: { path: f.path, responsibility, publicInterface, dependencies } };
}
