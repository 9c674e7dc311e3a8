/**
 * The grounded coder's and tester's opening thoughts, inside the knowledge boundary: what the file
 * is for (its design, which is known), what is read first and in what state (a file written, or
 * only the design of one not written yet), how it is written, and what can go wrong (from the
 * kinds and signatures of its definitions) — never what it will contain.
 */
import { createRng, mixSeed, type Rng } from '../../search/rng.ts';
import type { DefinitionFacts, FileFacts } from '../facts.ts';
import type { FileIntentInput, TestIntentInput } from '../policy.ts';
import { Speech } from './speech.ts';
import { actionOf, capitalized, choose, code, counted, list, pathWordsOf, wordsOf } from './text.ts';
import { isWord } from '../../search/name-words.ts';
import { isProsePath } from '../../search/facts/prose.ts';

/** The first sentence of a thought about `path`: led by the file's words, its main action, or its path. */
function openers(rng: Rng, path: string, lead: string | undefined): string[] {
  const p = code(path);
  const words = pathWordsOf(path);
  const byWords = words ? choose(rng, `${capitalized(words)} comes next: ${p}.`, `On to the ${words} file, ${p}.`, `The ${words} file is next: ${p}.`) : undefined;
  const byLead = lead ? `${capitalized(lead)} is what ${p} is for.` : undefined;
  const byPath = `${choose(rng, 'Next:', 'Now')} ${p}.`;
  const form = choose(rng, 'words', 'lead', 'words', 'path');
  const ordered = form === 'lead' ? [byLead, byWords, byPath] : form === 'path' ? [byPath, byWords, byLead] : [byWords, byLead, byPath];
  return [...ordered.filter((x): x is string => x !== undefined), `${choose(rng, 'Next:', 'Now')} the next file.`];
}

/** What can go wrong in a definition, read off its kind and first line: the cases to get right. */
function riskOf(d: DefinitionFacts, language: FileFacts['language']): string | undefined {
  const sig = d.signature;
  const n = code(d.name);
  if (language === 'go' && /\berror\)?\s*\{?\s*$/.test(sig)) return `${n} returns an error: every way it can fail has to reach the caller, not be dropped`;
  if (language === 'rust') {
    if (/->\s*(?:[\w:]+::)?Result\b/.test(sig)) return `${n} returns a \`Result\`: its error cases are part of its interface`;
    if (/->\s*Option\b/.test(sig)) return `${n} returns an \`Option\`: the case where there is nothing has to be handled`;
    if (/\bunsafe\b/.test(sig)) return `${n} is unsafe: the invariants it relies on have to hold at every call`;
  }
  if (language === 'java') {
    const t = /\bthrows\s+([\w.]+)/.exec(sig);
    if (t) return `${n} declares that it throws \`${t[1]}\`: callers have to be able to handle it`;
  }
  if (language === 'python' && /=\s*None\b/.test(sig)) return `${n} takes arguments that default to None: the absent case comes first`;
  if ((language === 'typescript' || language === 'tsx') && /\?\s*:|\|\s*(undefined|null)\b/.test(sig)) return `${n} takes or gives values that may be missing`;
  if ((language === 'c' || language === 'cpp') && /\(\s*[^)]*\*/.test(sig) && d.kind === 'function') return `${n} takes pointers: a null or short buffer is the case to think about`;
  if (/\basync\b/.test(sig.split('(')[0] ?? '')) return `${n} is async: a failure arrives as a rejection, after other work has run`;
  return undefined;
}

export function fileIntentText(input: FileIntentInput, seed: number): string {
  const rng = createRng(mixSeed(seed, 'intent', input.file.path));
  const say = new Speech(input.guard);
  const d = input.design;
  const f = input.file;
  const known = (name: string): boolean => say.admits(code(name));
  const main = f.definitions.find((x) => (x.kind === 'function' || x.kind === 'method') && actionOf(x.name) !== undefined && known(x.name));
  say.first(...openers(rng, f.path, main ? actionOf(main.name) : undefined));
  if (d.responsibility) say.first(d.responsibility);
  const entries = d.publicInterface.filter((e) => say.admits(e));
  if (entries.length > 0) say.first(`${choose(rng, 'It has to provide', 'Its interface is', 'What it must offer:')} ${list(entries, 3)}.`);
  const written = input.reads.filter((r) => r.written).map((r) => r.path).filter((p) => say.admits(code(p)));
  const designed = input.reads.filter((r) => !r.written).map((r) => r.path).filter((p) => say.admits(code(p)));
  if (written.length > 0) say.first(`${choose(rng, 'I read', 'First I look at', 'I start by reading')} ${list(written.map(code), 4)}, already written.`);
  if (designed.length > 0) {
    const one = designed.length === 1;
    say.first(
      `${list(designed.map(code), 4)} ${one ? 'is' : 'are'} not written yet (${one ? 'it imports' : 'they import'} this file too): ${one ? 'its design is' : 'their designs are'} what there is to read.`,
      `Some of what it imports is not written yet: its design is what there is to read.`,
    );
  }
  const why = d.dependencies.find((x) => say.admits(`${code(x.path)} ${x.why}`));
  const prose = f.language === null && isProsePath(f.path);
  const documents = why && prose ? /^documented here:\s*(.+?)\.?$/.exec(why.why.trim())?.[1] : undefined;
  if (why && prose) say.first(documents ? `It follows the code of ${code(why.path)}, written before: it documents ${documents}.` : `It follows the code of ${code(why.path)}, written before.`);
  else if (why) say.first(`What it takes from ${code(why.path)}: ${why.why.trim().replace(/\.$/, '')}.`);
  // How: the order of the parts, starting with the first definition.
  const first = f.definitions.find((x) => known(x.name));
  const start = first ? `, starting with the ${first.kind} ${code(first.name)}` : '';
  if (input.chunks > 1 && prose) {
    say.first(
      `I write it in ${counted(input.chunks, 'part')}, a section or a few paragraphs at a time, each after thinking about what it is for.`,
      'I write it in parts, a section or a few paragraphs at a time.',
    );
  } else if (input.chunks > 1) {
    say.first(
      `I write it in ${counted(input.chunks, 'part')}, one definition or part of one at a time${start}.`,
      `I write it in ${counted(input.chunks, 'part')}, one definition or part of one at a time.`,
      'I write it in parts, one definition or part of one at a time.',
    );
  }
  // What can go wrong: the definitions whose first line says they can fail or get nothing.
  const risks = f.definitions.map((x) => (known(x.name) ? riskOf(x, f.language) : undefined)).filter((r): r is string => r !== undefined);
  if (risks.length > 0) {
    say.first(`${choose(rng, 'What can go wrong:', 'The cases to get right:', 'Where it can fail:')} ${risks[0]}${risks.length > 1 ? `, and ${counted(risks.length - 1, 'other definition')} ${risks.length > 2 ? 'are' : 'is'} like it` : ''}.`);
  }
  if (say.said.length === 0) say.first('Next: one more file, from its design.');
  return say.said.join(' ');
}

/** Whether a definition of a test file is a case by its name (`TestRemove`, `test_decode`, `ExampleRing`). */
export function isCaseName(name: string): boolean {
  return /^(test|Test|TEST|it_|should|Benchmark|Example|Fuzz)/.test(name);
}

/** What a test case is about, from its name without the test words (`TestRemoveFront` -> `remove front`). */
export function caseTopic(name: string): string | undefined {
  const w = wordsOf(name).filter((x) => !/^(test|tests|it|should|spec|example|check)$/.test(x) && !/^\d+$/.test(x));
  if (w.length === 0 || w.length > 6 || !w.every(isWord)) return undefined;
  return w.join(' ');
}

/** The subject of a test file, in words: the path's words less "test" (`heap/heap_test.go` -> `heap`). */
function testedWords(path: string): string | undefined {
  const w = pathWordsOf(path)?.split(' ').filter((x) => !/^(test|tests|spec)$/.test(x));
  return w && w.length > 0 ? w.join(' ') : undefined;
}

export function testIntentText(input: TestIntentInput, seed: number): string {
  const rng = createRng(mixSeed(seed, 'test', input.file.path));
  const say = new Speech(input.guard);
  const f = input.file;
  const p = code(f.path);
  const subjects = input.subjects.filter((s) => say.admits(code(s)));
  const topic = testedWords(f.path);
  const what = subjects.length > 0 ? list(subjects.map(code), 3) : 'the code it imports';
  const form = choose(rng, 'topic', 'testing', 'path');
  const byTopic = topic ? `${capitalized(topic)} gets its tests: ${p} exercises ${what}.` : undefined;
  const byTesting = topic ? `Testing ${topic}: ${p} exercises ${what}.` : undefined;
  const byPath = `${p} ${choose(rng, 'tests', 'exercises')} ${what}.`;
  say.first(
    ...(form === 'topic' ? [byTopic, byTesting] : form === 'testing' ? [byTesting, byTopic] : []),
    byPath,
    `${p} ${choose(rng, 'tests', 'exercises')} the code it imports.`,
    'Next: a test file, for the code it imports.',
  );
  for (const s of subjects.slice(0, 3)) {
    const names = (f.importUses[s] ?? []).filter((n) => say.admits(code(n)));
    if (names.length > 0) say.first(`From ${code(s)} it ${choose(rng, 'calls', 'checks')} ${list(names.map(code), 4)}.`);
  }
  const runners = f.externals.filter((e) => say.admits(code(e)));
  if (runners.length > 0) say.first(`It runs under ${list(runners.map(code), 2)}.`);
  // What each case checks, from its name: cases about the same thing are one sentence.
  const cases = f.definitions.filter((d) => isCaseName(d.name) && say.admits(code(d.name)));
  const helpers = f.definitions.filter((d) => !isCaseName(d.name) && say.admits(code(d.name)));
  const byTopicOf = new Map<string, string[]>();
  for (const c of cases) {
    const t = caseTopic(c.name);
    if (t) byTopicOf.set(t, [...(byTopicOf.get(t) ?? []), c.name]);
  }
  const topics = [...byTopicOf].slice(0, 3);
  for (const [t, names] of topics) say.first(`${list(names.map(code), 3)} ${names.length === 1 ? 'checks' : 'check'} ${t}.`);
  if (topics.length === 0 && cases.length > 0) say.first(`Cases: ${list(cases.map((d) => code(d.name)), 6)}.`);
  else if (topics.length > 0) {
    const rest = cases.length - topics.reduce((n, [, ns]) => n + ns.length, 0);
    if (rest > 0) say.first(rest === 1 ? 'One more case follows.' : `${capitalized(counted(rest, 'more case', 'more cases'))} follow.`);
  }
  else if (cases.length === 0 && helpers.length === 0 && f.definitions.length > 0) say.first(`It holds ${counted(f.definitions.length, 'definition')}, the cases and what they share.`);
  if (cases.length === 0 && helpers.length > 0) say.first(`It defines ${list(helpers.slice(0, 4).map((h) => code(h.name)), 4)} for its cases to use.`);
  if (helpers.length > 0 && cases.length > 0) say.first(`${list(helpers.slice(0, 2).map((h) => code(h.name)))} ${helpers.length === 1 ? 'is a helper' : 'are helpers'} the cases share.`);
  say.first(
    choose(
      rng,
      'Each case states what the code must do and fails when it does not.',
      'Each case is one behaviour, checked against the real code: a change that breaks it fails here.',
      'Why these cases: each pins down a behaviour callers rely on.',
    ),
  );
  return say.said.join(' ');
}
