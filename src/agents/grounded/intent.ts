/**
 * The grounded coder's and tester's opening thoughts, inside the knowledge boundary: what the file
 * is for (its design, which is known), what is read first and in what state (a file written, or
 * only the design of one not written yet), and how it is written — never what it will contain.
 */
import { createRng, mixSeed } from '../../search/rng.ts';
import type { FileIntentInput, TestIntentInput } from '../policy.ts';
import { Speech } from './speech.ts';
import { choose, code, counted, list } from './text.ts';

export function fileIntentText(input: FileIntentInput, seed: number): string {
  const rng = createRng(mixSeed(seed, 'intent', input.file.path));
  const say = new Speech(input.guard);
  const d = input.design;
  say.first(`${choose(rng, 'Next:', 'Now')} ${code(input.file.path)}.`, `${choose(rng, 'Next:', 'Now')} the next file.`);
  if (d.responsibility.trim()) say.first(d.responsibility.trim());
  const entries = d.publicInterface.filter((e) => say.admits(e));
  if (entries.length > 0) say.first(`${choose(rng, 'It has to provide', 'Its interface is')} ${list(entries, 3)}.`);
  const written = input.reads.filter((r) => r.written).map((r) => r.path).filter((p) => say.admits(code(p)));
  const designed = input.reads.filter((r) => !r.written).map((r) => r.path).filter((p) => say.admits(code(p)));
  if (written.length > 0) say.first(`${choose(rng, 'I read', 'First I look at')} ${list(written.map(code), 4)}, already written.`);
  if (designed.length > 0) {
    const one = designed.length === 1;
    say.first(
      `${list(designed.map(code), 4)} ${one ? 'is' : 'are'} not written yet (${one ? 'it imports' : 'they import'} this file too): ${one ? 'its design is' : 'their designs are'} what there is to read.`,
      `Some of what it imports is not written yet: its design is what there is to read.`,
    );
  }
  const why = d.dependencies.find((x) => say.admits(`${code(x.path)} ${x.why}`));
  if (why) say.first(`What it takes from ${code(why.path)}: ${why.why.trim().replace(/\.$/, '')}.`);
  if (input.chunks > 1) say.first(`I write it in ${counted(input.chunks, 'part')}, one top-level definition at a time.`, 'I write it in parts, one top-level definition at a time.');
  if (say.said.length === 0) say.first('Next: one more file, from its design.');
  return say.said.join(' ');
}

export function testIntentText(input: TestIntentInput, seed: number): string {
  const rng = createRng(mixSeed(seed, 'test', input.file.path));
  const say = new Speech(input.guard);
  const f = input.file;
  const subjects = input.subjects.filter((p) => say.admits(code(p)));
  say.first(
    subjects.length > 0 ? `${code(f.path)} ${choose(rng, 'tests', 'exercises')} ${list(subjects.map(code), 3)}.` : undefined,
    `${code(f.path)} ${choose(rng, 'tests', 'exercises')} the code it imports.`,
    'Next: a test file, for the code it imports.',
  );
  for (const s of subjects.slice(0, 3)) {
    const names = (f.importUses[s] ?? []).filter((n) => say.admits(code(n)));
    if (names.length > 0) say.first(`From ${code(s)} it ${choose(rng, 'calls', 'checks')} ${list(names.map(code), 4)}.`);
  }
  const runners = f.externals.filter((e) => say.admits(code(e)));
  if (runners.length > 0) say.first(`It runs under ${list(runners.map(code), 2)}.`);
  const cases = f.definitions.filter((d) => say.admits(code(d.name)));
  if (cases.length > 0) say.first(`Cases: ${list(cases.map((d) => code(d.name)), 6)}.`);
  else if (f.definitions.length > 0) say.first(`It holds ${counted(f.definitions.length, 'case')}, each one behaviour of what it tests.`);
  say.first(choose(rng, 'Each case states what the code must do and fails when it does not.', 'Each case is one behaviour, checked against the real code.'));
  return say.said.join(' ');
}
