/**
 * A policy is what gives a role its content: the words of a plan, a design, a thought, a
 * diagnosis. The role machines decide what happens; the policy decides what is said. Every policy
 * passes the one conformance suite (test/agents/policy-conformance.ts).
 *
 * Policies are chosen by a `PolicySpec` (`{ id, params }`), stored per role in the
 * `retrace-policies` bucket; a step records `id@revision` of the spec that produced it.
 */
import { z } from 'zod';
import type { BoundarySpec, SequenceGuard } from '../boundary/mod.ts';
import type { LanguageId } from '../graph/types.ts';
import type { Proposer } from '../search/proposer.ts';
import type { Chunk, DefinitionFacts, FileFacts, RepoSummary } from './facts.ts';
import type { FileDesign, Finding, Milestone, Plan } from './types.ts';

export interface PlanOutput {
  /** The planner's thinking, step by step. */
  thoughts: string[];
  plan: Plan;
}

/**
 * Every text a policy produces is trained on before a write, so every input carries the guard of
 * the knowledge boundary (docs/reasoning.md): what the policy says must pass `guard` as one sequence
 * (`guard.admits([...])`, or keep only what `guard.keep(sentences)` keeps). Facts in the inputs may
 * hold the answer (the real code's names, docs, signatures): a policy may read them to know what
 * to think about, never restate them past the guard.
 */
export interface Guarded {
  guard: SequenceGuard;
}

export interface PlanInput extends Guarded {
  summary: RepoSummary;
}

export interface DesignInput extends Guarded {
  overview: string;
  milestone: Milestone;
  file: FileFacts;
  /**
   * Names the design may declare for the file: its definitions' names (its public interface) and
   * the names it imports (its dependencies). Its guard already allows them.
   */
  declarable: string[];
}

export interface DesignOutput {
  thought: string;
  design: FileDesign;
}

export interface FileIntentInput extends Guarded {
  file: FileFacts;
  design: FileDesign;
  chunks: number;
  /** What the coder reads first: files already written, and designs of files not written yet (a cycle). */
  reads: Array<{ path: string; written: boolean }>;
}

export interface CheckReviewInput extends Guarded {
  path: string;
  /** Findings the real file does not have: faults of what was written. */
  findings: Finding[];
  /**
   * Findings the real, unmodified file has too: the checker's limits (a macro it does not expand,
   * a global it does not know), never narrated as faults.
   */
  baseline: Finding[];
  /** Checks run, by name. */
  checks: string[];
}

export interface DiagnoseInput extends Guarded {
  path: string;
  findings: Finding[];
  /** The lines around the first finding, as written (the faulty draft: known, it was written). */
  excerpt: string;
  /** The definition the fault sits in, when known. */
  definition?: DefinitionFacts;
}

export interface TestIntentInput extends Guarded {
  file: FileFacts;
  /** The files this test exercises. */
  subjects: string[];
}

export interface ProposerContext {
  path: string;
  language: LanguageId | null;
  /** The file's text before the chunk (imports, doc comment right above it). */
  preceding: string;
  /**
   * The names inside the knowledge boundary at this chunk (docs/reasoning.md): names of what is
   * written or read, declared public names, the language's own. Steps may name these and no other
   * name of the code about to be written; the search's guard refuses the rest.
   */
  knownIdentifiers: ReadonlySet<string>;
  /** The design of the file, as the architect wrote it. */
  design?: FileDesign;
  /**
   * The knowledge boundary at this chunk (docs/reasoning.md): a proposer may hold its own proposals
   * to it; the search's guard holds every proposal to it anyway.
   */
  boundary?: BoundarySpec;
}

export interface Policy {
  /** `grounded`, `openai`, ... */
  readonly id: string;
  plan(input: PlanInput, seed: number): Promise<PlanOutput>;
  design(input: DesignInput, seed: number): Promise<DesignOutput>;
  /** The coder's opening thought for a file, before reading and writing it. */
  fileIntent(input: FileIntentInput, seed: number): Promise<string>;
  /**
   * A proposer of reasoning steps for the search over reasoning, for one chunk of code: the
   * context says where the chunk sits, so proposals can be about the real code around it.
   */
  proposer(ctx: ProposerContext): Proposer;
  /** The tester's reading of its checks' output. */
  reviewChecks(input: CheckReviewInput, seed: number): Promise<string>;
  /** The debugger's localisation and repair reasoning. */
  diagnose(input: DiagnoseInput, seed: number): Promise<string>;
  /** The tester's thinking before it writes one of the repository's test files. */
  testIntent(input: TestIntentInput, seed: number): Promise<string>;
  close(): Promise<void>;
}

export const policySpecSchema = z.object({
  id: z.string().min(1),
  params: z.record(z.string(), z.unknown()).default({}),
});
export type PolicySpec = z.infer<typeof policySpecSchema>;

export class UnknownPolicyError extends Error {
  override name = 'UnknownPolicyError';
  constructor(readonly id: string, known: string[]) {
    super(`unknown policy "${id}" (known: ${known.join(', ')})`);
  }
}

/** A spec whose params the policy does not take: an unknown name, or a value of the wrong kind. */
export class PolicyParamsError extends Error {
  override name = 'PolicyParamsError';
}

export type PolicyFactory = (spec: PolicySpec) => Policy;

/** The params a policy takes: an object schema, so that an unknown name can be told apart. */
export type PolicyParamsSchema = z.ZodObject;

/** What the schema's issues say, one clause each, the unknown names with the names it knows. */
function describeIssues(id: string, schema: PolicyParamsSchema, error: z.ZodError): string {
  const known = Object.keys(schema.shape).sort();
  const clauses = error.issues.map((i) =>
    i.code === 'unrecognized_keys'
      ? `unknown param${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')} (known: ${known.length ? known.join(', ') : 'none'})`
      : `${i.path.join('.') || '(params)'}: ${i.message}`,
  );
  return `policy "${id}": ${clauses.join('; ')}`;
}

/**
 * Policy ids to factories, and to the params each takes. `grounded` is always there; other kinds
 * register themselves. A policy registered without a params schema takes any params.
 */
export class PolicyRegistry {
  private readonly factories = new Map<string, PolicyFactory>();
  private readonly paramSchemas = new Map<string, PolicyParamsSchema>();

  register(id: string, factory: PolicyFactory, params?: PolicyParamsSchema): this {
    this.factories.set(id, factory);
    if (params) this.paramSchemas.set(id, params);
    return this;
  }

  /** Declares the params policy `id` takes (for a kind that registers itself without them). */
  declareParams(id: string, params: PolicyParamsSchema): this {
    this.paramSchemas.set(id, params);
    return this;
  }

  /**
   * `spec` as a PolicySpec whose id is registered and whose params the policy takes (defaults not
   * filled in: the spec is stored as given). Throws UnknownPolicyError or PolicyParamsError.
   */
  check(spec: unknown): PolicySpec {
    const parsed = policySpecSchema.safeParse(spec);
    if (!parsed.success) throw new PolicyParamsError(`not a policy spec ({"id": ..., "params": {...}}): ${parsed.error.issues.map((i) => `${i.path.join('.') || '(spec)'}: ${i.message}`).join('; ')}`);
    if (!this.factories.has(parsed.data.id)) throw new UnknownPolicyError(parsed.data.id, this.ids());
    const schema = this.paramSchemas.get(parsed.data.id);
    const params = schema?.strict().safeParse(parsed.data.params);
    if (params && !params.success) throw new PolicyParamsError(describeIssues(parsed.data.id, schema!, params.error));
    return parsed.data;
  }

  /** The names of the params policy `id` takes, sorted; undefined when it did not declare them. */
  paramsOf(id: string): string[] | undefined {
    const schema = this.paramSchemas.get(id);
    return schema ? Object.keys(schema.shape).sort() : undefined;
  }

  create(spec: PolicySpec): Policy {
    const f = this.factories.get(spec.id);
    if (!f) throw new UnknownPolicyError(spec.id, [...this.factories.keys()]);
    return f(spec);
  }

  ids(): string[] {
    return [...this.factories.keys()].sort();
  }
}

/** `id@revision`, as steps record it. */
export const policyTag = (spec: PolicySpec, revision: number): string => `${spec.id}@${revision}`;

export type { Chunk };
