/**
 * A repository's licence as an SPDX expression, and where it was found.
 *
 * Order: (1) a licence declared in a root manifest (package.json, Cargo.toml, pyproject.toml,
 * setup.cfg, setup.py, composer.json, *.gemspec, pom.xml), normalised by spdx-correct and
 * validated by spdx-expression-parse, expressions kept (`MIT OR Apache-2.0`); (2) the licence files
 * at the root (LICENSE, COPYING, LICENCE, UNLICENSE, with or without `.md`/`.txt`, `LICENSE-MIT`,
 * `MIT-LICENSE`, ...), each matched against SPDX's reference texts; (3) Python's `License ::`
 * trove classifiers, last because they are coarse ("Apache Software License" has no version, "BSD
 * License" no clause count) where a licence file says exactly.
 *
 * Combining licence files: files with the same licence count once; an LGPL file makes a GPL file
 * beside it redundant (COPYING + COPYING.LESSER is how the LGPL ships: the LGPL text adds to the
 * GPL's); licence files named per licence (`LICENSE-MIT` + `LICENSE-APACHE`, `MIT-LICENSE`) are
 * the dual-licensing convention and combine with OR; other distinct licences combine with AND
 * (each file applies, so each licence does). A single `LICENSE-MIT` is just `MIT`.
 *
 * Matching (`matchLicenceText`): SPDX's matching guidelines reduced to words (lower case;
 * punctuation, list markers and copyright lines removed; British spellings folded; what follows
 * "END OF TERMS AND CONDITIONS" left out, as SPDX marks it optional); the similarity is Dice's
 * coefficient over word bigrams, against the 24 references that share most of their words with the
 * file, weighted by rarity (idf). The GPL family's `-only` and `-or-later` ids have one reference
 * text (the choice is made in a source file's notice, not in the licence), so a bare text gets
 * `-only`: the narrower grant, and what SPDX's deprecated bare ids meant (`GPL-3.0`).
 */
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parse as parseIni } from 'ini';
import { parse as parseToml } from 'smol-toml';
import spdxCorrect from 'spdx-correct';
import parseSpdx from 'spdx-expression-parse';

export interface LicenceDetection {
  /** SPDX expression; null when none is found. */
  licence: string | null;
  /** The manifest or licence file(s) it came from (`package.json`, `LICENSE-APACHE, LICENSE-MIT`). */
  source: string | null;
  /** For licence texts: the similarity (0..1) of the weakest matched file to its reference text. */
  confidence?: number;
}

/** Dice over word bigrams at or above which a file is taken to be that licence. */
export const LICENCE_MATCH_THRESHOLD = 0.8;
/** Files larger than this are not read: manifests and licences are small (this skips a NOTICE dump). */
const MAX_LICENCE_FILE_BYTES = 512 * 1024;

export function detectLicence(root: string, files: readonly string[]): LicenceDetection {
  return detectLicenceIn(files, (path) => readSmallText(join(root, path)));
}

/** The same, reading the files through `read` (the texts a run works on; null for a file that cannot be read). */
export function detectLicenceIn(files: readonly string[], readFile: (path: string) => string | null): LicenceDetection {
  const present = new Set(files);
  const read = (path: string): string | null => {
    try {
      const text = readFile(path);
      return text !== null && text.length <= MAX_LICENCE_FILE_BYTES ? text : null;
    } catch {
      return null;
    }
  };
  const declared = declaredLicence(present, read);
  if (declared.licence) return { licence: declared.licence, source: declared.source };
  const fromFiles = licenceFromFiles(licenceFileCandidates(files, declared.hints), read);
  if (fromFiles.licence) return fromFiles;
  return classifierLicence(present, read);
}

// ---------------------------------------------------------------------------------------------
// Declared licences

interface Declared {
  licence: string | null;
  source: string | null;
  /** Files a manifest points to (`SEE LICENSE IN x`, `license-file`, `license = { file }`). */
  hints: string[];
}

type Reader = (path: string) => string | null;

interface ManifestLicence {
  /** Raw licence strings; several are alternatives (npm's `licenses`, composer's array). */
  values: string[];
  hints: string[];
}

const MANIFESTS: Array<{ match: (path: string) => boolean; read: (text: string) => ManifestLicence }> = [
  { match: (p) => p === 'package.json', read: packageJsonLicence },
  { match: (p) => p === 'Cargo.toml', read: cargoLicence },
  { match: (p) => p === 'pyproject.toml', read: pyprojectLicence },
  { match: (p) => p === 'setup.cfg', read: setupCfgLicence },
  { match: (p) => p === 'setup.py', read: setupPyLicence },
  { match: (p) => p === 'composer.json', read: composerLicence },
  { match: (p) => !p.includes('/') && p.endsWith('.gemspec'), read: gemspecLicence },
  { match: (p) => p === 'pom.xml', read: pomLicence },
];

function declaredLicence(present: ReadonlySet<string>, read: Reader): Declared {
  const hints: string[] = [];
  for (const manifest of MANIFESTS) {
    for (const path of [...present].filter(manifest.match).sort()) {
      const text = read(path);
      if (text === null) continue;
      const found = safely(() => manifest.read(text), { values: [], hints: [] });
      hints.push(...found.hints);
      const licence = anyOf(found.values);
      if (licence) return { licence, source: path, hints };
    }
  }
  return { licence: null, source: null, hints };
}

/** Several declared licences are alternatives: the valid ones joined with OR. */
function anyOf(values: readonly string[]): string | null {
  const valid = [...new Set(values.map(normaliseDeclared).filter((v): v is string => v !== null))];
  if (valid.length <= 1) return valid[0] ?? null;
  return valid.map((v) => (/\s(AND|OR)\s/.test(v) ? `(${v})` : v)).join(' OR ');
}

function packageJsonLicence(text: string): ManifestLicence {
  const pkg = JSON.parse(text) as { license?: unknown; licenses?: unknown };
  const values = [pkg.license, ...(Array.isArray(pkg.licenses) ? pkg.licenses : [pkg.licenses])]
    .map((v) => (typeof v === 'string' ? v : isRecord(v) && typeof v.type === 'string' ? v.type : null))
    .filter((v): v is string => v !== null);
  const hints = values.map((v) => /^SEE LICEN[CS]E IN\s+(.+)$/i.exec(v.trim())?.[1]).filter((v): v is string => !!v);
  return { values, hints };
}

function cargoLicence(text: string): ManifestLicence {
  const toml = tomlAt(text);
  const own = toml('package.license');
  const inherited = toml('workspace.package.license');
  const value = typeof own === 'string' ? own : inherited;
  const file = toml('package.license-file') ?? toml('workspace.package.license-file');
  return { values: typeof value === 'string' ? [value] : [], hints: typeof file === 'string' ? [file] : [] };
}

function pyprojectLicence(text: string): ManifestLicence {
  const toml = tomlAt(text);
  // One declaration in one of its places, not alternatives.
  const value = ['project.license', 'project.license.text', 'tool.poetry.license'].map((k) => toml(k)).find((v) => typeof v === 'string');
  const file = toml('project.license.file');
  return { values: typeof value === 'string' ? [value] : [], hints: typeof file === 'string' ? [file] : [] };
}

function setupCfgLicence(text: string): ManifestLicence {
  const metadata: unknown = safely(() => parseIni(text).metadata, undefined);
  const license = isRecord(metadata) && typeof metadata.license === 'string' ? metadata.license.trim() : '';
  return { values: license ? [license] : [], hints: [] };
}

function setupPyLicence(text: string): ManifestLicence {
  const m = /\blicense\s*=\s*(['"])([^'"\n]+)\1/.exec(text);
  return { values: m?.[2] ? [m[2]] : [], hints: [] };
}

function composerLicence(text: string): ManifestLicence {
  const { license } = JSON.parse(text) as { license?: unknown };
  const values = (Array.isArray(license) ? license : [license]).filter((v): v is string => typeof v === 'string');
  return { values, hints: [] };
}

function gemspecLicence(text: string): ManifestLicence {
  const m = /\.licen[cs]es?\s*=\s*(\[[^\]]*\]|'[^'\n]*'|"[^"\n]*")/.exec(text);
  const values = m?.[1] ? [...m[1].matchAll(/(['"])([^'"\n]+)\1/g)].map((q) => q[2]!) : [];
  return { values, hints: [] };
}

function pomLicence(text: string): ManifestLicence {
  const block = /<licenses>([\s\S]*?)<\/licenses>/.exec(text)?.[1] ?? '';
  const values = [...block.matchAll(/<name>\s*([^<]+?)\s*<\/name>/g)].map((m) => m[1]!);
  return { values, hints: [] };
}

/**
 * A declared licence as a canonical SPDX expression, or null when it is none: npm's `UNLICENSED`
 * (no licence granted) and `SEE LICENSE IN <file>` are not licences; the file is matched instead.
 */
export function normaliseDeclared(raw: string): string | null {
  const text = raw.trim();
  if (!text || /^UNLICENSED$/.test(text) || /^SEE LICEN[CS]E IN\b/i.test(text)) return null;
  return validExpression(text) ?? validExpression(correctOperands(text)) ?? validExpression(spdxCorrect(text));
}

/** `mit or apache-2.0`, `MIT/Apache-2.0`: each operand corrected, operators upper-cased. */
function correctOperands(text: string): string | null {
  const parts = text.split(/\s+(or|and|with)\s+|\s*\/\s*/i);
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (i % 2 === 1) out.push(part === undefined ? 'OR' : part.toUpperCase());
    else {
      const fixed = part ? spdxCorrect(part.replace(/^\(|\)$/g, '')) : null;
      if (!fixed) return null;
      out.push(fixed);
    }
  }
  return out.join(' ');
}

function validExpression(text: string | null): string | null {
  if (!text) return null;
  try {
    return renderExpression(parseSpdx(text));
  } catch {
    return null;
  }
}

/** Renders a parsed expression canonically; SPDX's deprecated bare GNU ids become `-only` / `-or-later`. */
function renderExpression(info: parseSpdx.Info, parent?: 'and' | 'or'): string {
  if ('conjunction' in info) {
    const body = `${renderExpression(info.left, info.conjunction)} ${info.conjunction.toUpperCase()} ${renderExpression(info.right, info.conjunction)}`;
    return parent && parent !== info.conjunction ? `(${body})` : body;
  }
  const gnu = /^(A|L)?GPL-\d\.\d$/.test(info.license);
  const id = gnu ? `${info.license}${info.plus ? '-or-later' : '-only'}` : `${info.license}${info.plus ? '+' : ''}`;
  return info.exception ? `${id} WITH ${info.exception}` : id;
}

// ---------------------------------------------------------------------------------------------
// Python trove classifiers (last resort)

/** `License :: OSI Approved :: <name>` → SPDX; unversioned names (BSD License, GPL) are left out. */
const CLASSIFIER_IDS = new Map([
  ['MIT License', 'MIT'],
  ['MIT No Attribution License (MIT-0)', 'MIT-0'],
  ['Apache Software License', 'Apache-2.0'],
  ['ISC License (ISCL)', 'ISC'],
  ['Mozilla Public License 2.0 (MPL 2.0)', 'MPL-2.0'],
  ['GNU General Public License v2 (GPLv2)', 'GPL-2.0-only'],
  ['GNU General Public License v2 or later (GPLv2+)', 'GPL-2.0-or-later'],
  ['GNU General Public License v3 (GPLv3)', 'GPL-3.0-only'],
  ['GNU General Public License v3 or later (GPLv3+)', 'GPL-3.0-or-later'],
  ['GNU Lesser General Public License v2 (LGPLv2)', 'LGPL-2.0-only'],
  ['GNU Lesser General Public License v2 or later (LGPLv2+)', 'LGPL-2.0-or-later'],
  ['GNU Lesser General Public License v3 (LGPLv3)', 'LGPL-3.0-only'],
  ['GNU Lesser General Public License v3 or later (LGPLv3+)', 'LGPL-3.0-or-later'],
  ['GNU Affero General Public License v3', 'AGPL-3.0-only'],
  ['GNU Affero General Public License v3 or later (AGPLv3+)', 'AGPL-3.0-or-later'],
  ['Python Software Foundation License', 'PSF-2.0'],
  ['The Unlicense (Unlicense)', 'Unlicense'],
  ['zlib/libpng License', 'Zlib'],
  ['Boost Software License 1.0 (BSL-1.0)', 'BSL-1.0'],
  ['Eclipse Public License 2.0 (EPL-2.0)', 'EPL-2.0'],
  ['European Union Public Licence 1.2 (EUPL 1.2)', 'EUPL-1.2'],
  ['Universal Permissive License (UPL)', 'UPL-1.0'],
  ['CC0 1.0 Universal (CC0 1.0) Public Domain Dedication', 'CC0-1.0'],
]);

function classifierLicence(present: ReadonlySet<string>, read: Reader): LicenceDetection {
  for (const path of ['pyproject.toml', 'setup.cfg', 'setup.py']) {
    if (!present.has(path)) continue;
    const ids = [...(read(path) ?? '').matchAll(/License\s*::\s*(?:OSI Approved\s*::\s*)?([^'"\n]+?)\s*['",\n]/g)]
      .map((m) => CLASSIFIER_IDS.get(m[1]!))
      .filter((id): id is string => id !== undefined);
    const licence = anyOf(ids);
    if (licence) return { licence, source: path };
  }
  return { licence: null, source: null };
}

// ---------------------------------------------------------------------------------------------
// Licence files

interface LicenceFile {
  path: string;
  /** Named for one licence (`LICENSE-MIT`, `MIT-LICENSE`): one of several alternatives. */
  perLicence: boolean;
}

const DOC_EXTENSION = /\.(md|markdown|txt|rst|adoc|org|html?)$/i;
const LICENCE_NAME = /^(licen[cs]e|copying|unlicense)(?:([-_.])(.+))?$/i;
const TAGGED_LICENCE_NAME = /^(.+)[-_](licen[cs]e)$/i;

/** Root licence files, those a manifest points to first. */
function licenceFileCandidates(files: readonly string[], hints: readonly string[]): LicenceFile[] {
  const present = new Set(files);
  const hinted = hints.map((h) => h.replace(/^\.\//, '')).filter((h) => present.has(h));
  if (hinted.length > 0) return hinted.map((path) => ({ path, perLicence: false }));
  return files
    .filter((p) => !p.includes('/'))
    .map(classifyLicenceName)
    .filter((f): f is LicenceFile => f !== null)
    .sort((a, b) => (a.path < b.path ? -1 : 1));
}

function classifyLicenceName(path: string): LicenceFile | null {
  const stem = path.replace(DOC_EXTENSION, '');
  const m = LICENCE_NAME.exec(stem);
  if (m) {
    const tag = m[3];
    // COPYING.LESSER / COPYING.LIB are the LGPL's own names, not a licence tag.
    const perLicence = tag !== undefined && !/^(lesser|lib|library)$/i.test(tag);
    return { path, perLicence };
  }
  return TAGGED_LICENCE_NAME.test(stem) ? { path, perLicence: true } : null;
}

function licenceFromFiles(candidates: readonly LicenceFile[], read: Reader): LicenceDetection {
  const matched: Array<{ file: LicenceFile; id: string; score: number }> = [];
  for (const file of candidates) {
    const text = read(file.path);
    const match = text === null ? null : matchLicenceText(text);
    if (match) matched.push({ file, ...match });
  }
  if (matched.length === 0) return { licence: null, source: null };
  let ids = [...new Set(matched.map((m) => m.id))];
  if (ids.some((id) => id.startsWith('LGPL-'))) ids = ids.filter((id) => !/^GPL-/.test(id));
  const kept = matched.filter((m) => ids.includes(m.id));
  const operator = kept.every((m) => m.file.perLicence) ? ' OR ' : ' AND ';
  return {
    licence: ids.sort().join(operator),
    source: [...new Set(kept.map((m) => m.file.path))].join(', '),
    confidence: round3(Math.min(...kept.map((m) => m.score))),
  };
}

// ---------------------------------------------------------------------------------------------
// Matching a text against SPDX's reference texts

interface Reference {
  id: string;
  /** The text's word ids, in order. */
  ids: Uint32Array;
  /** Sorted distinct word-bigram keys, made when the reference is first a candidate. */
  bigrams?: Float64Array;
  /** Distinct word ids. */
  words: Uint32Array;
  /** Sum of the idf of `words`: the denominator of the pre-filter's containment. */
  idfTotal: number;
}

interface ReferenceIndex {
  refs: Reference[];
  vocabulary: Map<string, number>;
  /** Word id → indices into `refs` of the references containing it. */
  postings: number[][];
  idf: Float64Array;
}

/** References kept after the pre-filter, compared in full. */
const CANDIDATES = 24;
const BIGRAM_BASE = 2 ** 21;

let referenceIndex: ReferenceIndex | null = null;

/** The best SPDX licence for a licence file's text, or null when none reaches the threshold. */
export function matchLicenceText(text: string): { id: string; score: number } | null {
  const index = (referenceIndex ??= buildReferenceIndex());
  const words = licenceWords(text);
  const ids = words.map((w) => index.vocabulary.get(w) ?? -1);
  const bigrams = bigramKeys(ids);
  if (bigrams.length === 0) return null;
  let best: { ref: Reference; score: number } | null = null;
  for (const ref of prefilter(index, ids)) {
    const score = dice(bigrams, (ref.bigrams ??= bigramKeys(ref.ids)));
    if (!best || score > best.score + 1e-9 || (Math.abs(score - best.score) <= 1e-9 && preferredId(ref.id, best.ref.id))) {
      best = { ref, score };
    }
  }
  return best && best.score >= LICENCE_MATCH_THRESHOLD ? { id: best.ref.id, score: best.score } : null;
}

/** Between references with the same text: `-only` first, then the shorter id, then by name. */
function preferredId(a: string, b: string): boolean {
  const only = Number(b.endsWith('-only')) - Number(a.endsWith('-only'));
  if (only !== 0) return only < 0;
  return a.length !== b.length ? a.length < b.length : a < b;
}

function prefilter(index: ReferenceIndex, ids: readonly number[]): Reference[] {
  const shared = new Float64Array(index.refs.length);
  for (const w of new Set(ids)) {
    if (w < 0) continue;
    for (const r of index.postings[w]!) shared[r]! += index.idf[w]!;
  }
  return index.refs
    .map((ref, r) => ({ ref, containment: ref.idfTotal > 0 ? shared[r]! / ref.idfTotal : 0 }))
    .sort((a, b) => b.containment - a.containment)
    .slice(0, CANDIDATES)
    .map((c) => c.ref);
}

function buildReferenceIndex(): ReferenceIndex {
  const list = createRequire(import.meta.url)('spdx-license-list/full.js') as Record<string, { licenseText: string }>;
  const vocabulary = new Map<string, number>();
  const texts = Object.entries(list)
    .filter(([id]) => !isDeprecatedId(id))
    .flatMap(([id, { licenseText }]) => referenceForms(id, licenseText).map((form) => ({ id, ids: wordIds(licenceWords(form), vocabulary) })));
  const postings: number[][] = Array.from({ length: vocabulary.size }, () => []);
  const refs: Reference[] = texts.map(({ id, ids }, r) => {
    const words: number[] = [];
    for (const w of ids) {
      if (postings[w]!.at(-1) === r) continue;
      postings[w]!.push(r);
      words.push(w);
    }
    return { id, ids, words: Uint32Array.from(words), idfTotal: 0 };
  });
  const idf = Float64Array.from(postings, (p) => Math.log(refs.length / p.length));
  for (const ref of refs) ref.idfTotal = ref.words.reduce((sum, w) => sum + idf[w]!, 0);
  return { refs, vocabulary, postings, idf };
}

/** Words as ids, new words added to the vocabulary. */
function wordIds(words: readonly string[], vocabulary: Map<string, number>): Uint32Array {
  const ids = new Uint32Array(words.length);
  for (let i = 0; i < words.length; i++) {
    let id = vocabulary.get(words[i]!);
    if (id === undefined) vocabulary.set(words[i]!, (id = vocabulary.size));
    ids[i] = id;
  }
  return ids;
}

/**
 * The texts a licence is recognised by. SPDX's LGPL-3.0 reference appends the GPL-3.0 it builds on;
 * the LGPL's own part is what a COPYING.LESSER holds, so it is a second form.
 */
function referenceForms(id: string, text: string): string[] {
  if (!id.startsWith('LGPL-3.0')) return [text];
  const gpl = text.search(/\n\s*GNU GENERAL PUBLIC LICENSE\s+Version 3/);
  return gpl > 0 ? [text, text.slice(0, gpl)] : [text];
}

/**
 * SPDX keeps deprecated ids in its list: the bare GNU ids (`GPL-2.0`, `GPL-2.0+`, which
 * spdx-correct upgrades) and the `-with-<x>-exception` forms (now `WITH` expressions).
 */
function isDeprecatedId(id: string): boolean {
  return spdxCorrect(id) !== id || /-with-.+-exception$/.test(id);
}

/** Sorted distinct bigram keys; a bigram with a word no reference has (id -1) counts, uniquely. */
function bigramKeys(ids: ArrayLike<number>): Float64Array {
  const keys = new Float64Array(Math.max(0, ids.length - 1));
  for (let i = 1; i < ids.length; i++) {
    const a = ids[i - 1]!;
    const b = ids[i]!;
    keys[i - 1] = a < 0 || b < 0 ? -i : a * BIGRAM_BASE + b;
  }
  keys.sort();
  let n = 0;
  for (let i = 0; i < keys.length; i++) if (i === 0 || keys[i] !== keys[n - 1]) keys[n++] = keys[i]!;
  return keys.subarray(0, n);
}

function dice(a: Float64Array, b: Float64Array): number {
  let i = 0;
  let j = 0;
  let common = 0;
  while (i < a.length && j < b.length) {
    if (a[i]! < b[j]!) i++;
    else if (a[i]! > b[j]!) j++;
    else {
      common++;
      i++;
      j++;
    }
  }
  return (2 * common) / (a.length + b.length);
}

/** SPDX's equivalent words (British and American spellings), folded to one form. */
const EQUIVALENT_WORDS = new Map([
  ['licence', 'license'],
  ['licences', 'licenses'],
  ['licenced', 'licensed'],
  ['licencing', 'licensing'],
  ['sublicence', 'sublicense'],
  ['organisation', 'organization'],
  ['organisations', 'organizations'],
  ['authorised', 'authorized'],
  ['authorisation', 'authorization'],
  ['acknowledgement', 'acknowledgment'],
  ['acknowledgements', 'acknowledgments'],
  ['favour', 'favor'],
  ['offence', 'offense'],
  ['programme', 'program'],
  ['recognised', 'recognized'],
  ['whilst', 'while'],
  ['https', 'http'],
]);

const WORD = /[a-z0-9]+/g;

/**
 * A licence text as the words that decide which licence it is: lower case; copyright and
 * "all rights reserved" lines dropped (they name holders, not terms); punctuation dropped;
 * single letters dropped (list markers `a)`, `(b)`, and the article, on both sides alike).
 */
function licenceWords(text: string): string[] {
  const words: string[] = [];
  for (const line of termsOnly(text).toLowerCase().split('\n')) {
    const tokens = line.match(WORD);
    if (!tokens || isCopyrightLine(line, tokens)) continue;
    for (const word of tokens) {
      if (word.length > 1 || (word >= '0' && word <= '9')) words.push(EQUIVALENT_WORDS.get(word) ?? word);
    }
  }
  return words;
}

/** SPDX marks what follows "END OF TERMS AND CONDITIONS" (how to apply the licence) optional. */
function termsOnly(text: string): string {
  const end = text.search(/END OF TERMS AND CONDITIONS/i);
  return end >= 0 ? text.slice(0, end) : text;
}

/**
 * A line naming holders: `Copyright (c) 2020 Ann`, `Copyright Joyent, Inc.`, `(c) 2020`, `All
 * rights reserved.`; not a wrapped line of terms that starts with the word (`copyright notice
 * and this permission notice ...`).
 */
function isCopyrightLine(lower: string, tokens: readonly string[]): boolean {
  const first = tokens[0];
  if (first === 'copyright') return !COPYRIGHT_TERMS.has(tokens[1] ?? '');
  if (first !== 'c' && first !== 'all' && !lower.includes('©')) return false;
  return /^(\(c\)|©|all rights reserved)/.test(lower.replace(/^[\s#*/;!-]+/, ''));
}

/** Words that continue "copyright" inside a licence's terms rather than a holder's line. */
const COPYRIGHT_TERMS = new Set([
  'notice', 'notices', 'holder', 'holders', 'owner', 'owners', 'law', 'laws', 'and', 'or', 'license',
  'licenses', 'statement', 'statements', 'interest', 'protection', 'rights', 'of', 'in', 'to', 'is',
  'on', 'for', 'from', 'the', 'this', 'that', 'which', 'permission', 'claim', 'claims', 'infringement',
  'disclaimer', 'information', 'as', 'are', 'shall', 'must', 'will', 'may', 'with',
]);

// ---------------------------------------------------------------------------------------------
// Small readers

function readSmallText(path: string): string | null {
  try {
    if (statSync(path).size > MAX_LICENCE_FILE_BYTES) return null;
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/**
 * A manifest in TOML (Cargo.toml, pyproject.toml), read with smol-toml: the value at a dotted path
 * (`package.license`, `project.license.text`); a file that is not TOML reads as empty.
 */
export function tomlAt(text: string): (path: string) => unknown {
  const doc: unknown = safely(() => parseToml(text), {});
  return (path) => path.split('.').reduce<unknown>((v, key) => (isRecord(v) ? v[key] : undefined), doc);
}


function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function safely<T>(f: () => T, fallback: T): T {
  try {
    return f();
  } catch {
    return fallback;
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
