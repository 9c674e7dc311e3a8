/**
 * The grounded tester's and debugger's words about check output, inside the knowledge boundary.
 *
 * A finding the real file does not have is a fault of what was written: narrated as a failure. A
 * finding the real, unmodified file has too is the checker's limit (a macro it does not expand, a
 * global it does not know): said as such, never as a fault, and nothing is changed for it. The
 * diagnosis localises the fault from the finding and the faulty draft (which was written, so it is
 * known) and never states the corrected line: that is the answer of the repair.
 */
import { createRng, mixSeed, type Rng } from '../../search/rng.ts';
import type { CheckReviewInput, DiagnoseInput } from '../policy.ts';
import type { Finding } from '../types.ts';
import { Speech } from './speech.ts';
import { capitalized, choose, code, list, pathWordsOf, plural } from './text.ts';

/** The names a checker's message quotes ('name'), in order. */
export function quotedNames(message: string): string[] {
  return [...message.matchAll(/'([A-Za-z_$][\w$.]*)'/g)].map((m) => m[1]!);
}

/** The failure, from the most to the least said; led by the file's words or by its path. */
function failureAlternatives(path: string, findings: readonly Finding[], rng: Rng): string[] {
  const first = findings[0]!;
  const more = findings.length > 1 ? ` (and ${plural(findings.length - 1, 'more finding')})` : '';
  const words = pathWordsOf(path);
  const subject = words && rng.next() < 0.6 ? `The ${words} file, ${code(path)},` : code(path);
  return [
    `${subject} fails the ${first.check} check at line ${first.line}: ${first.message}${more}.`,
    `${subject} fails the ${first.check} check at line ${first.line}${more}.`,
    `${subject} fails the ${first.check} check${more}.`,
    `The file fails the ${first.check} check${more}.`,
  ];
}

/** Words that read as a failure in a verdict: a file named for them (`fail-plugin.js`) is not led by its words. */
const FAILURE_WORDS = /\b(fail(s|ed|ing|ure|ures)?|fix(es|ed|ing)?|broken|wrong|bug(s|gy)?|error(s)?|crash(es|ed)?)\b/i;

/**
 * A clean result, led by the file's words where they read (`The heap file passes ...`) and do not
 * sound like a failure ("Fail plugin version is clean" reads as one).
 */
function cleanAlternatives(path: string, checks: string, rng: Rng): string[] {
  const named = pathWordsOf(path);
  const words = named && !FAILURE_WORDS.test(named) ? named : undefined;
  const p = code(path);
  const led = words
    ? [
        `${capitalized(words)} is clean: ${p} passes ${checks}.`,
        `The ${words} file passes ${checks}; ${p} is done.`,
        `${capitalized(words)} passes ${checks}, so ${p} stands as written.`,
      ]
    : [];
  const plain = [`${choose(rng, 'Checks pass on', 'All checks are clean for')} ${p}: ${checks}.`];
  // Led by the file's words wherever it has some: a verdict that opens alike for every file says less.
  const ordered = led.length > 0 ? [rng.pick(led), ...led, ...plain] : plain;
  return [...ordered, `${choose(rng, 'Checks pass', 'All checks are clean')}: ${checks}.`];
}

export function reviewText(input: CheckReviewInput, seed: number): string {
  const rng = createRng(mixSeed(seed, 'review', input.path, input.findings.length, input.baseline.length));
  const say = new Speech(input.guard);
  const checks = input.checks.length > 0 ? list(input.checks) : 'the checks';
  if (input.findings.length > 0) {
    say.first(...failureAlternatives(input.path, input.findings, rng));
    say.first(choose(rng, 'It has to be fixed before going on.', 'The file does not stand as written.'));
  } else if (input.baseline.length === 0) {
    say.first(...cleanAlternatives(input.path, checks, rng));
  } else {
    say.first(
      `Nothing new on ${code(input.path)}: the checks (${checks}) find only what they also find on the real code.`,
      `Nothing new: the checks (${checks}) find only what they also find on the real code.`,
    );
  }
  if (input.baseline.length > 0) {
    const b = input.baseline[0]!;
    const which = [...new Set(input.baseline.map((f) => f.check))];
    say.first(
      `The ${list(which)} check flags ${input.baseline.length === 1 ? `line ${b.line}` : plural(input.baseline.length, 'place')} on the real, unmodified code as well (${b.message}).`,
      `The ${list(which)} check flags ${plural(input.baseline.length, 'place')} on the real, unmodified code as well.`,
    );
    say.first(
      choose(
        rng,
        "That is the checker's limit (a macro it does not expand, a global it does not know), not a fault: nothing is changed for it.",
        'Those are not faults but what the checker cannot see (a macro it does not expand, a global it does not know), so nothing is changed.',
      ),
    );
  }
  return say.said.join(' ');
}

/** What each kind of finding means, and where to look: the approach, never the repaired line. */
const APPROACH: Record<Finding['check'], string[]> = {
  'undefined-name': [
    'A name used there is not defined anywhere the file can see: a misspelling, or an import that is missing.',
    'The code refers to a name nothing in scope declares: it was mistyped, or never imported.',
  ],
  arity: [
    'A call there passes a different number of arguments than its definition declares.',
    'The call and the definition it calls disagree on how many arguments there are.',
  ],
  syntax: [
    'The code there does not parse: a bracket, a quote or a delimiter is missing or extra.',
    'The parser stops there: something opened is not closed, or something closed was never opened.',
  ],
};

const REPAIR: Record<Finding['check'], string[]> = {
  'undefined-name': ['I compare the name with those the file defines and imports, and use the one that is meant.', 'The repair is to refer to a name that exists.'],
  arity: ['I read the definition being called and make the call agree with it.', 'The repair is to pass what the definition expects.'],
  syntax: ['I balance what the line opens and closes, keeping the rest as it is.', 'The repair is to close what was left open.'],
};

export function diagnosisText(input: DiagnoseInput, seed: number): string {
  const rng = createRng(mixSeed(seed, 'diagnose', input.path));
  const say = new Speech(input.guard);
  const first = input.findings[0];
  const def = input.definition;
  const where = def ? `, in ${def.kind} ${code(def.name)}` : '';
  if (!first) {
    say.first(`Something is wrong in ${code(input.path)}${where}.`, `Something is wrong in ${code(input.path)}.`, 'Something is wrong in the file.');
    return say.said.join(' ');
  }
  say.first(
    `The ${first.check} finding points at line ${first.line} of ${code(input.path)}${where}: ${first.message}.`,
    `The ${first.check} finding points at line ${first.line} of ${code(input.path)}${where}.`,
    `The ${first.check} finding points at line ${first.line} of ${code(input.path)}.`,
    `The ${first.check} finding points into ${code(input.path)}.`,
    `The ${first.check} finding points into the file.`,
  );
  // Localise: the names the message quotes, where the faulty draft uses them.
  const inExcerpt = quotedNames(first.message).filter((n) => new RegExp(`(^|[^\\w$])${n.replace(/[.$]/g, '\\$&')}($|[^\\w$])`).test(input.excerpt));
  if (inExcerpt.length > 0) {
    say.first(`The draft uses ${list(inExcerpt.map(code), 3)} right there.`, 'The draft has the name the finding quotes right there.');
  }
  say.first(choose(rng, ...APPROACH[first.check]));
  if (input.findings.length > 1) say.first(`${plural(input.findings.length - 1, 'other finding')} may follow from the same fault.`);
  say.first(choose(rng, ...REPAIR[first.check]));
  return say.said.join(' ');
}
