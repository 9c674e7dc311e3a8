/**
 * Packs a run's steps into records that fit the trainer's context. Steps arrive a job at a time
 * (a file's writing, a check, a repair: a unit); a unit goes whole into one record when it fits,
 * and is split only when it alone does not, between a step and the reasoning before the next
 * (a chunk's thinks stay with its write; chunks are cut at definitions, src/agents/chunking.ts).
 * A write too long for any record is cut into appends at line ends.
 *
 * Every record after the first opens with `context`: the planner's steps (the brief and the plan)
 * and, when it starts inside a file's work, that file's design; masked, and smaller contexts are
 * taken when a larger would leave too little room.
 *
 * A write of a file that is not trained on (a lock file, generated, minified, large data) keeps
 * its text in the step, so the replay reproduces it, but shows in `text` as a one-line stand-in.
 */
import type { Role, Step } from '../agents/types.ts';
import { renderStep } from './format.ts';
import type { DatasetRecordV2, IndexedStep, RepoProvenance, RunProvenance, UntrainedFileReason } from './record.ts';
import { DATASET_FORMAT } from './record.ts';
import type { TextTokenizer } from './tokenizer.ts';
import { addRecordCalls, type RecordCalls } from '../accounting/record-calls.ts';

export class PackingError extends Error {
  override name = 'PackingError';
}

/** What a record holds before the run's record count is known. */
export type PackedRecord = Omit<DatasetRecordV2, 'chunk'> & { chunk: { index: number; count: number | null; first_step: number } };

export interface PackerOptions {
  tokenizer: TextTokenizer;
  /** No record has more tokens than this. */
  contextTokens: number;
  /** Keep the token ids in each record. */
  tokenIds: boolean;
  /** Files replayed but not trained on, by path. */
  untrained: ReadonlyMap<string, UntrainedFileReason>;
  repo: RepoProvenance;
  run: Omit<RunProvenance, 'policies' | 'tokenizer' | 'context_tokens'>;
  onRecord: (rec: PackedRecord) => void;
}

interface Block {
  step: IndexedStep;
  ids: number[];
  /** Length of the rendered block in code points. */
  points: number;
  text: string;
  masked: boolean;
  /** The model calls of the unit this block opens (src/accounting/record-calls.ts). */
  calls?: RecordCalls;
}

/** Length of `s` in Unicode code points: what Python's `len` gives. */
export function codePoints(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

const FILE_REASONS: ReadonlySet<string> = new Set(['lock-file', 'generated', 'minified', 'data']);

/** How a step reads in `text`: renderStep, or the stand-in of an untrained file's write. */
export function renderBlock(s: Step): string {
  if (s.tool === 'write' && s.untrained && FILE_REASONS.has(s.untrained)) {
    const lines = s.text === '' ? 0 : s.text.split('\n').length - (s.text.endsWith('\n') ? 1 : 0);
    return renderStep({ ...s, text: `[${s.untrained}: ${lines} lines, ${codePoints(s.text)} characters; replayed, not trained on]` });
  }
  return renderStep(s);
}

export class Packer {
  private nextIndex = 0;
  private recordIndex = 0;
  private preamble: Block[] = [];
  private preambleOpen = true;
  private readonly designs = new Map<string, Block[]>();
  private context: Block[] = [];
  private own: Block[] = [];
  private tokens = 0;
  /** Calls of units with no steps, charged to the next unit. */
  private pendingCalls: RecordCalls | undefined;
  readonly totals = { records: 0, steps: 0, chars: 0, trainChars: 0, maskedChars: 0, tokens: 0, trainTokens: 0, maskedTokens: 0, zeroTrainRecords: 0 };

  constructor(private readonly opts: PackerOptions) {
    if (!Number.isInteger(opts.contextTokens) || opts.contextTokens < 64) throw new PackingError(`context of ${opts.contextTokens} tokens: give at least 64`);
  }

  /** One unit of work: the steps of one job, in order, and the model calls it used (charged to the record of its first step). */
  add(steps: readonly Step[], calls?: RecordCalls): void {
    const blocks = this.prepare(steps);
    const charged = addRecordCalls(this.pendingCalls, calls);
    if (blocks.length === 0) {
      this.pendingCalls = charged;
      return;
    }
    this.pendingCalls = undefined;
    if (charged) blocks[0]!.calls = charged;
    const unitTokens = sum(blocks);
    const limit = this.opts.contextTokens;
    if (this.tokens + unitTokens <= limit) this.push(blocks);
    else if (unitTokens + sum(this.preamble) <= limit) {
      // It fits a record of its own: it starts the next one rather than being split.
      this.flush(blocks[0]!, unitTokens, false);
      this.push(blocks);
    } else this.placeSplit(blocks);
  }

  finish(): void {
    const last = this.own[this.own.length - 1];
    if (last && this.pendingCalls) last.calls = addRecordCalls(last.calls, this.pendingCalls);
    if (this.own.length > 0) this.emit();
  }

  /** Steps to blocks: indexed, untrained files marked, over-long writes cut into appends. */
  private prepare(steps: readonly Step[]): Block[] {
    const out: Block[] = [];
    const limit = Math.floor(this.opts.contextTokens / 2);
    for (const raw of steps) {
      const s = this.markUntrained(raw);
      // Indexed when placed (a piece may still be cut to fill a record). A step that fits is
      // tokenised once: the size check's tokens are its block's.
      const text = renderBlock(s);
      const ids = this.opts.tokenizer.encode(text);
      if (!cuttable(s) || ids.length <= limit) out.push(this.blockOf({ ...s, index: -1 }, text, ids));
      else for (const p of this.cutStep(s, limit, ids.length)) out.push(this.block({ ...p, index: -1 }));
    }
    return out;
  }

  private markUntrained(s: Step): Step {
    if ((s.tool !== 'write' && s.tool !== 'edit') || !s.path || s.untrained) return s;
    const reason = this.opts.untrained.get(s.path);
    return reason ? { ...s, train: false, untrained: reason } : s;
  }

  private block(step: IndexedStep): Block {
    const text = renderBlock(step);
    return this.blockOf(step, text, this.opts.tokenizer.encode(text));
  }

  /** `text` is renderBlock(step) and `ids` its tokens. */
  private blockOf(step: IndexedStep, text: string, ids: number[]): Block {
    return { step, text, ids, points: codePoints(text), masked: !step.train };
  }

  /**
   * A write or an observation whose block exceeds `limit` tokens, cut at line ends: a write into
   * its create (or append) and appends, an observation into consecutive observations. `whole`:
   * the block's tokens, when they are counted already.
   */
  private cutStep(s: Step, limit: number, whole = this.opts.tokenizer.encode(renderBlock(s)).length): Step[] {
    if (whole <= limit) return [s];
    const pieces: Step[] = [];
    let rest = s.text;
    let first = true;
    const charsPerToken = s.text.length / whole;
    while (rest.length > 0) {
      let size = Math.max(1, Math.floor(limit * charsPerToken * 0.9));
      let piece = cutAtLine(rest, size);
      while (piece.length > 1 && this.opts.tokenizer.encode(renderStep({ ...s, text: piece })).length > limit) {
        size = Math.max(1, Math.floor(piece.length * 0.8));
        piece = cutAtLine(rest, size);
      }
      pieces.push(s.write ? { ...s, text: piece, write: { mode: first ? s.write.mode : 'append' } } : { ...s, text: piece });
      rest = rest.slice(piece.length);
      first = false;
    }
    return pieces;
  }

  /** The planner's steps make the preamble; a design is kept for the records inside its file. */
  private remember(b: Block): void {
    if (b.step.role !== 'planner') this.preambleOpen = false;
    else if (this.preambleOpen) this.preamble.push(b);
    if (b.step.role === 'architect' && b.step.path) {
      const list = this.designs.get(b.step.path) ?? [];
      list.push(b);
      this.designs.set(b.step.path, list);
    }
  }

  /** A unit too long for the rest of this record: its segments go in order, a record at a time. */
  private placeSplit(blocks: Block[]): void {
    for (const seg of segments(blocks)) {
      const segTokens = sum(seg);
      if (this.own.length > 0 && this.tokens + segTokens > this.opts.contextTokens) this.flush(seg[0]!, segTokens, true);
      if (this.tokens + segTokens <= this.opts.contextTokens) {
        this.push(seg);
        continue;
      }
      // A segment longer than a record: its steps one by one.
      for (const b of seg) this.placeStep(b);
    }
  }

  /**
   * One step where the rest of the record has no room for it: an observation fills the record and
   * goes on in the next (it is masked: no definition to keep whole); any other step opens the next.
   */
  private placeStep(first: Block): void {
    let b = first;
    for (;;) {
      const room = this.opts.contextTokens - this.tokens;
      if (b.ids.length <= room) return this.push([b]);
      if (this.own.length > 0 && b.step.kind === 'observation' && room >= MIN_PIECE) {
        const [head, tail] = this.cutBlock(b, room);
        this.push([head]);
        b = tail;
      }
      if (this.own.length === 0) {
        throw new PackingError(`step ${b.step.role} ${b.step.kind}${b.step.path ? ` ${b.step.path}` : ''} alone is ${b.ids.length} tokens, over the context of ${this.opts.contextTokens}`);
      }
      this.flush(b, b.ids.length, true);
    }
  }

  /** `b` as a head of at most `room` tokens and the rest. */
  private cutBlock(b: Block, room: number): [Block, Block] {
    const { index: _unplaced, ...step } = b.step;
    const [head] = this.cutStep(step, room);
    const rest = step.text.slice(head!.text.length);
    const tail: Step = step.write ? { ...step, text: rest, write: { mode: 'append' } } : { ...step, text: rest };
    return [this.block({ ...head!, index: -1 }), this.block({ ...tail, index: -1 })];
  }

  private push(blocks: Block[]): void {
    for (const b of blocks) {
      b.step = { ...b.step, index: this.nextIndex++ };
      this.own.push(b);
      this.tokens += b.ids.length;
      this.remember(b);
    }
  }

  /**
   * Ends the record and opens the next with the largest context that leaves `need` tokens for
   * what comes next (`next` and the steps after it), else for `next` alone.
   */
  private flush(next: Block, need: number, inside: boolean): void {
    this.emit();
    const path = next.step.path;
    const design = inside && path ? this.designs.get(path) ?? [] : [];
    const brief = this.preamble.filter((b) => b.step.tool === 'brief');
    const candidates = [[...this.preamble, ...design], this.preamble, brief, []];
    const fits = (room: number) => candidates.find((c) => sum(c) <= room);
    this.context = fits(this.opts.contextTokens - need) ?? fits(this.opts.contextTokens - next.ids.length) ?? [];
    this.tokens = sum(this.context);
  }

  private emit(): void {
    const rec = this.assemble();
    this.opts.onRecord(rec);
    const t = this.totals;
    t.records++;
    t.steps += rec.steps.length;
    t.chars += rec.stats.chars;
    t.trainChars += rec.stats.train_chars;
    t.maskedChars += rec.stats.masked_chars;
    t.tokens += rec.tokens.count;
    t.trainTokens += rec.tokens.train;
    t.maskedTokens += rec.tokens.masked;
    if (rec.tokens.train === 0) t.zeroTrainRecords++;
    this.recordIndex++;
    this.context = [];
    this.own = [];
    this.tokens = 0;
  }

  private assemble(): PackedRecord {
    const blocks = [...this.context.map((b) => ({ ...b, masked: true })), ...this.own];
    const flat = flattenBlocks(blocks);
    const steps = this.own.map((b) => b.step);
    const calls = this.own.reduce<RecordCalls | undefined>((sum, b) => addRecordCalls(sum, b.calls), undefined);
    const tokens = { count: flat.ids.length, train: flat.ids.length - flat.maskedTokens, masked: flat.maskedTokens, mask: flat.tokenMask, blocks: blocks.map((b) => b.ids.length), ...(this.opts.tokenIds ? { ids: flat.ids } : {}) };
    return {
      id: `${this.opts.repo.name}/${this.opts.run.id}#${this.recordIndex}`,
      format: DATASET_FORMAT,
      repo: this.opts.repo,
      run: { ...this.opts.run, policies: policiesOf(blocks), tokenizer: this.opts.tokenizer.name, context_tokens: this.opts.contextTokens, ...(calls ? { model_calls: calls } : {}) },
      chunk: { index: this.recordIndex, count: null, first_step: steps[0]!.index },
      context: this.context.map((b) => b.step),
      steps,
      search: steps.filter((s) => s.search).map((s) => ({ ...s.search!, step: s.index, path: s.path ?? null })),
      text: flat.text,
      mask: flat.charMask,
      tokens,
      stats: { steps: steps.length, chars: flat.points, train_chars: flat.points - flat.maskedPoints, masked_chars: flat.maskedPoints },
    };
  }
}

/**
 * Steps that may be cut at line ends into consecutive steps of the same kind when one is longer
 * than half a record: writes (replayed as create and appends), observations, and actions that are
 * not replayed (a plan of thousands of files, a long design). An edit is never cut: its old and
 * new text replace each other whole.
 */
function cuttable(s: Step): boolean {
  if (s.tool === 'write') return s.write !== undefined;
  return s.kind === 'observation' || (s.kind === 'action' && s.tool !== 'edit');
}

/** The smallest piece an observation is cut to so it can fill the end of a record. */
const MIN_PIECE = 256;

const sum = (blocks: readonly Block[]): number => blocks.reduce((n, b) => n + b.ids.length, 0);

/** The longest prefix of `s` of at most `size` characters that ends a line (or `size` characters when no line ends). */
function cutAtLine(s: string, size: number): string {
  if (s.length <= size) return s;
  const nl = s.lastIndexOf('\n', size - 1);
  let end = nl >= 0 ? nl + 1 : size;
  // Never split a surrogate pair.
  const c = s.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return s.slice(0, Math.max(1, end));
}

/** Steps grouped so a run of thinks stays with the step after it. */
function segments(blocks: Block[]): Block[][] {
  const out: Block[][] = [];
  let cur: Block[] = [];
  for (const b of blocks) {
    cur.push(b);
    if (b.step.kind !== 'think') {
      out.push(cur);
      cur = [];
    }
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

interface Flat {
  text: string;
  ids: number[];
  points: number;
  charMask: Array<[number, number]>;
  tokenMask: Array<[number, number]>;
  maskedPoints: number;
  maskedTokens: number;
}

/** Adds [start, end) to spans, merged with the last span when they touch. */
export function addSpan(spans: Array<[number, number]>, start: number, end: number): void {
  const last = spans[spans.length - 1];
  if (last && last[1] === start) last[1] = end;
  else spans.push([start, end]);
}

function flattenBlocks(blocks: readonly Block[]): Flat {
  const f: Flat = { text: '', ids: [], points: 0, charMask: [], tokenMask: [], maskedPoints: 0, maskedTokens: 0 };
  const parts: string[] = [];
  for (const b of blocks) {
    if (b.masked) {
      addSpan(f.charMask, f.points, f.points + b.points);
      addSpan(f.tokenMask, f.ids.length, f.ids.length + b.ids.length);
      f.maskedPoints += b.points;
      f.maskedTokens += b.ids.length;
    }
    parts.push(b.text);
    f.points += b.points;
    for (const id of b.ids) f.ids.push(id);
  }
  f.text = parts.join('');
  return f;
}

function policiesOf(blocks: readonly Block[]): Partial<Record<Role, string[]>> {
  const out: Partial<Record<Role, string[]>> = {};
  for (const { step } of blocks) {
    const list = (out[step.role] ??= []);
    if (!list.includes(step.policy)) list.push(step.policy);
  }
  return out;
}
