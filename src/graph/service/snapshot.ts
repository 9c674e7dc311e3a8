/**
 * A repository as the graph service hands it out, so a process on another machine can work on it
 * without the files: the index (RepoData as plain data, from which the same RepoGraph is rebuilt)
 * and the kept files' texts, read once when first asked and then served from memory, so every
 * answer describes one version of the repository. The digest names that version.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeBody, encodeBody } from '../../bus/envelope.ts';
import { gitProvenance } from '../provenance.ts';
import { RepoGraph, UnknownFileError } from '../repo-graph.ts';
import type { FileFacts, ResolvedImport, SkippedFile, WalkedFile } from '../types.ts';

export interface RepoSnapshot {
  root: string;
  files: WalkedFile[];
  skipped: SkippedFile[];
  /** RepoData.facts as entries, in the map's order. */
  facts: Array<[string, FileFacts]>;
  imports: ResolvedImport[];
  ignoredCount: number;
  /** Untracked, ignored and deleted paths of a git work tree (absent from older services). */
  excluded?: SkippedFile[];
  /** sha256 over every kept file's path and text, in path order. */
  digest: string;
  /** HEAD and origin when the root is a git checkout (the dataset's provenance), else nulls. */
  git: { commit: string | null; origin: string | null };
}

/** The version of a repository: sha256 over its kept files' paths and texts, in path order. */
export function digestOf(files: Iterable<readonly [string, string]>): string {
  const h = createHash('sha256');
  for (const [path, text] of files) h.update(path).update('\0').update(text).update('\0');
  return h.digest('hex');
}

/** A piece of the encoded snapshot; `digest` says which version it belongs to. */
export interface SnapshotPiece {
  digest: string;
  total: number;
  offset: number;
  bytes: Uint8Array;
}

/** Joins the pieces of an encoded snapshot (all of one version) and decodes it. */
export function joinSnapshot(pieces: readonly SnapshotPiece[]): RepoSnapshot {
  const total = pieces[0]?.total ?? 0;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of pieces) {
    if (p.digest !== pieces[0]!.digest || p.total !== total || p.offset !== at) throw new Error('graph service: snapshot pieces of different versions or out of order');
    out.set(p.bytes, at);
    at += p.bytes.length;
  }
  if (at !== total) throw new Error(`graph service: snapshot has ${at} of ${total} bytes`);
  return decodeBody(out) as RepoSnapshot;
}

/** The kept files' texts of one indexed repository, read on first use and kept. */
export class RepoTexts {
  private texts: Map<string, string> | undefined;
  private digestHex: string | undefined;
  private encoded: Uint8Array | undefined;

  constructor(private readonly graph: RepoGraph) {}

  private all(): Map<string, string> {
    if (!this.texts) {
      const texts = new Map<string, string>();
      for (const f of this.graph.data.files) texts.set(f.path, readFileSync(join(this.graph.root, f.path), 'utf8'));
      this.texts = texts;
    }
    return this.texts;
  }

  text(path: string): string {
    const t = this.all().get(path);
    if (t === undefined) throw new UnknownFileError(path);
    return t;
  }

  digest(): string {
    this.digestHex ??= digestOf(this.all());
    return this.digestHex;
  }

  async snapshot(): Promise<RepoSnapshot> {
    const d = this.graph.data;
    const { commit, origin } = await gitProvenance(d.root);
    return { root: d.root, files: d.files, skipped: d.skipped, facts: [...d.facts.entries()], imports: d.imports, ignoredCount: d.ignoredCount, excluded: d.excluded ?? [], digest: this.digest(), git: { commit, origin } };
  }

  /** The encoded snapshot's bytes from `offset`, at most `maxBytes` of them (a large repo's takes several replies). */
  async snapshotPiece(offset: number, maxBytes: number): Promise<SnapshotPiece> {
    this.encoded ??= encodeBody(await this.snapshot());
    const total = this.encoded.length;
    if (offset > total) throw new RangeError(`snapshot offset ${offset} is past its end (${total} bytes)`);
    return { digest: this.digest(), total, offset, bytes: this.encoded.subarray(offset, Math.min(total, offset + maxBytes)) };
  }

  /** The texts of `files` in order, stopping before the reply would pass `maxBytes` (at least one). */
  sources(files: readonly string[], maxBytes: number): string[] {
    const out: string[] = [];
    let bytes = 0;
    for (const f of files) {
      const t = this.text(f);
      const n = Buffer.byteLength(t, 'utf8') + f.length + 16;
      if (out.length > 0 && bytes + n > maxBytes) break;
      out.push(t);
      bytes += n;
    }
    return out;
  }
}

/** The graph a snapshot was taken of, rebuilt. */
export function graphFromSnapshot(s: RepoSnapshot): RepoGraph {
  return new RepoGraph({ root: s.root, files: s.files, skipped: s.skipped, facts: new Map(s.facts), imports: s.imports, ignoredCount: s.ignoredCount, excluded: s.excluded ?? [] });
}
