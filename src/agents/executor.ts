/**
 * Carries out a role machine's commands for one piece of work: asks the policy for words, the
 * workspace for real contents and facts, the refiner for searched reasoning, the checks for their
 * real output. State that lives between commands (the text written so far, the planned fault) is
 * kept here, per piece of work, never in the machine.
 */
import { joinReasoning } from '../search/objective.ts';
import { createRng, mixSeed } from '../search/rng.ts';
import { runChecks } from './checks.ts';
import { injectFault, repairEdit, type Fault } from './faults.ts';
import type { Answer, Command } from './machines/common.ts';
import { renderDesign, renderFindings } from './machines/common.ts';
import type { Policy, ProposerContext } from './policy.ts';
import type { Work, WorkOf } from './protocol.ts';
import type { Refiner } from './refiner.ts';
import type { Workspace } from './workspace.ts';
import type { SearchTree } from '../search/types.ts';
import type { SearchStats } from './types.ts';

export interface SearchEvent {
  path: string;
  /** The chunk refined, or -1 for a repair. */
  chunk: number;
  target: string;
  steps: string[];
  stats?: SearchStats;
  tree?: SearchTree;
}

export interface ExecutorDeps {
  ws: Workspace;
  policy: Policy;
  refiner: Refiner;
  /** Told of every search, with its tree: the host publishes it for the trace viewer. */
  onSearch?: (e: SearchEvent) => void;
}

export type Execute = (cmd: Command) => Promise<Answer>;

class UnexpectedCommandError extends Error {
  override name = 'UnexpectedCommandError';
  constructor(role: string, cmd: Command) {
    super(`${role} cannot carry out "${cmd.kind}"`);
  }
}

const CONTEXT_WRITTEN_CHARS = 16_000;

// The version is part of the key: a long-lived process must not score a changed repository with
// a scorer trained on its earlier texts (a run id is reused when a run is repeated).
const corpusKey = (w: Work) => `${w.run}:${w.repo.name}:${(w.repo.digest ?? '').slice(0, 16)}`;

/** Texts of the files written before `path`, in writing order: what the scorer may train on. */
function writtenBefore(ws: Workspace, path: string): string[] {
  const i = ws.order.indexOf(path);
  return ws.order.slice(0, Math.max(0, i)).map((p) => ws.read(p));
}

function remoteOf(w: Work, d: ExecutorDeps, ctx: ProposerContext): NonNullable<Parameters<Refiner['refine']>[0]['remote']> {
  const i = d.ws.order.indexOf(ctx.path);
  const corpus: { root: string; files: string[]; graph?: string; digest?: string } = { root: d.ws.repo.root, files: d.ws.order.slice(0, Math.max(0, i)) };
  if (d.ws.repo.graph) corpus.graph = d.ws.repo.graph;
  if (d.ws.repo.digest) corpus.digest = d.ws.repo.digest;
  return { run: w.run, policyId: d.policy.id, proposerContext: ctx, corpus };
}

function commonExecute(w: Work, d: ExecutorDeps, cmd: Command): Promise<Answer> | undefined {
  if (cmd.kind === 'read') return Promise.resolve({ type: 'READ', path: cmd.path, content: d.ws.read(cmd.path) });
  return undefined;
}

export function plannerExecutor(w: WorkOf<'planner'>, d: ExecutorDeps): Execute {
  return async (cmd) => {
    if (cmd.kind !== 'plan') throw new UnexpectedCommandError('planner', cmd);
    const out = await d.policy.plan(d.ws.summary(), w.seed);
    return { type: 'PLANNED', thoughts: out.thoughts, plan: out.plan };
  };
}

export function architectExecutor(w: WorkOf<'architect'>, d: ExecutorDeps): Execute {
  return async (cmd) => {
    if (cmd.kind !== 'design') throw new UnexpectedCommandError('architect', cmd);
    const out = await d.policy.design({ overview: w.overview, milestone: w.milestone, file: d.ws.facts(cmd.path) }, w.seed);
    return { type: 'DESIGNED', path: cmd.path, thought: out.thought, design: out.design };
  };
}

export function coderExecutor(w: WorkOf<'coder'>, d: ExecutorDeps): Execute {
  const chunks = d.ws.chunks(w.path);
  const facts = d.ws.facts(w.path);
  let written = '';
  // Is this file's first draft a debugging episode? Decided by the seed alone, then kept only if
  // the checks would catch the fault.
  let fault: { chunk: number; fault: Fault } | undefined;
  const rng = createRng(mixSeed(w.seed, 'episode', w.path));
  if (facts.language && w.faultRate > 0 && rng.next() < w.faultRate) {
    const i = rng.int(chunks.length);
    const before = chunks.slice(0, i).map((c) => c.text).join('');
    const after = chunks.slice(i + 1).map((c) => c.text).join('');
    const f = injectFault({ language: facts.language, path: w.path, chunkIndex: i, before, chunk: chunks[i]!.text, after, env: d.ws.env(), seed: w.seed });
    if (f) fault = { chunk: i, fault: f };
  }
  return async (cmd) => {
    const common = commonExecute(w, d, cmd);
    if (common) return common;
    switch (cmd.kind) {
      case 'intent':
        return { type: 'INTENT', text: await d.policy.fileIntent({ file: facts, design: w.design, chunks: chunks.length }, w.seed) };
      case 'refine': {
        const chunk = chunks[cmd.chunk]!;
        // The scorer reads a window of the context's end (8192 tokens for the embedded one): the
        // file written so far is cut to what fits, so long files do not cost quadratic work.
        const context = [renderDesign(w.design), d.ws.contextMap(w.path), `// ${w.path}`, written.slice(-CONTEXT_WRITTEN_CHARS)].filter(Boolean).join('\n');
        const ctx: ProposerContext = { path: w.path, language: facts.language, preceding: written, knownIdentifiers: d.ws.knownIdentifiers(), design: w.design };
        const r = await d.refiner.refine({
          corpusKey: corpusKey(w),
          written: writtenBefore(d.ws, w.path),
          context,
          target: chunk.text,
          proposer: d.policy.proposer(ctx),
          seed: mixSeed(w.seed, 'refine', w.path, cmd.chunk),
          budget: w.budget,
          remote: remoteOf(w, d, ctx),
        });
        d.onSearch?.({ path: w.path, chunk: cmd.chunk, target: chunk.text, steps: r.steps, ...(r.stats ? { stats: r.stats } : {}), ...(r.tree ? { tree: r.tree } : {}) });
        return r.stats ? { type: 'REFINED', chunk: cmd.chunk, steps: r.steps, stats: r.stats } : { type: 'REFINED', chunk: cmd.chunk, steps: r.steps };
      }
      case 'draft': {
        const faulty = fault?.chunk === cmd.chunk;
        const text = faulty ? fault!.fault.draft : chunks[cmd.chunk]!.text;
        written += text;
        return { type: 'DRAFTED', chunk: cmd.chunk, text, faulty };
      }
      default:
        throw new UnexpectedCommandError('coder', cmd);
    }
  };
}

export function testerExecutor(w: WorkOf<'tester'>, d: ExecutorDeps): Execute {
  let content = w.content ?? '';
  let checks: string[] = [];
  return async (cmd) => {
    const common = commonExecute(w, d, cmd);
    if (common) return common;
    switch (cmd.kind) {
      case 'testIntent':
        return { type: 'INTENT', text: await d.policy.testIntent({ file: d.ws.facts(w.path), subjects: d.ws.testSubjectsOf(w.path) }, w.seed) };
      case 'write':
        content = d.ws.read(w.path);
        return { type: 'WRITTEN', text: content };
      case 'check': {
        const report = runChecks(d.ws.facts(w.path).language, w.path, content, d.ws.env());
        checks = report.checks;
        return { type: 'CHECKED', findings: report.findings, output: report.output };
      }
      case 'review':
        return { type: 'REVIEWED', text: await d.policy.reviewChecks({ path: w.path, findings: cmd.findings, checks }, w.seed) };
      default:
        throw new UnexpectedCommandError('tester', cmd);
    }
  };
}

export function debuggerExecutor(w: WorkOf<'debugger'>, d: ExecutorDeps): Execute {
  const real = d.ws.read(w.path);
  const edit = repairEdit(w.content, real);
  const facts = d.ws.facts(w.path);
  const line = w.findings[0]?.line ?? 1;
  const lines = w.content.split('\n');
  const excerpt = lines.slice(Math.max(0, line - 3), line + 2).join('\n');
  return async (cmd) => {
    switch (cmd.kind) {
      case 'diagnose': {
        const definition = facts.definitions.find((x) => x.startLine <= line && line <= x.endLine);
        const input: Parameters<Policy['diagnose']>[0] = { path: w.path, findings: w.findings, excerpt, fix: { before: edit.old, after: edit.new } };
        if (definition) input.definition = definition;
        return { type: 'DIAGNOSED', text: await d.policy.diagnose(input, w.seed) };
      }
      case 'repair': {
        const ctx: ProposerContext = { path: w.path, language: facts.language, preceding: excerpt, knownIdentifiers: d.ws.knownIdentifiers() };
        const r = await d.refiner.refine({
          corpusKey: corpusKey(w),
          written: writtenBefore(d.ws, w.path),
          context: joinReasoning(`${renderFindings(w.findings)}\n${excerpt}`, []),
          target: edit.new,
          proposer: d.policy.proposer(ctx),
          seed: mixSeed(w.seed, 'repair', w.path),
          budget: w.budget,
          remote: remoteOf(w, d, ctx),
        });
        d.onSearch?.({ path: w.path, chunk: -1, target: edit.new, steps: r.steps, ...(r.stats ? { stats: r.stats } : {}), ...(r.tree ? { tree: r.tree } : {}) });
        return r.stats ? { type: 'REPAIRED', steps: r.steps, stats: r.stats, edit } : { type: 'REPAIRED', steps: r.steps, edit };
      }
      default:
        throw new UnexpectedCommandError('debugger', cmd);
    }
  };
}
