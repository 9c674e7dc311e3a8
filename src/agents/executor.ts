/**
 * Carries out a role machine's commands for one piece of work: asks the policy for words, the
 * workspace for real contents and facts, the refiner for searched reasoning, the checks for their
 * real output. State that lives between commands (the text written so far, the planned fault, what
 * the team knows so far) is kept here, per piece of work, never in the machine.
 *
 * Every text a policy gives is held to the knowledge boundary before it is recorded (knowledge.ts,
 * docs/reasoning.md): each call gets the guard of its point in the trajectory, and what comes back
 * is enforced against it whatever the policy did.
 */
import type { Logger } from 'pino';
import { Knowledge, SequenceGuard, guardOf, type BoundarySpec } from '../boundary/mod.ts';
import { languageOf } from '../graph/languages.ts';
import { joinReasoning } from '../search/objective.ts';
import { createRng, mixSeed } from '../search/rng.ts';
import { GuardedProposer, type Proposer } from '../search/proposer.ts';
import { runChecks, type CheckReport } from './checks.ts';
import { injectFault, repairEdit, type Fault } from './faults.ts';
import { briefOf, declarableNames, enforce, knowledgeBefore, readFor, repositoryText } from './knowledge.ts';
import type { Answer, Command } from './machines/common.ts';
import { renderDesign, renderFindings, renderPlan } from './machines/common.ts';
import type { Policy, ProposerContext } from './policy.ts';
import type { Work, WorkOf } from './protocol.ts';
import type { Refiner } from './refiner.ts';
import type { Workspace } from './workspace.ts';
import type { SearchTree } from '../search/types.ts';
import type { FileDesign, Finding, Plan, SearchStats } from './types.ts';

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
  log?: Logger;
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

/** Each workspace's texts in writing order, read as far as asked so far (the order never changes). */
const orderTexts = new WeakMap<Workspace, string[]>();

/**
 * Texts of the files written before `path`, in writing order: what the scorer may train on. Asked
 * for every chunk, so the texts are kept in order once, not looked up again per chunk.
 */
function writtenTexts(ws: Workspace, path: string): string[] {
  const end = Math.max(0, ws.position(path));
  let texts = orderTexts.get(ws);
  if (!texts) orderTexts.set(ws, (texts = []));
  for (let i = texts.length; i < end; i++) texts.push(ws.read(ws.order[i]!));
  return texts.slice(0, end);
}

function remoteOf(w: Work, d: ExecutorDeps, ctx: ProposerContext): NonNullable<Parameters<Refiner['refine']>[0]['remote']> {
  const i = d.ws.position(ctx.path);
  const corpus: { root: string; files: string[]; graph?: string; digest?: string } = { root: d.ws.repo.root, files: d.ws.order.slice(0, Math.max(0, i)) };
  if (d.ws.repo.graph) corpus.graph = d.ws.repo.graph;
  if (d.ws.repo.digest) corpus.digest = d.ws.repo.digest;
  return { run: w.run, policyId: d.policy.id, proposerContext: ctx, corpus };
}

/** The boundary at a point: what of `answer` is unknown given `known`, and what was said since the last write. */
function boundaryAt(known: Knowledge, answer: string, prefix: readonly string[] = []): BoundarySpec {
  return { answer: known.answer(answer), prefix: [...prefix] };
}


/** Reads of the files a coder or a test writer needs; a file not written yet reads as its design. */
function readExecutor(w: { path: string; readDesigns?: FileDesign[] | undefined }, d: ExecutorDeps, known: Knowledge) {
  return (cmd: Extract<Command, { kind: 'read' }>): Answer => {
    const r = readFor(d.ws, cmd.path, w.path, w.readDesigns);
    known.addText(r.content);
    return { type: 'READ', path: cmd.path, content: r.content, source: r.source };
  };
}

export function plannerExecutor(w: WorkOf<'planner'>, d: ExecutorDeps): Execute {
  return async (cmd) => {
    if (cmd.kind !== 'plan') throw new UnexpectedCommandError('planner', cmd);
    const brief = briefOf(d.ws);
    // The planner knows the brief; the whole repository is still the answer.
    const guard = new SequenceGuard(new Knowledge(null).addText(brief).answer(repositoryText(d.ws)));
    const out = await d.policy.plan({ summary: d.ws.summary(), guard }, w.seed);
    const thoughts: string[] = [];
    for (const t of out.thoughts) {
      const kept = enforce(guard.after(thoughts), t, d.log, 'plan thought');
      if (kept) thoughts.push(kept);
    }
    const plan = enforcePlan(guard.after(thoughts), out.plan, d.log);
    return { type: 'PLANNED', brief, thoughts, plan };
  };
}

/** The plan's trained text (overview, requirements, goals) held to the guard; files and order untouched. */
function enforcePlan(guard: SequenceGuard, plan: Plan, log?: Logger): Plan {
  const overview = enforce(guard, plan.overview, log, 'plan overview');
  const requirements: string[] = [];
  for (const r of plan.requirements) {
    const kept = enforce(guard.after([overview, ...requirements]), r, log, 'requirement');
    if (kept) requirements.push(kept);
  }
  const said = [overview, ...requirements];
  const milestones = plan.milestones.map((m) => {
    const title = enforce(guard.after(said), m.title, log, 'milestone title') || 'Milestone';
    const goal = enforce(guard.after([...said, title]), m.goal, log, 'milestone goal');
    said.push(title, goal);
    return { ...m, title, goal };
  });
  const out = { overview, requirements, milestones };
  if (!guard.admits([renderPlan(out)])) log?.warn('the rendered plan crosses the knowledge boundary');
  return out;
}

export function architectExecutor(w: WorkOf<'architect'>, d: ExecutorDeps): Execute {
  const brief = briefOf(d.ws);
  return async (cmd) => {
    if (cmd.kind !== 'design') throw new UnexpectedCommandError('architect', cmd);
    const declarable = declarableNames(d.ws, cmd.path);
    const known = knowledgeBefore(d.ws, brief, cmd.path).addText(w.overview).addNames(declarable);
    const guard = new SequenceGuard(known.answer(d.ws.read(cmd.path)));
    const file = d.ws.facts(cmd.path);
    const out = await d.policy.design({ overview: w.overview, milestone: w.milestone, file, declarable, guard }, w.seed);
    const design = enforceDesign(guard, out.design, file.definitions, d.log);
    const thought = enforce(guard, out.thought, d.log, 'design thought');
    return { type: 'DESIGNED', path: cmd.path, thought, design };
  };
}

/**
 * A design held to the guard: each interface entry, the responsibility and each dependency's why.
 * The interface then lists every top-level definition (by kind and name), so what later files may
 * name is what this design declared.
 */
function enforceDesign(guard: SequenceGuard, design: FileDesign, definitions: ReadonlyArray<{ name: string; kind: string }>, log?: Logger): FileDesign {
  const publicInterface = design.publicInterface.filter((e) => guard.admits([e]));
  const stated = new Set(publicInterface.join(' ').match(/[\w$]+/g) ?? []);
  for (const def of definitions) if (!stated.has(def.name)) publicInterface.push(`${def.kind} \`${def.name}\``);
  const responsibility = enforce(guard, design.responsibility, log, 'responsibility');
  const dependencies = design.dependencies.map((x) => ({ path: x.path, why: enforce(guard, x.why, log, 'dependency') || 'imported' }));
  const out = { path: design.path, responsibility, publicInterface, dependencies };
  if (!guard.admits([renderDesign(out)])) log?.warn({ path: design.path }, 'the rendered design crosses the knowledge boundary');
  return out;
}

/**
 * Writing a file chunk by chunk with reasoning refined before each chunk, as the coder writes code
 * and the tester writes a test file: what the writer knows grows with each chunk written, and each
 * chunk's search is held to the boundary at its point (what was said since the last write, then
 * the rest of the file is the answer).
 */
class ChunkWriter {
  readonly chunks;
  private written = '';
  /** What was said since the last write: the intent, before the first chunk. */
  private said: string[] = [];
  /** The ranked map of what the file depends on (the same for every chunk: ranked once). */
  private contextMap: string | undefined;

  constructor(
    private readonly w: WorkOf<'coder'> | WorkOf<'tester'>,
    private readonly d: ExecutorDeps,
    private readonly known: Knowledge,
    /** What heads the scorer's context: the file's design, when there is one. */
    private readonly lead: string[] = [],
  ) {
    this.chunks = d.ws.chunks(w.path);
  }

  /** Said before the first chunk (the intent): part of the sequence its reasoning is checked with. */
  intent(text: string): void {
    this.said = text ? [text] : [];
  }

  async refine(chunk: number, design?: FileDesign): Promise<Extract<Answer, { type: 'REFINED' }>> {
    const { w, d, known } = this;
    const target = this.chunks[chunk]!.text;
    const rest = this.chunks.slice(chunk).map((c) => c.text).join('');
    const boundary = boundaryAt(known, rest, this.said);
    // The scorer reads a window of the context's end (8192 tokens for the embedded one): the
    // file written so far is cut to what fits, so long files do not cost quadratic work.
    this.contextMap ??= d.ws.contextMap(w.path);
    const context = [...this.lead, this.contextMap, `// ${w.path}`, this.written.slice(-CONTEXT_WRITTEN_CHARS)].filter(Boolean).join('\n');
    const ctx: ProposerContext = { path: w.path, language: d.ws.facts(w.path).language, preceding: this.written, knownIdentifiers: known.knownNames(), boundary };
    if (design) ctx.design = design;
    const proposer = d.policy.proposer(ctx);
    const seed = mixSeed(w.seed, 'refine', w.path, chunk);
    const outline = await this.outline(target, context, proposer, boundary, seed);
    // The search refines what follows the outline: it is said before, in the context and the boundary.
    const searched = outline.length > 0 ? { ...boundary, prefix: [...boundary.prefix, ...outline] } : boundary;
    const r = await d.refiner.refine({
      corpusKey: corpusKey(w),
      written: writtenTexts(d.ws, w.path),
      context: outline.length > 0 ? joinReasoning(context, outline) : context,
      target,
      proposer: outline.length > 0 ? afterSteps(proposer, outline) : proposer,
      boundary: searched,
      seed,
      budget: w.budget,
      remote: remoteOf(w, d, ctx),
    });
    // Whatever refined the steps (here, or a search service), they are held to the same guard.
    const steps = [...outline, ...guardOf(searched).keep(r.steps.filter((s) => !outline.includes(s)))];
    d.onSearch?.({ path: w.path, chunk, target, steps, ...(r.stats ? { stats: r.stats } : {}), ...(r.tree ? { tree: r.tree } : {}) });
    return r.stats ? { type: 'REFINED', chunk, steps, stats: r.stats } : { type: 'REFINED', chunk, steps };
  }

  /**
   * A chunk the chunker could not cut to the target (one long comment, string or table) gets an
   * outline before its search: the proposer's first statements about it, one for each target's
   * worth of text past the first (three at most), held to the boundary as one sequence. A search
   * picks few steps for a long target (its gain is per target token), so without an outline the
   * longest writes would have the least reasoning.
   */
  private async outline(target: string, context: string, proposer: Proposer, boundary: BoundarySpec, seed: number): Promise<string[]> {
    const size = this.d.ws.chunkTarget.maxChars;
    const n = Math.min(3, Math.floor(target.length / size));
    if (n === 0) return [];
    const guard = guardOf(boundary);
    const first = await new GuardedProposer(proposer, context, target, guard).propose([], n, mixSeed(seed, 'outline'));
    return guard.keep(first.map((p) => p.text));
  }

  /** The chunk is written (`text`: the real chunk, or a faulty draft of it): it is known from now on. */
  draft(chunk: number, text: string, faulty = false): Extract<Answer, { type: 'DRAFTED' }> {
    this.written += text;
    this.known.addText(text);
    this.said = [];
    return { type: 'DRAFTED', chunk, text, faulty };
  }
}

/** A proposer told that `said` came before every sequence it is asked to go on: it does not say them again. */
function afterSteps(inner: Proposer, said: readonly string[]): Proposer {
  return { name: inner.name, propose: (req) => inner.propose({ ...req, steps: [...said, ...req.steps] }) };
}

export function coderExecutor(w: WorkOf<'coder'>, d: ExecutorDeps): Execute {
  const facts = d.ws.facts(w.path);
  const content = d.ws.read(w.path);
  // What the coder knows, growing as it reads and writes: the brief, the design, the names written before.
  const known = knowledgeBefore(d.ws, briefOf(d.ws), w.path).addText(renderDesign(w.design));
  const read = readExecutor(w, d, known);
  const writer = new ChunkWriter(w, d, known, [renderDesign(w.design)]);
  const chunks = writer.chunks;
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
    switch (cmd.kind) {
      case 'read':
        return read(cmd);
      case 'intent': {
        const guard = new SequenceGuard(known.answer(content));
        const reads = d.ws.readsFor(w.path).map((p) => ({ path: p, written: readFor(d.ws, p, w.path, w.readDesigns).source === 'file' }));
        const text = enforce(guard, await d.policy.fileIntent({ file: facts, design: w.design, chunks: chunks.length, reads, guard }, w.seed), d.log, 'intent');
        writer.intent(text);
        return { type: 'INTENT', text };
      }
      case 'refine':
        return writer.refine(cmd.chunk, w.design);
      case 'draft': {
        const faulty = fault?.chunk === cmd.chunk;
        return writer.draft(cmd.chunk, faulty ? fault!.fault.draft : chunks[cmd.chunk]!.text, faulty);
      }
      default:
        throw new UnexpectedCommandError('coder', cmd);
    }
  };
}

/** Checks of what was written, split by what the real, unmodified file also gets (the checker's limits). */
function checkAgainstReal(d: ExecutorDeps, path: string, content: string): { report: CheckReport; findings: Finding[]; baseline: Finding[] } {
  const language = d.ws.facts(path).language;
  const report = runChecks(language, path, content, d.ws.env());
  const real = content === d.ws.read(path) ? report : runChecks(language, path, d.ws.read(path), d.ws.env());
  const key = (f: Finding) => `${f.check}\u0000${f.message}`;
  const inReal = new Map<string, number>();
  for (const f of real.findings) inReal.set(key(f), (inReal.get(key(f)) ?? 0) + 1);
  const findings: Finding[] = [];
  const baseline: Finding[] = [];
  for (const f of report.findings) {
    const n = inReal.get(key(f)) ?? 0;
    if (n > 0) {
      inReal.set(key(f), n - 1);
      baseline.push(f);
    } else findings.push(f);
  }
  return { report, findings, baseline };
}

export function testerExecutor(w: WorkOf<'tester'>, d: ExecutorDeps): Execute {
  let content = w.content ?? '';
  let checks: string[] = [];
  let output = '';
  const brief = briefOf(d.ws);
  // What the test writer knows, growing as it reads and writes: the brief, the names written before.
  const known = knowledgeBefore(d.ws, brief, w.path);
  const read = readExecutor(w, d, known);
  const writer = w.mode === 'write-test' ? new ChunkWriter(w, d, known) : undefined;
  return async (cmd) => {
    switch (cmd.kind) {
      case 'read':
        return read(cmd);
      case 'testIntent': {
        const guard = new SequenceGuard(known.answer(d.ws.read(w.path)));
        const text = enforce(guard, await d.policy.testIntent({ file: d.ws.facts(w.path), subjects: d.ws.testSubjectsOf(w.path), guard }, w.seed), d.log, 'test intent');
        writer?.intent(text);
        return { type: 'INTENT', text };
      }
      case 'refine':
        if (!writer) throw new UnexpectedCommandError('tester (check)', cmd);
        return writer.refine(cmd.chunk);
      case 'draft': {
        if (!writer) throw new UnexpectedCommandError('tester (check)', cmd);
        const drafted = writer.draft(cmd.chunk, writer.chunks[cmd.chunk]!.text);
        content += drafted.text;
        return drafted;
      }
      case 'check': {
        const r = checkAgainstReal(d, w.path, content);
        checks = r.report.checks;
        output = r.report.output;
        return { type: 'CHECKED', findings: r.findings, baseline: r.baseline, output };
      }
      case 'review': {
        // Known: what was written (a faulty draft included) and what the checks printed; the answer
        // is what the real file has and the written one does not (the fix).
        const reviewKnown = knowledgeBefore(d.ws, brief, w.path).addText(content).addText(output);
        const guard = new SequenceGuard(reviewKnown.answer(d.ws.read(w.path)));
        const text = enforce(guard, await d.policy.reviewChecks({ path: w.path, findings: cmd.findings, baseline: cmd.baseline, checks, guard }, w.seed), d.log, 'review');
        return { type: 'REVIEWED', text };
      }
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
  // Known: the draft as written and the findings; the answer is the corrected text.
  const known = knowledgeBefore(d.ws, briefOf(d.ws), w.path).addText(w.content).addText(renderFindings(w.findings));
  let diagnosis: string[] = [];
  return async (cmd) => {
    switch (cmd.kind) {
      case 'diagnose': {
        const guard = new SequenceGuard(known.answer(edit.new));
        const definition = facts.definitions.find((x) => x.startLine <= line && line <= x.endLine);
        const input: Parameters<Policy['diagnose']>[0] = { path: w.path, findings: w.findings, excerpt, guard };
        if (definition) input.definition = definition;
        const text = enforce(guard, await d.policy.diagnose(input, w.seed), d.log, 'diagnosis');
        diagnosis = text ? [text] : [];
        return { type: 'DIAGNOSED', text };
      }
      case 'repair': {
        const boundary = boundaryAt(known, edit.new, diagnosis);
        const language = facts.language ?? languageOf(w.path);
        const ctx: ProposerContext = { path: w.path, language, preceding: excerpt, knownIdentifiers: known.knownNames(), boundary };
        const r = await d.refiner.refine({
          corpusKey: corpusKey(w),
          written: writtenTexts(d.ws, w.path),
          context: joinReasoning(`${renderFindings(w.findings)}\n${excerpt}`, []),
          target: edit.new,
          proposer: d.policy.proposer(ctx),
          boundary,
          seed: mixSeed(w.seed, 'repair', w.path),
          budget: w.budget,
          remote: remoteOf(w, d, ctx),
        });
        const steps = guardOf(boundary).keep(r.steps);
        d.onSearch?.({ path: w.path, chunk: -1, target: edit.new, steps, ...(r.stats ? { stats: r.stats } : {}), ...(r.tree ? { tree: r.tree } : {}) });
        return r.stats ? { type: 'REPAIRED', steps, stats: r.stats, edit } : { type: 'REPAIRED', steps, edit };
      }
      default:
        throw new UnexpectedCommandError('debugger', cmd);
    }
  };
}
