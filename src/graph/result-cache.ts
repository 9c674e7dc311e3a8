/**
 * Reusing a whole run's result when a repository has not changed. Resolution (imports, then
 * references) is a function of: the kept and skipped files (paths, languages, skip reasons and
 * symlink targets), each parsed file's facts (fixed by its content hash and the facts cache's
 * fingerprint), the text of the config files the resolvers read (package.json, tsconfig.json,
 * go.mod, ...), and our own code. `resultKey` hashes all of that but the config files, whose
 * paths and hashes are recorded beside the result and re-checked before it is used (which files
 * the resolvers read is itself fixed by the key).
 *
 * Two levels: the facts cache file keeps the last result (cache.ts: restored, resolution and
 * reference resolution skipped, the graph rebuilt from it), and within one process a graph
 * still alive for the same root and key is reused as it is (its graphology graph shared,
 * read-only) — the graph service re-indexing an unchanged repo.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KnownReferences } from './build-graph.ts';
import type { ResultEntry } from './cache.ts';
import type { ResolvedReference } from './references.ts';
import type { FileFacts, ResolvedImport, SkippedFile, WalkedFile } from './types.ts';

/** Bump when the result entry's layout changes. */
const resultFormat = 1;

let codeHash: string | undefined;

/**
 * Our resolution code, by content: every .ts file of src/graph and src/graph/resolve, so that a
 * changed resolver never reads a stale result. Where the sources cannot be read (a bundle), the
 * format number alone.
 */
function codeVersion(): string {
  if (codeHash !== undefined) return codeHash;
  const h = createHash('sha1').update(`result v${resultFormat}`);
  try {
    const here = fileURLToPath(new URL('.', import.meta.url));
    for (const dir of [here, join(here, 'resolve')]) {
      for (const name of readdirSync(dir).filter((n) => n.endsWith('.ts')).sort()) h.update(name).update(readFileSync(join(dir, name)));
    }
  } catch {
    // Sources not readable: the format number stands alone.
  }
  codeHash = h.digest('hex');
  return codeHash;
}

/** `hashes`: content hash of every file that has facts. */
export function resultKey(factsFingerprint: string, files: readonly WalkedFile[], skipped: readonly SkippedFile[], hashes: ReadonlyMap<string, string>): string {
  const h = createHash('sha1').update(codeVersion()).update('\0').update(factsFingerprint).update('\0');
  let text = '';
  for (const f of files) {
    text += `${f.path}\0${f.language ?? ''}\0${hashes.get(f.path) ?? ''}\n`;
    if (text.length > 65536) {
      h.update(text);
      text = '';
    }
  }
  text += '\u0001\n';
  for (const s of skipped) {
    text += `${s.path}\0${s.reason}\0${s.detail ?? ''}\n`;
    if (text.length > 65536) {
      h.update(text);
      text = '';
    }
  }
  return h.update(text).digest('hex');
}

export function hashText(text: string | undefined): string {
  return text === undefined ? '' : createHash('sha1').update(text).digest('hex');
}

/** The config files are as they were when the result was made. */
export function configsUnchanged(root: string, configs: ReadonlyArray<readonly [string, string]>): boolean {
  for (const [path, hash] of configs) {
    let now = '';
    try {
      now = hashText(readFileSync(join(root, path), 'utf8'));
    } catch {
      now = '';
    }
    if (now !== hash) return false;
  }
  return true;
}

export function encodeResult(
  key: string,
  configs: Array<[string, string]>,
  facts: ReadonlyMap<string, FileFacts>,
  imports: readonly ResolvedImport[],
  references: readonly ResolvedReference[],
  symbolIndex: ReadonlyMap<string, readonly [number, number]>,
): ResultEntry {
  const index = new Map<string, number>();
  for (const p of facts.keys()) index.set(p, index.size);
  const imps: ResultEntry['imports'] = imports.map((i) => {
    const at = facts.get(i.from)!.imports.indexOf(i.spec);
    const spec = at >= 0 ? at : i.spec;
    if (i.target !== undefined) return [index.get(i.from)!, spec, 0, i.target];
    if (i.external !== undefined) return [index.get(i.from)!, spec, 1, i.external];
    return [index.get(i.from)!, spec, 2, ''];
  });
  const refs: number[] = [];
  for (const r of references) {
    const s = symbolIndex.get(r.symbol)!;
    refs.push(index.get(r.from)!, s[0], s[1], r.count);
  }
  return { key, configs, imports: imps, references: refs };
}

export function decodeImports(entry: ResultEntry, facts: ReadonlyMap<string, FileFacts>): ResolvedImport[] {
  const paths = [...facts.keys()];
  return entry.imports.map(([fromIdx, specAt, outcome, value]) => {
    const from = paths[fromIdx]!;
    const spec = typeof specAt === 'number' ? facts.get(from)!.imports[specAt]! : specAt;
    return outcome === 0 ? { from, spec, target: value } : outcome === 1 ? { from, spec, external: value } : { from, spec, unresolved: true as const };
  });
}

export function decodeReferences(entry: ResultEntry, facts: ReadonlyMap<string, FileFacts>): KnownReferences {
  const paths = [...facts.keys()];
  return (symbolsByFile) => {
    const out: ResolvedReference[] = [];
    const r = entry.references;
    for (let i = 0; i < r.length; i += 4) {
      out.push({ from: paths[r[i]!]!, symbol: symbolsByFile.get(paths[r[i + 1]!]!)![r[i + 2]!]!.id, count: r[i + 3]! });
    }
    return out;
  };
}

/** Symbol id -> [file index, index in the file's symbols], for encodeResult. */
export function symbolPositions(facts: ReadonlyMap<string, FileFacts>, symbolsByFile: ReadonlyMap<string, ReadonlyArray<{ id: string }>>): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  let fi = 0;
  for (const p of facts.keys()) {
    const syms = symbolsByFile.get(p) ?? [];
    for (let si = 0; si < syms.length; si++) out.set(syms[si]!.id, [fi, si]);
    fi++;
  }
  return out;
}
