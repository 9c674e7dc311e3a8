/**
 * The dataset card: a Hugging Face dataset card (README.md with a YAML header) and its plots,
 * written next to the output. `CardTally` takes records as they stream and keeps counters per
 * repository and per bucket, never records; the one list it keeps is a number per refined step
 * (the search gains), for exact quantiles. `renderCard` is pure: the same tally and options give
 * the same bytes (no dates).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import parseSpdx from 'spdx-expression-parse';
import type { Step } from '../agents/types.ts';
import { languageOf } from '../graph/languages.ts';
import type { TotalFigures } from '../stats/mod.ts';
import { histogramBins, histogramSvg, wantsLogBins } from './card-plots.ts';
import { modelCallsSection } from './card-models.ts';
import type { ModelCalls } from '../accounting/model-calls.ts';
import type { DatasetRecordV2, IndexedStep } from './record.ts';

export class CardInputError extends Error {
  override name = 'CardInputError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export interface TokenSplit {
  tokens: number;
  trained: number;
  masked: number;
}

export interface RepoSummary extends TokenSplit {
  records: number;
  steps: number;
  refined: number;
  /** The SPDX expressions its records name; null for none found. */
  licences: Set<string | null>;
}

export interface UntrainedSummary {
  steps: number;
  tokens: number;
  /** `<repo>:<path>` of the files. */
  files: Set<string>;
}

const emptySplit = (): TokenSplit => ({ tokens: 0, trained: 0, masked: 0 });

function addTokens(split: TokenSplit, tokens: number, trained: boolean): void {
  split.tokens += tokens;
  if (trained) split.trained += tokens;
  else split.masked += tokens;
}

function bucket<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) map.set(key, (v = make()));
  return v;
}

/** `think`, `observation`, or `action:<tool>`. */
export function stepKindKey(s: Pick<Step, 'kind' | 'tool'>): string {
  return s.kind === 'action' ? `action:${s.tool ?? 'none'}` : s.kind;
}

/** The language of a step's file, `other` for none. */
export function stepLanguage(s: Pick<Step, 'path'>): string {
  return (s.path !== undefined ? languageOf(s.path) : null) ?? 'other';
}

/** What the card says, tallied record by record. */
export class CardTally {
  records = 0;
  /** Own steps (`steps`), not the repeated `context`. */
  steps = 0;
  contextSteps = 0;
  readonly total = emptySplit();
  /** Tokens of the repeated context (all masked; part of `total`). */
  contextTokens = 0;
  readonly byLanguage = new Map<string, TokenSplit>();
  readonly byRole = new Map<string, TokenSplit>();
  readonly byKind = new Map<string, TokenSplit>();
  readonly repos = new Map<string, RepoSummary>();
  readonly untrained = new Map<string, UntrainedSummary>();
  /** Per refined step: (bestLogprob - baselineLogprob) / targetTokens, nats per target token. */
  readonly searchGains: number[] = [];
  /** Refined steps with no target tokens (no gain to state). */
  searchesWithoutTarget = 0;
  /** Records per tokenizer, per context length. */
  readonly tokenizers = new Map<string, number>();
  readonly contextLengths = new Map<number, number>();
  recordsWithIds = 0;

  add(rec: DatasetRecordV2): void {
    const blocks = rec.tokens.blocks;
    if (!Array.isArray(blocks) || blocks.length !== rec.context.length + rec.steps.length) {
      throw new CardInputError(`record ${rec.id}: tokens.blocks has ${Array.isArray(blocks) ? blocks.length : 'no'} entries for ${rec.context.length + rec.steps.length} blocks`);
    }
    const repo = bucket(this.repos, rec.repo.name, () => ({ ...emptySplit(), records: 0, steps: 0, refined: 0, licences: new Set<string | null>() }));
    repo.records++;
    repo.steps += rec.steps.length;
    repo.licences.add(rec.repo.licence);
    this.records++;
    this.steps += rec.steps.length;
    this.contextSteps += rec.context.length;
    rec.context.forEach((s, i) => this.addBlock(s, blocks[i]!, false, repo));
    rec.steps.forEach((s, i) => {
      const tokens = blocks[rec.context.length + i]!;
      this.addBlock(s, tokens, s.train, repo);
      if (s.untrained !== undefined) this.addUntrained(rec.repo.name, s, tokens);
    });
    this.contextTokens += blocks.slice(0, rec.context.length).reduce((n, b) => n + b, 0);
    this.addSearches(rec, repo);
    this.tokenizers.set(rec.run.tokenizer, (this.tokenizers.get(rec.run.tokenizer) ?? 0) + 1);
    this.contextLengths.set(rec.run.context_tokens, (this.contextLengths.get(rec.run.context_tokens) ?? 0) + 1);
    if (rec.tokens.ids !== undefined) this.recordsWithIds++;
  }

  private addBlock(s: IndexedStep, tokens: number, trained: boolean, repo: RepoSummary): void {
    addTokens(this.total, tokens, trained);
    addTokens(repo, tokens, trained);
    addTokens(bucket(this.byLanguage, stepLanguage(s), emptySplit), tokens, trained);
    addTokens(bucket(this.byRole, s.role, emptySplit), tokens, trained);
    addTokens(bucket(this.byKind, stepKindKey(s), emptySplit), tokens, trained);
  }

  private addUntrained(repo: string, s: IndexedStep, tokens: number): void {
    const u = bucket(this.untrained, s.untrained!, () => ({ steps: 0, tokens: 0, files: new Set<string>() }));
    u.steps++;
    u.tokens += tokens;
    if (s.path !== undefined) u.files.add(`${repo}:${s.path}`);
  }

  private addSearches(rec: DatasetRecordV2, repo: RepoSummary): void {
    for (const s of rec.search) {
      repo.refined++;
      if (s.targetTokens > 0) this.searchGains.push((s.bestLogprob - s.baselineLogprob) / s.targetTokens);
      else this.searchesWithoutTarget++;
    }
  }
}

// ---- the YAML header ----

/** The licence ids the Hub knows (its `license:` vocabulary), beside `other` and `unknown`. */
const HUB_LICENCES = new Set([
  'apache-2.0', 'mit', 'afl-3.0', 'artistic-2.0', 'bsl-1.0', 'bsd', 'bsd-2-clause', 'bsd-3-clause', 'bsd-3-clause-clear',
  'cc', 'cc0-1.0', 'cc-by-2.0', 'cc-by-2.5', 'cc-by-3.0', 'cc-by-4.0', 'cc-by-sa-3.0', 'cc-by-sa-4.0', 'cc-by-nc-2.0',
  'cc-by-nc-3.0', 'cc-by-nc-4.0', 'cc-by-nd-4.0', 'cc-by-nc-nd-3.0', 'cc-by-nc-nd-4.0', 'cc-by-nc-sa-2.0', 'cc-by-nc-sa-3.0',
  'cc-by-nc-sa-4.0', 'cdla-sharing-1.0', 'cdla-permissive-1.0', 'cdla-permissive-2.0', 'wtfpl', 'ecl-2.0', 'epl-1.0',
  'epl-2.0', 'etalab-2.0', 'eupl-1.1', 'eupl-1.2', 'agpl-3.0', 'gfdl', 'gpl', 'gpl-2.0', 'gpl-3.0', 'lgpl', 'lgpl-2.1',
  'lgpl-3.0', 'isc', 'lppl-1.3c', 'ms-pl', 'mpl-2.0', 'odc-by', 'odbl', 'osl-3.0', 'postgresql', 'ofl-1.1', 'ncsa',
  'unlicense', 'zlib', 'pddl',
]);
/** SPDX ids whose Hub id is not their lower-cased form. */
const HUB_ALIASES: Readonly<Record<string, string>> = { 'pddl-1.0': 'pddl', 'odbl-1.0': 'odbl', 'odc-by-1.0': 'odc-by', 'gfdl-1.3': 'gfdl', 'gfdl-1.2': 'gfdl', 'gfdl-1.1': 'gfdl' };

/** The licence ids of an SPDX expression (its leaves); the expression itself when it does not parse. */
function spdxLeaves(expression: string): string[] {
  let info: parseSpdx.Info;
  try {
    info = parseSpdx(expression);
  } catch {
    return [expression];
  }
  const leaves: string[] = [];
  const walk = (i: parseSpdx.Info): void => {
    if ('license' in i) leaves.push(i.license);
    else {
      walk(i.left);
      walk(i.right);
    }
  };
  walk(info);
  return leaves;
}

/** The Hub's id of an SPDX id (`GPL-3.0-only` -> `gpl-3.0`), or null when the Hub has none. */
export function hubLicenceId(spdx: string): string | null {
  const lower = spdx.toLowerCase().replace(/(-only|-or-later|\+)$/, '');
  const id = HUB_ALIASES[lower] ?? lower;
  return HUB_LICENCES.has(id) ? id : null;
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9.]+/g, '-').replace(/^-+|-+$/g, '');

/** `license:` ids, and `license_name` when some licence is not one the Hub knows (`other`). */
export function hubLicences(expressions: Iterable<string | null>): { ids: string[]; name: string | null } {
  const ids = new Set<string>();
  const others = new Set<string>();
  for (const e of expressions) {
    if (e === null) {
      ids.add('unknown');
      continue;
    }
    for (const leaf of spdxLeaves(e)) {
      const id = hubLicenceId(leaf);
      if (id !== null) ids.add(id);
      else others.add(slug(leaf));
    }
  }
  if (others.size > 0) ids.add('other');
  const name = others.size === 0 ? null : others.size === 1 ? [...others][0]! : 'several-licences';
  return { ids: [...ids].sort(), name };
}

const SIZE_CATEGORIES: ReadonlyArray<[number, string]> = [
  [1e3, 'n<1K'], [1e4, '1K<n<10K'], [1e5, '10K<n<100K'], [1e6, '100K<n<1M'], [1e7, '1M<n<10M'], [1e8, '10M<n<100M'],
  [1e9, '100M<n<1B'], [1e10, '1B<n<10B'], [1e11, '10B<n<100B'], [1e12, '100B<n<1T'],
];

/** The Hub's `size_categories` bucket of a record count. */
export function sizeCategory(records: number): string {
  return SIZE_CATEGORIES.find(([below]) => records < below)?.[1] ?? 'n>1T';
}

/** A YAML scalar: plain when it is a safe word, else double-quoted (a JSON string is one). */
function yamlScalar(s: string): string {
  const plain = /^[A-Za-z0-9][A-Za-z0-9._<>\/-]*$/.test(s) && !/^(true|false|yes|no|on|off|null|y|n|[-+.\d]+)$/i.test(s);
  return plain ? s : JSON.stringify(s);
}

const yamlList = (key: string, items: readonly string[], indent = ''): string[] => [`${indent}${key}:`, ...items.map((i) => `${indent}- ${yamlScalar(i)}`)];

/** Programming languages seen, most tokens first. */
function programmingLanguages(tally: CardTally): string[] {
  return ranked(tally.byLanguage).map(([k]) => k).filter((k) => k !== 'other');
}

function yamlHeader(tally: CardTally, opts: CardOptions): string[] {
  const licences = hubLicences([...tally.repos.values()].flatMap((r) => [...r.licences]));
  const ids = licences.ids.length > 0 ? licences.ids : ['unknown'];
  return [
    '---',
    ...(ids.length === 1 ? [`license: ${yamlScalar(ids[0]!)}`] : yamlList('license', ids)),
    ...(licences.name !== null ? [`license_name: ${yamlScalar(licences.name)}`] : []),
    '# `language` is for natural languages (ISO 639): the prose is English; the code\'s languages are tags.',
    ...yamlList('language', ['en']),
    ...yamlList('tags', ['code', 'agent-trajectories', 'retrace', ...programmingLanguages(tally)]),
    ...yamlList('size_categories', [sizeCategory(tally.records)]),
    ...yamlList('task_categories', ['text-generation']),
    `pretty_name: ${JSON.stringify(opts.name)}`,
    'configs:',
    '- config_name: default',
    '  data_files:',
    '  - split: train',
    ...yamlList('path', opts.files, '    '),
    '---',
  ];
}

// ---- the markdown ----

export interface CardOptions {
  name: string;
  /** The `total` of computeStats over the same records. */
  fidelity?: TotalFigures;
  /** The output files, relative to the card's folder. */
  files: string[];
  format: 'jsonl' | 'parquet';
  /** The run's (or the corpus's) model calls; no section when no model was called. */
  models?: ModelCalls;
}

export const PLOT_FILES = { tokensPerRepo: 'tokens-per-repo.svg', searchGain: 'search-gain.svg' } as const;
/** Repositories listed one per row (most tokens first); the rest are summarised. */
const REPO_ROWS = 50;

export const num = (n: number) => n.toLocaleString('en-US');
const pct = (a: number, b: number) => (b === 0 ? 'n/a' : `${((a / b) * 100).toFixed(1)}%`);
const fixed = (x: number | null, d = 3) => (x === null || !Number.isFinite(x) ? 'n/a' : x.toFixed(d));

export function table(head: readonly string[], rows: ReadonlyArray<readonly string[]>, numeric: readonly boolean[]): string[] {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  return [`| ${head.join(' | ')} |`, `|${numeric.map((n) => (n ? '---:' : ':---')).join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)];
}

/** Entries by tokens, most first, then by key. */
function ranked<V extends { tokens: number }>(map: ReadonlyMap<string, V>): Array<[string, V]> {
  return [...map].sort((a, b) => b[1].tokens - a[1].tokens || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

function splitTable(label: string, map: ReadonlyMap<string, TokenSplit>, total: number): string[] {
  const rows = ranked(map).map(([k, s]) => [`\`${k}\``, num(s.tokens), num(s.trained), num(s.masked), pct(s.tokens, total)]);
  return table([label, 'tokens', 'trained', 'masked', 'share'], rows, [false, true, true, true, true]);
}

function overview(tally: CardTally, opts: CardOptions): string[] {
  const t = tally.total;
  const tokenizers = [...tally.tokenizers.keys()].sort().map((k) => `\`${k}\``).join(', ') || 'n/a';
  const lengths = [...tally.contextLengths.keys()].sort((a, b) => a - b).map(num).join(', ') || 'n/a';
  return [
    `# ${opts.name}`,
    '',
    'Trajectories of Retrace runs: a team of agents (planner, architect, coder, tester, debugger) rebuilds a real',
    'repository file by file, and each record is one packed sequence of a run, flattened to text with a loss mask. The trained text is',
    "the agents' reasoning and actions: the plan, each file's design, the reasoning before each write (chosen by a search that makes",
    'the real code more likely, within a knowledge boundary: nothing the team could not know yet) and the writes that reproduce the',
    'repository byte for byte. What the world answered (reads, check output), the context repeated at the start of a record, and',
    'files replayed but not learnt (lock files, generated, minified or data files, faulty drafts) are masked.',
    '',
    ...table(['', 'value'], [
      ['records', num(tally.records)],
      ['repositories', num(tally.repos.size)],
      ['steps', `${num(tally.steps)} (+ ${num(tally.contextSteps)} repeated as context)`],
      ['tokens', num(t.tokens)],
      ['trained', `${num(t.trained)} (${pct(t.trained, t.tokens)})`],
      ['masked', `${num(t.masked)} (${pct(t.masked, t.tokens)}; ${num(tally.contextTokens)} of them repeated context)`],
      ['tokenizer', tokenizers],
      ['context length', lengths],
      ['format', `${opts.format === 'jsonl' ? 'JSON Lines' : 'Parquet'}: ${opts.files.map((f) => `\`${f}\``).join(', ')}`],
    ], [false, false]),
  ];
}

function loading(tally: CardTally, opts: CardOptions): string[] {
  const tokenizer = [...tally.tokenizers.keys()].sort()[0] ?? 'llama-3';
  return [
    '## Loading and masking',
    '',
    "The header's `configs` names the data files, so the folder (or the Hub repository) loads as one `train` split:",
    '',
    '```python',
    'from datasets import load_dataset',
    '',
    'ds = load_dataset("path/to/this/folder", split="train")  # or the Hub id',
    `# the same without the card: load_dataset("${opts.format === 'jsonl' ? 'json' : 'parquet'}", data_files=${JSON.stringify(opts.files)}, split="train")`,
    '```',
    '',
    `Token-level mask: \`tokens.mask\` holds [start, end) spans of \`tokens.ids\` to leave out of the loss (label -100).`,
    `\`tokens.ids\` is written with \`--token-ids\`; ${num(tally.recordsWithIds)} of ${num(tally.records)} records here carry it.`,
    '',
    '```python',
    'IGNORE = -100',
    '',
    'def with_labels(rec):',
    '    ids = rec["tokens"]["ids"]',
    '    labels = list(ids)',
    '    for start, end in rec["tokens"]["mask"]:',
    '        labels[start:end] = [IGNORE] * (end - start)',
    '    return {"input_ids": ids, "labels": labels}',
    '',
    'train = ds.map(with_labels, remove_columns=ds.column_names)',
    '```',
    '',
    `Without ids, encode \`text\` with the tokenizer (\`${tokenizer}\`, no special tokens) and mask every token that overlaps a span of`,
    "`mask` (code points of `text`, which are Python's `str` indices). `tokens` counts the text block by block (a block a step);",
    "with Llama-3's tokenizer the whole text encodes to the same ids, as its pre-tokenizer splits before every block's header.",
    '',
    '```python',
    'from tokenizers import Tokenizer',
    '',
    'tok = Tokenizer.from_file("tokenizer.json")',
    '',
    'def with_labels(rec):',
    '    enc = tok.encode(rec["text"], add_special_tokens=False)',
    '    spans = rec["mask"]',
    '    masked = lambda a, b: any(s < b and a < e for s, e in spans)',
    '    labels = [IGNORE if masked(a, b) else i for i, (a, b) in zip(enc.ids, enc.offsets)]',
    '    return {"input_ids": enc.ids, "labels": labels}',
    '```',
  ];
}

function tokenTables(tally: CardTally): string[] {
  const total = tally.total.tokens;
  return [
    '## Tokens',
    '',
    'A block (one step) is trained when its step is; context blocks are always masked.',
    '',
    '### By language',
    '',
    "The language of the step's file by its extension; `other`: steps with no file, or a file in none of the parsed languages.",
    'The Hub\'s `language` field is for natural languages, so the programming languages are listed under `tags`.',
    '',
    ...splitTable('language', tally.byLanguage, total),
    '',
    '### By role',
    '',
    ...splitTable('role', tally.byRole, total),
    '',
    '### By step kind',
    '',
    ...splitTable('kind', tally.byKind, total),
  ];
}

/** Quantile by linear interpolation between order statistics (numpy's default). */
function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export interface Summary {
  count: number;
  mean: number;
  min: number;
  q1: number;
  median: number;
  q3: number;
  max: number;
}

/** Count, mean and quartiles; null for no values. */
export function summarise(values: readonly number[]): Summary | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.reduce((n, v) => n + v, 0) / sorted.length;
  return { count: sorted.length, mean, min: sorted[0]!, q1: quantile(sorted, 0.25), median: quantile(sorted, 0.5), q3: quantile(sorted, 0.75), max: sorted[sorted.length - 1]! };
}

function repositories(tally: CardTally): string[] {
  const repos = ranked(tally.repos);
  const rows = repos.slice(0, REPO_ROWS).map(([name, r]) => [
    `\`${name}\``, licenceList(r.licences), num(r.records), num(r.steps), num(r.tokens), num(r.trained), num(r.refined),
  ]);
  const s = summarise(repos.map(([, r]) => r.tokens));
  return [
    '## Repositories',
    '',
    s === null
      ? 'No repositories.'
      : `${num(s.count)} repositories; tokens per repository: min ${num(s.min)}, median ${num(Math.round(s.median))}, mean ${num(Math.round(s.mean))}, max ${num(s.max)}.`,
    '',
    ...table(['repository', 'licence', 'records', 'steps', 'tokens', 'trained', 'refined steps'], rows, [false, false, true, true, true, true, true]),
    ...(repos.length > REPO_ROWS ? ['', `… and ${num(repos.length - REPO_ROWS)} more (fewer tokens).`] : []),
    '',
    `![tokens per repository](${PLOT_FILES.tokensPerRepo})`,
  ];
}

function licenceList(licences: ReadonlySet<string | null>): string {
  return [...licences].map((l) => l ?? 'none found').sort().join('; ');
}

function searchGains(tally: CardTally): string[] {
  const s = summarise(tally.searchGains);
  const head = [
    '## Search gains',
    '',
    'Per refined step: how much more likely the chosen reasoning makes the real code than no reasoning,',
    '`(bestLogprob - baselineLogprob) / targetTokens`, in nats per target token (from `search`).',
    '',
  ];
  if (s === null) return [...head, `No refined steps${tally.searchesWithoutTarget > 0 ? ` with target tokens (${num(tally.searchesWithoutTarget)} without)` : ''}.`];
  return [
    ...head,
    ...table(['count', 'mean', 'min', 'q1', 'median', 'q3', 'max'], [[num(s.count), ...[s.mean, s.min, s.q1, s.median, s.q3, s.max].map((v) => fixed(v, 4))]], Array(7).fill(true)),
    ...(tally.searchesWithoutTarget > 0 ? ['', `${num(tally.searchesWithoutTarget)} refined steps without target tokens are left out.`] : []),
    '',
    `![search gain per refined step](${PLOT_FILES.searchGain})`,
  ];
}

function untrainedFiles(tally: CardTally): string[] {
  const rows = ranked(tally.untrained).map(([reason, u]) => [`\`${reason}\``, num(u.files.size), num(u.steps), num(u.tokens)]);
  return [
    '## Untrained writes',
    '',
    'Writes replayed (the repository is rebuilt byte for byte) but masked, by reason.',
    '',
    ...(rows.length === 0 ? ['None.'] : table(['reason', 'files', 'steps', 'tokens'], rows, [false, true, true, true])),
  ];
}

function licences(tally: CardTally): string[] {
  const counts = new Map<string, number>();
  for (const r of tally.repos.values()) for (const l of r.licences) counts.set(l ?? 'none found', (counts.get(l ?? 'none found') ?? 0) + 1);
  const rows = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([l, n]) => [`\`${l}\``, num(n)]);
  return [
    '## Licences',
    '',
    "Each record keeps its repository's licence (`repo.licence`, an SPDX expression, and `repo.licence_source`); the code in a record",
    "is under that licence. The header's `license` lists the Hub's ids of them (`other` for ids the Hub does not know, `unknown` for",
    'repositories with none found).',
    '',
    ...(rows.length === 0 ? ['No repositories.'] : table(['licence', 'repositories'], rows, [false, true])),
  ];
}

type LeakFigures = TotalFigures['boundary']['segments'];
const leaks = (l: LeakFigures) => `${num(l.copyLeaks)} copy, ${num(l.literalLeaks)} literal, ${num(l.nameViolations)} name of ${num(l.checked)}`;
const share = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);

const FIDELITY_ROWS: ReadonlyArray<[string, (f: TotalFigures) => string, string]> = [
  ['boundary.segments', (f) => leaks(f.boundary.segments), 'reasoning between writes against the next write: leaks of checked'],
  ['boundary.designs', (f) => leaks(f.boundary.designs), "designs against their file's final text"],
  ['boundary.plan', (f) => `${num(f.boundary.plan.copyLeaks)} copy, ${num(f.boundary.plan.literalLeaks)} literal of ${num(f.boundary.plan.checked)}`, 'the plan against every file'],
  ['inventedNames.count', (f) => num(f.inventedNames.count), 'names in no file, no earlier step, not the language'],
  ['keywordStatements.count', (f) => num(f.keywordStatements.count), 'definitions stated about keywords'],
  ['openings.cover50Per100', (f) => fixed(f.openings.cover50Per100, 2), 'distinct think openings covering half the thinks, per 100 thinks'],
  ['over2k.reasoningPerCode', (f) => fixed(f.over2k.reasoningPerCode), 'reasoning chars per code char, writes of 2k chars or more'],
  ['testFiles.reasoningPerCode', (f) => fixed(f.testFiles.reasoningPerCode), 'reasoning chars per code char in test files'],
  ['testFiles.share', (f) => share(f.testFiles.share), 'test code preceded by reasoning'],
  ['narratedFailures.count', (f) => num(f.narratedFailures.count), 'checks narrated as failures on real code'],
  ['unwrittenReads.count', (f) => num(f.unwrittenReads.count), 'reads of files not yet written'],
  ['faultyDrafts.trained', (f) => num(f.faultyDrafts.trained), 'faulty drafts trained on'],
  ['search.medianScorerCalls', (f) => (f.search.medianScorerCalls === null ? 'n/a' : num(f.search.medianScorerCalls)), 'scorer calls per search (median)'],
  ['search.atBudgetShare', (f) => share(f.search.atBudgetShare), 'searches that used the whole budget'],
  ['search.logLossReduction', (f) => share(f.search.logLossReduction), 'less log-loss of the code with the chosen reasoning'],
];

function fidelity(f: TotalFigures | undefined): string[] {
  if (f === undefined) return [];
  return [
    '## Fidelity',
    '',
    `\`retrace stats\` over ${num(f.runs)} runs (${num(f.records)} records, ${num(f.files)} files, ${num(f.writes)} writes):`,
    '',
    ...table(['figure', 'value', 'what'], FIDELITY_ROWS.map(([key, value, what]) => [`\`${key}\``, value(f), what]), [false, true, false]),
    '',
  ];
}

function plotsSection(): string[] {
  return ['## Plots', '', `- [tokens per repository](${PLOT_FILES.tokensPerRepo})`, `- [search gain per refined step](${PLOT_FILES.searchGain})`];
}

function renderPlots(tally: CardTally): Record<string, string> {
  const repoTokens = [...tally.repos.values()].map((r) => r.tokens);
  const log = wantsLogBins(repoTokens);
  return {
    [PLOT_FILES.tokensPerRepo]: histogramSvg(histogramBins(repoTokens, log), {
      title: 'Tokens per repository',
      xLabel: `tokens${log ? ' (log scale)' : ''}`,
      log,
    }),
    [PLOT_FILES.searchGain]: histogramSvg(histogramBins(tally.searchGains, false), {
      title: 'Search gain per refined step',
      xLabel: 'nats per target token',
      log: false,
    }),
  };
}

/** The card's README.md and its plots (file name -> SVG). */
export function renderCard(tally: CardTally, opts: CardOptions): { readme: string; plots: Record<string, string> } {
  if (opts.files.length === 0) throw new CardInputError('a dataset card needs the output files it describes');
  const sections = [overview(tally, opts), loading(tally, opts), tokenTables(tally), repositories(tally), searchGains(tally), modelCallsSection(opts.models), untrainedFiles(tally), licences(tally), fidelity(opts.fidelity), plotsSection()];
  const body = sections.filter((s) => s.length > 0).map((s) => s.join('\n').replace(/\n+$/, '')).join('\n\n');
  return { readme: `${yamlHeader(tally, opts).join('\n')}\n\n${body}\n`, plots: renderPlots(tally) };
}

/** Writes README.md and the plots into `dir`; returns their paths. */
export function writeCard(dir: string, tally: CardTally, opts: CardOptions): string[] {
  const { readme, plots } = renderCard(tally, opts);
  mkdirSync(dir, { recursive: true });
  const written = [join(dir, 'README.md')];
  writeFileSync(written[0]!, readme);
  for (const [name, svg] of Object.entries(plots)) {
    const path = join(dir, name);
    writeFileSync(path, svg);
    written.push(path);
  }
  return written;
}
