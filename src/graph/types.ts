/**
 * Plain data of the repo graph: what the walker finds, what extraction produces per file, and
 * what resolution adds. Everything here is structured-clone safe: it crosses worker threads and
 * is stored in the on-disk cache as is.
 */

export type LanguageId = 'typescript' | 'tsx' | 'javascript' | 'python' | 'go' | 'rust' | 'java' | 'c' | 'cpp';

export type SkipReason =
  | 'binary'
  | 'too-large'
  | 'vendored'
  | 'generated'
  | 'unreadable'
  | 'non-utf8'
  /** A symlink whose target is inside the root: never followed, the target is walked where it lies. */
  | 'symlink'
  | 'symlink-outside'
  /** Dangling, or a loop (ELOOP). */
  | 'symlink-broken'
  /** Sockets, FIFOs, devices. */
  | 'special'
  /** In a git work tree, not in the index (so not in the repository at its commit). */
  | 'untracked'
  /** Untracked and matched by .gitignore (a directory: everything under it). */
  | 'ignored'
  /** A gitlink: another repository's files. */
  | 'submodule'
  /** In the index, not in the work tree (deleted and not committed). */
  | 'missing';

/** Why a path under the root is not one of the repository's files at all (git decides). */
export type ExcludeReason = Extract<SkipReason, 'untracked' | 'ignored' | 'submodule' | 'missing'>;

export interface SkippedFile {
  /** Repo-relative, forward slashes. */
  path: string;
  reason: SkipReason;
  detail?: string;
}

export interface WalkedFile {
  path: string;
  size: number;
  /** null: a file we keep in the tree but do not parse (docs, JSON, config). */
  language: LanguageId | null;
}

export interface WalkResult {
  root: string;
  /** Sorted by path. */
  files: WalkedFile[];
  skipped: SkippedFile[];
  /** Paths matched by .gitignore (files and directories), not walked further. */
  ignoredCount: number;
  /**
   * In a git work tree: what is on disk but not in the repository (untracked, ignored, submodules)
   * and what the index has but the disk lacks; sorted by path. Unlike `skipped`, these are not the
   * repository's files: they are no graph nodes and no import resolves to them.
   */
  excluded: SkippedFile[];
  /** The file list came from git's index (else: the directory, less .gitignore). */
  gitIndex: boolean;
}

export type DefinitionKind =
  | 'class'
  | 'function'
  | 'method'
  | 'interface'
  | 'module'
  | 'type'
  | 'constant'
  | 'macro'
  | 'enum';

export interface Definition {
  name: string;
  kind: DefinitionKind;
  /** 1-based, inclusive. */
  startLine: number;
  endLine: number;
  /** The definition's first line, trimmed (at most 200 characters). */
  signature: string;
}

export type ReferenceKind = 'call' | 'type' | 'class' | 'implementation';

/** References are aggregated per (name, kind): first line and how many times. */
export interface Reference {
  name: string;
  kind: ReferenceKind;
  line: number;
  count: number;
}

export type ImportKind =
  | 'static'
  | 'reexport'
  | 'dynamic'
  | 'require'
  | 'type-import'
  | 'python'
  | 'python-from'
  | 'go'
  | 'rust-mod'
  | 'rust-use'
  | 'rust-extern'
  | 'java'
  | 'java-static'
  /** A Java type used without an import: it lives in the file's own package. */
  | 'java-package'
  | 'include';

export interface ImportSpec {
  kind: ImportKind;
  /**
   * What the source says, normalised per language: a module specifier (TS/JS, Go, C), a dotted
   * module with leading dots for relative imports (Python), a `::` path (Rust), a dotted name (Java).
   */
  specifier: string;
  /** Python `from m import a, b` and Rust `use p::{a, b}` list the names imported. */
  names?: string[];
  line: number;
  /** Rust: the inline modules (`mod tests { .. }`) the item stands in, outermost first. */
  scope?: string[];
  /** Rust `mod`: its `#[path = "..."]` attribute. */
  path?: string;
}

export interface FileFacts {
  language: LanguageId;
  definitions: Definition[];
  references: Reference[];
  imports: ImportSpec[];
  /** Java `package`, Go `package` clause. */
  packageName?: string;
  /** The tree has ERROR or MISSING nodes: facts come from a partial parse. */
  parseError: boolean;
  /** The parser gave up (threw); facts are empty. */
  parseFailed?: string;
}

/**
 * A file's import, resolved: to a repo file (`target`), to a package outside the repo
 * (`external`), or neither (`unresolved`: a relative import to a file that is not there). A
 * `target` equal to `from` is a self-import (Rust `use super::*` in `mod tests {}`): kept and
 * counted, but no edge.
 */
export interface ResolvedImport {
  from: string;
  spec: ImportSpec;
  target?: string;
  /** External package id, e.g. `npm:lodash`, `node:fs`, `python:requests`, `go:golang.org/x/net`. */
  external?: string;
  unresolved?: true;
}
