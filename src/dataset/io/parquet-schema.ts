/**
 * The Parquet columns of a format-2 record, and the two ways between a record and a row. Fixed-shape
 * parts are native columns (structs, lists, int64 counts: the types the Hugging Face JSON loader
 * infers, so both formats load with the same features); parts whose shape varies from step to step
 * (`context`, `steps`, `search`) or whose keys vary (`repo.languages`, `run.policies`, `run.model_calls`) are JSON
 * strings. Decoding gives back the record deep-equal to the one encoded. docs/dataset.md ("Formats") lists them.
 */
import { Field, Float64, Int32, Int64, List, Schema, Struct, Utf8, type DataType } from 'apache-arrow';
import type { DatasetRecordV2 } from '../record.ts';
import { DatasetOutputError, DatasetReadError, describeError } from './errors.ts';

const required = (name: string, type: DataType): Field => new Field(name, type, false);
const nullable = (name: string, type: DataType): Field => new Field(name, type, true);
const utf8 = new Utf8();
const int64 = new Int64();
const listOf = (type: DataType): List => new List(required('item', type));
/** `[start, end)` pairs: list<list<int64>>, as `[[0, 5], ...]` reads in JSON. */
const spans = listOf(listOf(int64));
const int64Struct = (...names: string[]): Struct => new Struct(names.map((n) => required(n, int64)));

export const RECORD_SCHEMA = new Schema([
  required('id', utf8),
  required('format', new Int32()),
  required(
    'repo',
    new Struct([
      required('name', utf8),
      nullable('origin', utf8),
      nullable('commit', utf8),
      nullable('licence', utf8),
      nullable('licence_source', utf8),
      required('languages', utf8),
      required('files', listOf(utf8)),
    ]),
  ),
  required(
    'run',
    new Struct([
      required('id', utf8),
      required('seed', int64),
      required('budget', int64),
      required('fault_rate', new Float64()),
      required('policies', utf8),
      required('scorer', new Struct([required('kind', utf8), nullable('model', utf8)])),
      nullable('search', new Struct([required('method', utf8), required('batch', int64)])),
      required('tokenizer', utf8),
      required('context_tokens', int64),
      nullable('model_calls', utf8),
    ]),
  ),
  required('chunk', int64Struct('index', 'count', 'first_step')),
  required('context', utf8),
  required('steps', utf8),
  required('search', utf8),
  required('text', utf8),
  required('mask', spans),
  required(
    'tokens',
    new Struct([...int64Struct('count', 'train', 'masked').children, required('mask', spans), required('blocks', listOf(int64)), nullable('ids', listOf(new Int32()))]),
  ),
  required('stats', int64Struct('steps', 'chars', 'train_chars', 'masked_chars')),
]);

/** A record as the Arrow builders take it: JSON strings encoded, integers as bigint. */
export interface EncodedRow {
  [column: string]: unknown;
}

/**
 * Names in `value` with no column, nested structs included. The builders would drop them without a
 * word; a field added to the record type must get its column (required ones fail to compile in
 * `decodeRecord`, optional ones fail here).
 */
function unmapped(value: object, fields: readonly Field[], prefix: string): string[] {
  const byName = new Map(fields.map((f) => [f.name, f]));
  return Object.entries(value).flatMap(([key, v]) => {
    const field = byName.get(key);
    if (!field) return [prefix + key];
    if (field.type instanceof Struct && v !== null && typeof v === 'object') return unmapped(v as object, field.type.children, `${prefix}${key}.`);
    return [];
  });
}

export function encodeRecord(rec: DatasetRecordV2): EncodedRow {
  const extra = unmapped(rec, RECORD_SCHEMA.fields, '');
  if (extra.length > 0) throw new DatasetOutputError(`${rec.id}: no Parquet column for ${extra.join(', ')}`);
  const int = (value: number, field: string): bigint => {
    if (!Number.isSafeInteger(value)) throw new DatasetOutputError(`${rec.id}: ${field}: ${value} is not an integer`);
    return BigInt(value);
  };
  const pairs = (s: Array<[number, number]>, field: string): bigint[][] => s.map(([a, b]) => [int(a, field), int(b, field)]);
  const { repo, run, chunk, tokens, stats } = rec;
  return {
    id: rec.id,
    format: rec.format,
    repo: { ...repo, languages: JSON.stringify(repo.languages) },
    run: {
      ...run,
      seed: int(run.seed, 'run.seed'),
      budget: int(run.budget, 'run.budget'),
      policies: JSON.stringify(run.policies),
      search: run.search && { method: run.search.method, batch: int(run.search.batch, 'run.search.batch') },
      context_tokens: int(run.context_tokens, 'run.context_tokens'),
      model_calls: run.model_calls ? JSON.stringify(run.model_calls) : null,
    },
    chunk: { index: int(chunk.index, 'chunk.index'), count: int(chunk.count, 'chunk.count'), first_step: int(chunk.first_step, 'chunk.first_step') },
    context: JSON.stringify(rec.context),
    steps: JSON.stringify(rec.steps),
    search: JSON.stringify(rec.search),
    text: rec.text,
    mask: pairs(rec.mask, 'mask'),
    tokens: {
      count: int(tokens.count, 'tokens.count'),
      train: int(tokens.train, 'tokens.train'),
      masked: int(tokens.masked, 'tokens.masked'),
      mask: pairs(tokens.mask, 'tokens.mask'),
      blocks: tokens.blocks.map((n) => int(n, 'tokens.blocks')),
      ids: tokens.ids ?? null,
    },
    stats: { steps: int(stats.steps, 'stats.steps'), chars: int(stats.chars, 'stats.chars'), train_chars: int(stats.train_chars, 'stats.train_chars'), masked_chars: int(stats.masked_chars, 'stats.masked_chars') },
  };
}

/** About what a row weighs in memory, to bound a batch: its strings and arrays. */
export function rowWeight(rec: DatasetRecordV2, row: EncodedRow): number {
  const strings = [row.context, row.steps, row.search].reduce<number>((n, s) => n + (s as string).length, rec.text.length);
  return strings + 16 * (rec.mask.length + rec.tokens.mask.length) + 8 * rec.tokens.blocks.length + 4 * (rec.tokens.ids?.length ?? 0);
}

/**
 * A file's columns must be ours, type for type, before its rows are trusted as records. Types
 * compare by their Arrow names (`Struct<{count:Int64, ...}>`), which leave out list item names.
 */
export function checkSchema(file: string, schema: Schema): void {
  const have = new Map(schema.fields.map((f) => [f.name, String(f.type)]));
  const missing = RECORD_SCHEMA.fields.filter((f) => !have.has(f.name)).map((f) => f.name);
  if (missing.length > 0) throw new DatasetReadError(`${file}: not a Retrace dataset (no column ${missing.join(', ')})`);
  for (const f of RECORD_SCHEMA.fields) {
    if (have.get(f.name) !== String(f.type)) throw new DatasetReadError(`${file}: not a Retrace dataset (column ${f.name} is ${have.get(f.name)}, not ${String(f.type)})`);
  }
}

/** A row as Arrow JS gives it (a struct row proxy): fields by name; lists iterable; int64 as bigint. */
type Row = { readonly [field: string]: unknown };

const num = (v: unknown): number => (typeof v === 'bigint' ? Number(v) : (v as number));
const strings = (v: unknown): string[] => Array.from(v as Iterable<string>);
const numbers = (v: unknown): number[] => Array.from(v as Iterable<number | bigint>, num);
const nullableString = (v: unknown): string | null => (v ?? null) as string | null;

function spanPairs(v: unknown, where: string, field: string): Array<[number, number]> {
  return Array.from(v as Iterable<unknown>, (span) => {
    const pair = numbers(span);
    if (pair.length !== 2) throw new DatasetReadError(`${where}: ${field}: a span of ${pair.length} numbers, not [start, end]`);
    return [pair[0]!, pair[1]!];
  });
}

function json<T>(v: unknown, where: string, field: string): T {
  try {
    return JSON.parse(v as string) as T;
  } catch (err) {
    throw new DatasetReadError(`${where}: ${field}: not JSON (${describeError(err)})`);
  }
}

/** The record a row of a checked file holds; `where` names the row in errors. */
export function decodeRecord(row: Row, where: string): DatasetRecordV2 {
  const repo = row.repo as Row;
  const run = row.run as Row;
  const scorer = run.scorer as Row;
  const search = run.search as Row | null;
  const chunk = row.chunk as Row;
  const tokens = row.tokens as Row;
  const stats = row.stats as Row;
  const ids = tokens.ids as Iterable<number> | null;
  return {
    id: row.id as string,
    format: row.format as number,
    repo: {
      name: repo.name as string,
      origin: nullableString(repo.origin),
      commit: nullableString(repo.commit),
      licence: nullableString(repo.licence),
      licence_source: nullableString(repo.licence_source),
      languages: json(repo.languages, where, 'repo.languages'),
      files: strings(repo.files),
    },
    run: {
      id: run.id as string,
      seed: num(run.seed),
      budget: num(run.budget),
      fault_rate: run.fault_rate as number,
      policies: json(run.policies, where, 'run.policies'),
      scorer: { kind: scorer.kind as string, model: nullableString(scorer.model) },
      search: search ? { method: search.method as string, batch: num(search.batch) } : null,
      tokenizer: run.tokenizer as string,
      context_tokens: num(run.context_tokens),
      ...(run.model_calls != null ? { model_calls: json<NonNullable<DatasetRecordV2['run']['model_calls']>>(run.model_calls, where, 'run.model_calls') } : {}),
    },
    chunk: { index: num(chunk.index), count: num(chunk.count), first_step: num(chunk.first_step) },
    context: json(row.context, where, 'context'),
    steps: json(row.steps, where, 'steps'),
    search: json(row.search, where, 'search'),
    text: row.text as string,
    mask: spanPairs(row.mask, where, 'mask'),
    tokens: {
      count: num(tokens.count),
      train: num(tokens.train),
      masked: num(tokens.masked),
      mask: spanPairs(tokens.mask, where, 'tokens.mask'),
      blocks: numbers(tokens.blocks),
      ...(ids ? { ids: Array.from(ids) } : {}),
    },
    stats: { steps: num(stats.steps), chars: num(stats.chars), train_chars: num(stats.train_chars), masked_chars: num(stats.masked_chars) },
  };
}
