/**
 * The proposer's view of its target: the facts the syntax tree gives (name, parameters, calls,
 * control flow, ...) and its first line, never its body, so the model explains the code rather
 * than echo it. (The search's copy guard rejects copying steps anyway; this keeps them rare.)
 */
import type { LanguageId } from '../../graph/mod.ts';
import { importBindings, targetFacts, type TargetFactsInput } from '../../search/facts.ts';
import type { ProposerContext } from '../policy.ts';
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

export function sketchTarget(target: string, ctx?: ProposerContext): TargetSketch {
  const language = ctx?.language ?? guessLanguage(target);
  const input: TargetFactsInput = { target, language };
  if (ctx) {
    input.preceding = ctx.preceding;
    input.imports = importBindings(ctx.preceding, language);
  }
  const facts = targetFacts(input);
  const signature = signatureLine(target);
  // Names the target uses that the repository defines: real names the model may (and should) say.
  const known = ctx ? [...facts.identifiers.keys()].filter((n) => ctx.knownIdentifiers.has(n)).slice(0, MAX_KNOWN_NAMES) : [];
  const sketch: TargetSketch = {
    kind: facts.kind,
    params: facts.params,
    isAsync: facts.isAsync,
    calls: facts.calls.slice(0, 30),
    constructs: facts.constructs.slice(0, 15),
    dependencies: facts.dependencies.map((d) => `${d.name} from ${d.module}`),
    errors: facts.errors.slice(0, 10),
    methods: facts.methods.slice(0, 30),
    control: Object.fromEntries(Object.entries(facts.control).filter(([, n]) => n > 0)),
    lines: target.split('\n').length,
    repoNames: known,
  };
  if (ctx) sketch.path = ctx.path;
  if (signature !== undefined) sketch.signature = signature;
  if (facts.name !== undefined) sketch.name = facts.name;
  if (facts.doc !== undefined) sketch.doc = facts.doc;
  if (facts.extends !== undefined) sketch.extends = facts.extends;
  return sketch;
}
