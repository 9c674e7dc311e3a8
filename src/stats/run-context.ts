/**
 * What every figure of a run reads: the run's files as its writes and edits leave them, where each
 * write's answer starts in its file's final text, and when each name first appears in the run.
 */
import { identifiersOf } from '../boundary/mod.ts';
import { FileParser, languageOf } from '../graph/mod.ts';
import type { LanguageId } from '../graph/types.ts';
import { ReplayError, Replayer } from '../run/replay.ts';
import { DatasetInputError } from './load.ts';
import type { RunSteps, StatStep } from './types.ts';

/** A write is a write or an edit action on a path: what ends a segment. */
export function isWrite(s: StatStep): boolean {
  return s.kind === 'action' && (s.tool === 'write' || s.tool === 'edit') && s.path !== undefined;
}

/** Steps of the plan and the designs: known to every later segment, and checked on their own. */
export function isDesignPhase(s: StatStep): boolean {
  return s.role === 'planner' || s.role === 'architect' || s.tool === 'brief' || s.tool === 'plan' || s.tool === 'design';
}

export class RunContext {
  readonly steps: StatStep[];
  /** Each path's text after the run's last write or edit of it. */
  readonly finals = new Map<string, string>();
  /** Step position -> offset of its file's final text where that write's answer starts. */
  private readonly answerStarts = new Map<number, number>();
  /** Name -> position of the first step whose text holds it. */
  private readonly firstSeen = new Map<string, number>();
  /** Identifiers of every final file and of the file tree's paths. */
  readonly finalNames = new Set<string>();
  /** Datasets since the knowledge boundary mark faulty drafts, check baselines and the brief. */
  readonly boundaryEra: boolean;
  private readonly languages = new Map<string, LanguageId | null>();
  private readonly declarable = new Map<string, ReadonlySet<string>>();
  private static parser: FileParser | undefined;

  constructor(readonly run: RunSteps) {
    this.steps = run.steps;
    this.replay();
    this.steps.forEach((s, pos) => {
      for (const n of identifiersOf(s.text)) if (!this.firstSeen.has(n)) this.firstSeen.set(n, pos);
    });
    for (const text of this.finals.values()) for (const n of identifiersOf(text)) this.finalNames.add(n);
    for (const p of run.files) for (const n of identifiersOf(p)) this.finalNames.add(n);
    this.boundaryEra = this.steps.some((s) => s.tool === 'brief' || s.check !== undefined || s.untrained !== undefined || s.source !== undefined);
  }

  languageOf(path: string | undefined): LanguageId | null {
    if (path === undefined) return null;
    let lang = this.languages.get(path);
    if (lang === undefined) {
      lang = languageOf(path);
      this.languages.set(path, lang);
    }
    return lang;
  }

  /**
   * The names a design of the file may declare, read from its final text: its definitions and
   * the names it imports. Empty for a file with no language or no final text.
   */
  declarableNames(path: string): ReadonlySet<string> {
    let names = this.declarable.get(path);
    if (!names) {
      const out = new Set<string>();
      const language = this.languageOf(path);
      const text = this.finals.get(path);
      if (language !== null && text !== undefined) {
        RunContext.parser ??= new FileParser();
        const facts = RunContext.parser.parse(language, text);
        for (const d of facts.definitions) out.add(d.name);
        for (const i of facts.imports) for (const n of i.names ?? []) out.add(n);
      }
      this.declarable.set(path, (names = out));
    }
    return names;
  }

  /** Whether `name` appears in a step before position `pos`. */
  seenBefore(name: string, pos: number): boolean {
    const at = this.firstSeen.get(name);
    return at !== undefined && at < pos;
  }

  /**
   * What the write at `pos` is the answer to: for a write, its file's final text from where the
   * write starts (the write and the rest of the file); for an edit, its new text.
   */
  answerOf(pos: number): string {
    const s = this.steps[pos]!;
    if (s.tool === 'edit') return s.edit?.new ?? '';
    const final = this.finals.get(s.path!) ?? '';
    return final.slice(this.answerStarts.get(pos) ?? 0);
  }

  /** Replays writes and edits, following each write's start through the edits that come after it. */
  private replay(): void {
    const replayer = new Replayer();
    const anchors = new Map<string, Array<{ pos: number; offset: number }>>();
    this.steps.forEach((s, pos) => {
      if (isWrite(s)) {
        const path = s.path!;
        const before = replayer.files.get(path);
        let list = anchors.get(path);
        if (!list) anchors.set(path, (list = []));
        if (s.tool === 'write') {
          if ((s.write?.mode ?? 'create') === 'create') for (const a of list) a.offset = 0;
          list.push({ pos, offset: s.write?.mode === 'append' ? (before?.length ?? 0) : 0 });
        } else if (s.edit && before !== undefined) {
          const at = before.indexOf(s.edit.old);
          const end = at + s.edit.old.length;
          const delta = s.edit.new.length - s.edit.old.length;
          if (at >= 0) {
            for (const a of list) {
              if (a.offset >= end) a.offset += delta;
              else if (a.offset > at) a.offset = at;
            }
          }
        }
      }
      try {
        replayer.apply(s);
      } catch (err) {
        if (err instanceof ReplayError) throw new DatasetInputError(`${this.run.key}: ${err.message.replace(/^step \d+/, `step ${s.index}`)}`);
        throw err;
      }
    });
    for (const [path, text] of replayer.files) this.finals.set(path, text);
    for (const list of anchors.values()) for (const a of list) this.answerStarts.set(a.pos, a.offset);
  }
}
