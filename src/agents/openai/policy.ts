/**
 * The `openai` policy: every role's content from chat completions on an OpenAI-compatible endpoint
 * (OpenAI, vLLM, SGLang, Ollama), with prompts that carry the facts (prompts.ts).
 *
 * The model writes the words; the facts keep the structure true, and the knowledge boundary keeps
 * the words from stating the code to come:
 * - an answer is checked against its schema (src/agents/types.ts) and the facts, and one failed
 *   check is retried with the reason in the prompt (chat.ts); where the structure can be repaired
 *   from the facts without loss, it is (grounding.ts);
 * - then its trained texts are checked as one sequence with the input's guard, repaired or asked
 *   again (boundary.ts): no text that crosses the boundary leaves this policy;
 * - free-text answers must mention the file's path or a real name; otherwise they are asked again;
 * - the proposer holds its own proposals to the search's guard when the context carries it, and
 *   to one built from the context otherwise (proposal-guard.ts), so that no call is spent on steps
 *   the search will refuse.
 */
import { z } from 'zod';
import type { BoundaryViolation } from '../../boundary/mod.ts';
import type { Logger } from '../../log/logger.ts';
import { silentLogger } from '../../log/logger.ts';
import type { Proposal, ProposalRequest, Proposer } from '../../search/proposer.ts';
import type { FileFacts } from '../facts.ts';
import type {
  CheckReviewInput,
  DesignInput,
  DesignOutput,
  DiagnoseInput,
  FileIntentInput,
  Guarded,
  PlanInput,
  Policy,
  PlanOutput,
  PolicyRegistry,
  PolicySpec,
  ProposerContext,
  TestIntentInput,
} from '../policy.ts';
import { fileDesignSchema, milestoneSchema, planSchema, type Plan } from '../types.ts';
import { BoundaryCheck, BoundaryKeeper, boundaryFeedback, type BoundaryCounts, type TrainedTexts } from './boundary.ts';
import { ChatEndpoint, schemaCheck, type ChatMessage, type ChatUsage, type Check } from './chat.ts';
import type { CallStats } from '../../accounting/call-meter.ts';
import { alignMilestones, declaredNames, groundDesign, mentionsAny } from './grounding.ts';
import { resolveParams } from './params.ts';
import {
  designPrompt,
  diagnosePrompt,
  fileIntentPrompt,
  planPrompt,
  proposePrompt,
  reviewChecksPrompt,
  testIntentPrompt,
  type TaskKind,
} from './prompts.ts';
import { compileTemplates, type PromptTemplates } from './templates.ts';
import { readPromptTexts } from './prompt-files.ts';
import { proposalGuard } from './proposal-guard.ts';
import { sketchTarget } from './target-sketch.ts';
import { designTexts, planTexts, thoughtTexts } from './trained.ts';
import type { ModelGateway } from '../../models/gateway.ts';

export const OPENAI_POLICY_ID = 'openai';

const planAnswerSchema = z.object({
  thoughts: z.array(z.string()).default([]),
  plan: planSchema.extend({ milestones: z.array(milestoneSchema).min(1) }),
});

const designAnswerSchema = z.object({
  thought: z.string().min(1),
  design: fileDesignSchema.extend({ path: z.string().optional(), responsibility: z.string().min(1) }),
});

const thoughtAnswerSchema = z.object({ thought: z.string().trim().min(1) });

const proposalAnswerSchema = z.object({
  steps: z
    .array(z.union([z.string(), z.object({ text: z.string(), confidence: z.number().optional() })]))
    .min(1),
});

type Ground<T> = { ok: true; value: T } | { ok: false; error: string };

function namesOf(file: FileFacts): string[] {
  return [...file.definitions.map((d) => d.name), ...file.imports, ...file.externals];
}

function thoughtMentioning(path: string, names: readonly string[]): Check<string> {
  return schemaCheck(thoughtAnswerSchema, (v): Ground<string> =>
    mentionsAny(v.thought, path, names)
      ? { ok: true, value: v.thought.trim() }
      : { ok: false, error: `the thought names neither ${path} nor any of its real names (${names.slice(0, 8).join(', ') || 'none'})` },
  );
}

export type PolicyUsage = ChatUsage & BoundaryCounts;

export interface OpenAIPolicyOptions {
  /** Where repairs, re-asks and fallbacks at the knowledge boundary are logged. */
  logger?: Logger;
  /** The run's model gateway (call cache, limits per endpoint), shared with its other policies and scorer. */
  gateway?: ModelGateway;
}

export class OpenAIPolicy implements Policy {
  readonly id = OPENAI_POLICY_ID;
  readonly #chat: ChatEndpoint;
  readonly #boundary: BoundaryKeeper;
  readonly #log: Logger;
  readonly #templates: PromptTemplates;
  /** The SHA-256 of each template that replaces a built-in one, by name: what logs may say of them. */
  readonly #promptHashes: Record<string, string> = {};

  constructor(
    readonly spec: PolicySpec,
    env: NodeJS.ProcessEnv = process.env,
    opts: OpenAIPolicyOptions = {},
  ) {
    const { params, apiKey, prompts } = resolveParams(spec.params, env);
    // Texts in the spec (as stored), or files read here (a spec given to this process directly).
    const texts = prompts === undefined ? {} : readPromptTexts(prompts);
    this.#templates = compileTemplates(texts);
    for (const [name, t] of Object.entries(texts)) this.#promptHashes[name] = t.sha256!;
    this.#chat = new ChatEndpoint(params, apiKey, opts.gateway);
    this.#log = (opts.logger ?? silentLogger).child({ policy: OPENAI_POLICY_ID, model: params.model });
    this.#boundary = new BoundaryKeeper(params.boundaryRetries, this.#log);
  }

  get model(): string {
    return this.#chat.params.model;
  }

  /** Tokens spent so far (from the servers' `usage`, over every completion), and what the boundary cost. */
  usage(): PolicyUsage {
    return { ...this.#chat.totals, ...this.#boundary.counts };
  }

  /** Every request sent so far, answered or not: latency percentiles, tokens, errors by kind. */
  calls(): CallStats {
    return this.#chat.meter.stats();
  }

  /** What a log may say about this policy: never the key. */
  toJSON(): Record<string, unknown> {
    const { keySource, ...params } = this.#chat.params;
    return { id: this.id, params, keySource, ...(Object.keys(this.#promptHashes).length > 0 ? { prompts: this.#promptHashes } : {}) };
  }

  async plan(input: PlanInput, seed: number): Promise<PlanOutput> {
    const summary = input.summary;
    const known = new Set(summary.order);
    const check = schemaCheck(planAnswerSchema, (v): Ground<PlanOutput> => {
      if (!v.plan.milestones.some((m) => m.files.some((f) => known.has(f)))) {
        return { ok: false, error: 'no milestone lists any file of `order`: list the files, by their paths in `order`' };
      }
      const plan: Plan = {
        overview: v.plan.overview.trim(),
        requirements: v.plan.requirements.map((r) => r.trim()).filter((r) => r.length > 0),
        milestones: alignMilestones(v.plan.milestones, summary.order),
      };
      return { ok: true, value: { thoughts: v.thoughts.map((t) => t.trim()).filter((t) => t.length > 0), plan: planSchema.parse(plan) } };
    });
    return this.ask('plan', input, planPrompt(input, this.#templates), check, planTexts, seed);
  }

  async design(input: DesignInput, seed: number): Promise<DesignOutput> {
    const check = schemaCheck(designAnswerSchema, (v): Ground<DesignOutput> => ({
      ok: true,
      value: { thought: v.thought.trim(), design: fileDesignSchema.parse(groundDesign(v.design, input.file, input.declarable)) },
    }));
    return this.ask('design', input, designPrompt(input, this.#templates), check, designTexts, seed);
  }

  fileIntent(input: FileIntentInput, seed: number): Promise<string> {
    const names = [...namesOf(input.file), ...declaredNames(input.design, input.file)];
    return this.ask('file-intent', input, fileIntentPrompt(input, this.#templates), thoughtMentioning(input.file.path, names), thoughtTexts, seed);
  }

  reviewChecks(input: CheckReviewInput, seed: number): Promise<string> {
    return this.ask('review-checks', input, reviewChecksPrompt(input, this.#templates), thoughtMentioning(input.path, input.checks), thoughtTexts, seed);
  }

  diagnose(input: DiagnoseInput, seed: number): Promise<string> {
    const names = input.definition ? [input.definition.name] : [];
    return this.ask('diagnose', input, diagnosePrompt(input, this.#templates), thoughtMentioning(input.path, names), thoughtTexts, seed);
  }

  testIntent(input: TestIntentInput, seed: number): Promise<string> {
    const names = [...namesOf(input.file), ...input.subjects];
    return this.ask('test-intent', input, testIntentPrompt(input, this.#templates), thoughtMentioning(input.file.path, names), thoughtTexts, seed);
  }

  /** A proposer for one chunk: the context's path, language, preceding text and design sharpen the prompt. */
  proposer(ctx: ProposerContext): Proposer {
    return { name: `openai:${this.model}`, propose: (req) => this.propose(req, ctx) };
  }

  async close(): Promise<void> {
    // The client holds no connections of its own (fetch pools them); nothing to release.
  }

  /**
   * Proposals held to the boundary before the search sees them: each is checked after the steps so
   * far (proposals are alternatives, not a sequence) and cut to its clean sentences; when none is
   * left, the model is told what crossed and asked again, at most `boundaryRetries` times.
   */
  private async propose(req: ProposalRequest, ctx: ProposerContext): Promise<Proposal[]> {
    if (req.k <= 0) return [];
    const check = schemaCheck(proposalAnswerSchema, (v): Ground<Proposal[]> => {
      const proposals: Proposal[] = [];
      for (const s of v.steps) {
        const text = (typeof s === 'string' ? s : s.text).trim();
        if (text.length === 0) continue;
        const confidence = typeof s === 'string' ? undefined : s.confidence;
        proposals.push(confidence !== undefined && Number.isFinite(confidence) && confidence > 0 ? { text, prior: confidence } : { text });
        if (proposals.length >= req.k) break;
      }
      return proposals.length > 0 ? { ok: true, value: proposals } : { ok: false, error: 'every step is empty' };
    });
    const boundary = new BoundaryCheck(proposalGuard(ctx, req));
    const opts = { seed: req.seed, temperature: this.#chat.params.proposerTemperature };
    let conversation: readonly ChatMessage[] = proposePrompt(sketchTarget(req.target, ctx, boundary), ctx.design, req.context, req.steps, req.k, this.#templates);
    const counts = this.#boundary.counts;
    for (let attempt = 0; ; attempt++) {
      const { value, conversation: said } = await this.#chat.exchange(conversation, check, opts);
      const kept: Proposal[] = [];
      const crossed: BoundaryViolation[] = [];
      for (const p of value) {
        const violations = boundary.violations([p.text]);
        if (violations.length === 0) {
          kept.push(p);
          continue;
        }
        crossed.push(...violations);
        const [text] = boundary.repair([p.text]);
        if (text) {
          counts.boundaryRepairs++;
          kept.push({ ...p, text });
        }
      }
      if (kept.length > 0 || attempt >= this.#boundary.retries) {
        if (kept.length === 0) {
          counts.boundaryFallbacks++;
          this.#log.warn({ task: 'propose', path: ctx.path, ...counts }, 'openai policy: every proposal crossed the knowledge boundary after every re-ask; proposing nothing');
        }
        return kept;
      }
      counts.boundaryRetries++;
      this.#log.info({ task: 'propose', path: ctx.path, attempt, ...counts }, 'openai policy: every proposal crosses the knowledge boundary; asking again');
      conversation = [...said, { role: 'user', content: boundaryFeedback(dedupe(crossed)) }];
    }
  }

  private ask<T>(task: TaskKind, input: Guarded, messages: ChatMessage[], check: Check<T>, trained: TrainedTexts<T>, seed: number): Promise<T> {
    const opts = { seed, temperature: this.#chat.params.temperature };
    return this.#boundary.ask({ task, guard: input.guard, messages, trained, exchange: (m) => this.#chat.exchange(m, check, opts) });
  }
}

function dedupe(vs: readonly BoundaryViolation[]): BoundaryViolation[] {
  const seen = new Set<string>();
  return vs.filter((v) => {
    const k = `${v.kind}\u0000${v.detail}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Registers `openai` in `registry`: `registry.create({ id: 'openai', params: { baseURL, model } })`.
 * With `logger`, every policy it makes logs what the knowledge boundary cost; with `gateway`, its
 * calls go through that gateway (the run's cache and limits).
 */
export function registerOpenAIPolicy(registry: PolicyRegistry, logger?: Logger, gateway?: ModelGateway): PolicyRegistry {
  const opts: OpenAIPolicyOptions = { ...(logger ? { logger } : {}), ...(gateway ? { gateway } : {}) };
  return registry.register(OPENAI_POLICY_ID, (spec) => new OpenAIPolicy(spec, process.env, opts));
}
