/**
 * The proposer's view of its target. Hindsight is allowed as input (the model may know what the
 * code is for, to reason about purpose and shape), but the steps are trained on before the code is
 * written, so the sketch keeps apart what the model may state and what it may only read:
 * - `mayName`: the names inside the knowledge boundary that the target uses (known names of the
 *   chunk, capped) and the file's declared public names; and the calls, constructions, errors and
 *   bindings of the target that state only such names;
 * - `hindsight`: the declaration's first line and its doc, to understand, never to quote;
 * - counts for the rest (how many parameters and names of its own), so that the model knows they
 *   exist without being handed them to mention.
 * Its body never travels. (The search's guard refuses a step that crosses the boundary anyway;
 * this keeps such steps rare.)
 */
import { identifiersOf, isAmbient } from '../../boundary/mod.ts';
import type { LanguageId } from '../../graph/mod.ts';
import { importBindings, targetFacts, type TargetFactsInput } from '../../search/facts.ts';
import type { ProposerContext } from '../policy.ts';
import type { BoundaryCheck } from './boundary.ts';
import type { TargetSketch } from './prompts.ts';

const MAX_KNOWN_NAMES = 40;

/** A guess good enough to pick a grammar, for chunks whose language the context does not say. */
export function guessLanguage(code: string): LanguageId {
  if (/^\s*(async\s+def|def|class)\s+\w+[^\n]*:\s*$/m.test(code) && !/[{;]\s*$/m.test(code)) return 'python';
  if (/^\s*func\s/m.test(code) && /^package\s|\bfunc\s*\(/m.test(code)) return 'go';
  if (/^\s*(pub(\([^)]*\))?\s+)?fn\s+\w+/m.test(code)) return 'rust';
  return 'typescript';
}

/** The first line that is not a comment or blank: the declaration's head. */
export function signatureLine(code: string): string | undefined {
  for (const line of code.split('\n')) {
    const t = line.trim();
    if (t === '' || /^(\/\/|#|\*|\/\*|--|@)/.test(t)) continue;
    return t.slice(0, 200);
  }
  return undefined;
}

/**
 * The sketch of `target`; `check` (the proposals' guard) decides what the model may state: a name
 * or a call goes in `mayName` and the lists only when a step stating it in a code span would pass.
 */
export function sketchTarget(target: string, ctx: ProposerContext, check: BoundaryCheck): TargetSketch {
  const language = ctx.language ?? guessLanguage(target);
  const input: TargetFactsInput = { target, language, preceding: ctx.preceding, imports: importBindings(ctx.preceding, language) };
  const facts = targetFacts(input);
  const stateable = (said: string): boolean => check.admits([`\`${said}\``]);
  const known = ctx.knownIdentifiers;
  // Known names the target uses, then the file's declared names: what its steps may (and should) say.
  const declared = (ctx.design?.publicInterface ?? []).flatMap((e) => [...identifiersOf(e)]);
  const mayName = [...new Set([...facts.identifiers.keys(), ...declared])]
    .filter((n) => known.has(n) && !isAmbient(language, n) && stateable(n))
    .slice(0, MAX_KNOWN_NAMES);
  const ownNames = new Set([...facts.locals, ...facts.params].filter((n) => !known.has(n)));
  const signature = signatureLine(target);
  const hindsight: TargetSketch['hindsight'] = {};
  if (signature !== undefined) hindsight.signature = signature;
  if (facts.doc !== undefined) hindsight.doc = facts.doc;
  const sketch: TargetSketch = {
    path: ctx.path,
    kind: facts.kind,
    isAsync: facts.isAsync,
    params: facts.params.length,
    ownNames: ownNames.size,
    lines: target.split('\n').length,
    control: Object.fromEntries(Object.entries(facts.control).filter(([, n]) => n > 0)),
    mayName,
    calls: facts.calls.filter(stateable).slice(0, 30),
    constructs: facts.constructs.filter(stateable).slice(0, 15),
    errors: facts.errors.filter(stateable).slice(0, 10),
    dependencies: facts.dependencies.filter((d) => stateable(d.name)).map((d) => `${d.name} from ${d.module}`),
    hindsight,
  };
  if (facts.name !== undefined && stateable(facts.name)) sketch.name = facts.name;
  if (facts.extends !== undefined && stateable(facts.extends)) sketch.extends = facts.extends;
  return sketch;
}
