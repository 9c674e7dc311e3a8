/**
 * A policy is what gives a role its content: the words of a plan, a design, a thought, a
 * diagnosis. The role machines decide what happens; the policy decides what is said. Every policy
 * passes the one conformance suite (test/agents/policy-conformance.ts).
 *
 * Policies are chosen by a `PolicySpec` (`{ id, params }`), stored per role in the
 * `retrace-policies` bucket; a step records `id@revision` of the spec that produced it.
 */
import { z } from 'zod';
import type { LanguageId } from '../graph/types.ts';
import type { Proposer } from '../search/proposer.ts';
import type { Chunk, DefinitionFacts, FileFacts, RepoSummary } from './facts.ts';
import type { FileDesign, Finding, Milestone, Plan } from './types.ts';

export interface PlanOutput {
  /** The planner's thinking, step by step. */
  thoughts: string[];
  plan: Plan;
}

export interface DesignInput {
  overview: string;
  milestone: Milestone;
  file: FileFacts;
}

export interface DesignOutput {
  thought: string;
  design: FileDesign;
}

export interface FileIntentInput {
  file: FileFacts;
  design: FileDesign;
  chunks: number;
}

export interface CheckReviewInput {
  path: string;
  findings: Finding[];
  /** Checks run, by name. */
  checks: string[];
}

export interface DiagnoseInput {
  path: string;
  findings: Finding[];
  /** The lines around the first finding, as written. */
  excerpt: string;
  /** The definition the fault sits in, when known. */
  definition?: DefinitionFacts;
  /** The repair, from the real code: what the faulty lines are and what they should be. */
  fix?: { before: string; after: string };
}

export interface TestIntentInput {
  file: FileFacts;
  /** The files this test exercises. */
  subjects: string[];
}

export interface ProposerContext {
  path: string;
  language: LanguageId | null;
  /** The file's text before the chunk (imports, doc comment right above it). */
  preceding: string;
  /** Every identifier defined anywhere in the repository: steps may name these. */
  knownIdentifiers: ReadonlySet<string>;
  /** The design of the file, as the architect wrote it. */
  design?: FileDesign;
}

export interface Policy {
  /** `grounded`, `openai`, ... */
  readonly id: string;
  plan(summary: RepoSummary, seed: number): Promise<PlanOutput>;
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

export type PolicyFactory = (spec: PolicySpec) => Policy;

/** Policy ids to factories. `grounded` is always there; other kinds register themselves. */
export class PolicyRegistry {
  private readonly factories = new Map<string, PolicyFactory>();

  register(id: string, factory: PolicyFactory): this {
    this.factories.set(id, factory);
    return this;
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
