/**
 * The `openai` policy: every role's content from chat completions on an OpenAI-compatible endpoint
 * (OpenAI, vLLM, SGLang, Ollama), with prompts that carry the grounded facts (prompts.ts).
 *
 * The model writes the words; the facts keep the structure true. What the model answers is checked
 * against its schema (src/agents/types.ts) and the facts, and one failed check is retried with the
 * reason in the prompt (chat.ts). Where the model's structure can be repaired from the facts
 * without loss, it is, rather than asking again:
 * - a plan's milestones are re-cut so that they cover `summary.order` exactly once and in order
 *   (each file stays in the milestone the model put it in, moved later only where needed to keep
 *   the order; files the model left out join the milestone before them; unknown paths are dropped);
 * - a design's path is the file's, its dependencies are exactly the file's imports and externals
 *   (invented ones dropped, missing ones added), its interface names real definitions.
 * Free-text answers must mention the file's path or a real name; otherwise they are asked again.
 */
import { basename } from 'node:path';
import { z } from 'zod';
import type { Proposal, ProposalRequest, Proposer } from '../../search/proposer.ts';
import type { FileFacts, RepoSummary } from '../facts.ts';
import type {
  CheckReviewInput,
  DesignInput,
  DesignOutput,
  DiagnoseInput,
  FileIntentInput,
  Policy,
  PlanOutput,
  PolicyRegistry,
  PolicySpec,
  ProposerContext,
  TestIntentInput,
} from '../policy.ts';
import { fileDesignSchema, milestoneSchema, planSchema, type FileDesign, type Milestone, type Plan } from '../types.ts';
import { ChatEndpoint, schemaCheck, type ChatMessage, type ChatUsage, type Check } from './chat.ts';
import { resolveParams } from './params.ts';
import {
  designPrompt,
  diagnosePrompt,
  fileIntentPrompt,
  planPrompt,
  proposePrompt,
  reviewChecksPrompt,
  testIntentPrompt,
} from './prompts.ts';
import { sketchTarget } from './target-sketch.ts';

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

/** Whether `text` names the path, its file name, or one of `names` (as a whole word). */
export function mentionsAny(text: string, path: string, names: Iterable<string>): boolean {
  return text.includes(path) || text.includes(basename(path)) || mentionsName(text, names);
}

/** Whether `text` holds one of `names` as a whole word (identifier characters do not continue it). */
export function mentionsName(text: string, names: Iterable<string>): boolean {
  for (const name of names) {
    if (name.length < 2) continue;
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    if (new RegExp(`(^|[^\\w$])${escaped}($|[^\\w$])`).test(text)) return true;
  }
  return false;
}

function namesOf(file: FileFacts): string[] {
  return [...file.definitions.map((d) => d.name), ...file.imports, ...file.externals];
}

/** The model's milestones re-cut to cover `order` exactly once, in order (see the module comment). */
export function alignMilestones(milestones: readonly Milestone[], order: readonly string[]): Milestone[] {
  const assigned = new Map<string, number>();
  milestones.forEach((m, i) => {
    for (const f of m.files) {
      const path = f.trim().replace(/^\.\//, '');
      if (!assigned.has(path)) assigned.set(path, i);
    }
  });
  const groups: string[][] = milestones.map(() => []);
  let at = 0;
  for (const file of order) {
    const wanted = assigned.get(file);
    if (wanted !== undefined && wanted > at) at = wanted;
    groups[at]!.push(file);
  }
  return milestones.flatMap((m, i) => (groups[i]!.length > 0 ? [{ title: m.title, goal: m.goal, files: groups[i]! }] : []));
}

/** The design held to the facts: the file's own path, its real dependencies, real names in its interface. */
export function groundDesign(design: Omit<FileDesign, 'path'> & { path?: string | undefined }, file: FileFacts): FileDesign {
  const allowed = [...file.imports, ...file.externals];
  const why = new Map<string, string>();
  for (const d of design.dependencies) if (allowed.includes(d.path) && !why.has(d.path) && d.why.trim()) why.set(d.path, d.why.trim());
  const dependencies = allowed.map((path) => ({ path, why: why.get(path) ?? `${file.path} imports it` }));
  const names = file.definitions.map((d) => d.name);
  let publicInterface = design.publicInterface.filter((entry) => mentionsName(entry, names));
  if (publicInterface.length === 0) publicInterface = file.definitions.map((d) => d.signature);
  return { path: file.path, responsibility: design.responsibility.trim(), publicInterface, dependencies };
}

function thoughtMentioning(path: string, names: readonly string[]): Check<string> {
  return schemaCheck(thoughtAnswerSchema, (v): Ground<string> =>
    mentionsAny(v.thought, path, names)
      ? { ok: true, value: v.thought.trim() }
      : { ok: false, error: `the thought names neither ${path} nor any of its real names (${names.slice(0, 8).join(', ') || 'none'})` },
  );
}

export type PolicyUsage = ChatUsage;

export class OpenAIPolicy implements Policy {
  readonly id = OPENAI_POLICY_ID;
  readonly #chat: ChatEndpoint;

  constructor(readonly spec: PolicySpec, env: NodeJS.ProcessEnv = process.env) {
    const { params, apiKey } = resolveParams(spec.params, env);
    this.#chat = new ChatEndpoint(params, apiKey);
  }

  get model(): string {
    return this.#chat.params.model;
  }

  /** Tokens spent so far, from the servers' `usage`, summed over every completion. */
  usage(): PolicyUsage {
    return { ...this.#chat.totals };
  }

  /** What a log may say about this policy: never the key. */
  toJSON(): Record<string, unknown> {
    const { keySource, ...params } = this.#chat.params;
    return { id: this.id, params, keySource };
  }

  async plan(summary: RepoSummary, seed: number): Promise<PlanOutput> {
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
    return this.ask(planPrompt(summary), check, seed);
  }

  async design(input: DesignInput, seed: number): Promise<DesignOutput> {
    const check = schemaCheck(designAnswerSchema, (v): Ground<DesignOutput> => ({
      ok: true,
      value: { thought: v.thought.trim(), design: fileDesignSchema.parse(groundDesign(v.design, input.file)) },
    }));
    return this.ask(designPrompt(input), check, seed);
  }

  fileIntent(input: FileIntentInput, seed: number): Promise<string> {
    return this.ask(fileIntentPrompt(input), thoughtMentioning(input.file.path, [...namesOf(input.file), ...input.design.publicInterface]), seed);
  }

  reviewChecks(input: CheckReviewInput, seed: number): Promise<string> {
    return this.ask(reviewChecksPrompt(input), thoughtMentioning(input.path, input.checks), seed);
  }

  diagnose(input: DiagnoseInput, seed: number): Promise<string> {
    const names = input.definition ? [input.definition.name] : [];
    return this.ask(diagnosePrompt(input), thoughtMentioning(input.path, names), seed);
  }

  testIntent(input: TestIntentInput, seed: number): Promise<string> {
    return this.ask(testIntentPrompt(input), thoughtMentioning(input.file.path, [...namesOf(input.file), ...input.subjects]), seed);
  }

  /** A proposer for one chunk: the context's path, language, preceding text and design sharpen the prompt. */
  proposer(ctx: ProposerContext): Proposer {
    return { name: `openai:${this.model}`, propose: (req) => this.propose(req, ctx) };
  }

  async close(): Promise<void> {
    // The client holds no connections of its own (fetch pools them); nothing to release.
  }

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
    const messages = proposePrompt(sketchTarget(req.target, ctx), ctx.design, req.context, req.steps, req.k);
    return this.#chat.json(messages, check, { seed: req.seed, temperature: this.#chat.params.proposerTemperature });
  }

  private ask<T>(messages: ChatMessage[], check: Check<T>, seed: number): Promise<T> {
    return this.#chat.json(messages, check, { seed, temperature: this.#chat.params.temperature });
  }
}

/** Registers `openai` in `registry`: `registry.create({ id: 'openai', params: { baseURL, model } })`. */
export function registerOpenAIPolicy(registry: PolicyRegistry): PolicyRegistry {
  return registry.register(OPENAI_POLICY_ID, (spec) => new OpenAIPolicy(spec));
}
