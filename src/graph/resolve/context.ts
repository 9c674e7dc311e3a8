/**
 * What every resolver sees: the set of repo files, each file's facts, and reads of small config
 * files (package.json, tsconfig.json, go.mod, Cargo.toml). Paths are repo-relative with forward
 * slashes; nothing resolves outside the root.
 */
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import type { FileFacts } from '../types.ts';

export interface ResolveContext {
  readonly root: string;
  /** Every repo file an import may land on (walked files, and skipped ones: they still exist). */
  readonly files: ReadonlySet<string>;
  /** Symlinks inside the root: link path -> target path. */
  readonly links: ReadonlyMap<string, string>;
  readonly facts: ReadonlyMap<string, FileFacts>;
  /** Every directory that holds a repo file, '' for the root. */
  readonly dirs: ReadonlySet<string>;
  readText(path: string): string | undefined;
}

export function createResolveContext(root: string, files: Iterable<string>, facts: ReadonlyMap<string, FileFacts>, links: ReadonlyMap<string, string> = new Map()): ResolveContext {
  const fileSet = new Set(files);
  const dirs = new Set<string>(['']);
  for (const f of fileSet) {
    for (let d = posix.dirname(f); d !== '.' && !dirs.has(d); d = posix.dirname(d)) dirs.add(d);
  }
  const texts = new Map<string, string | undefined>();
  return {
    root,
    files: fileSet,
    links,
    facts,
    dirs,
    readText(path: string): string | undefined {
      if (!texts.has(path)) {
        let text: string | undefined;
        try {
          text = fileSet.has(path) ? readFileSync(posix.join(root, path), 'utf8') : undefined;
        } catch {
          text = undefined;
        }
        texts.set(path, text);
      }
      return texts.get(path);
    },
  };
}

/** The repo file at `path`, following an in-root symlink; undefined if there is none. */
export function fileAt(ctx: ResolveContext, path: string): string | undefined {
  if (ctx.files.has(path)) return path;
  const target = ctx.links.get(path);
  return target !== undefined && ctx.files.has(target) ? target : undefined;
}

/** posix join + normalise; undefined when the result climbs out of the root. */
export function joinInRepo(dir: string, rel: string): string | undefined {
  const joined = posix.normalize(posix.join(dir === '' ? '.' : dir, rel)).replace(/\/$/, '');
  if (joined === '..' || joined.startsWith('../') || posix.isAbsolute(joined)) return undefined;
  return joined === '.' || joined === '' ? '' : joined;
}

export function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** JSON with comments and trailing commas (tsconfig.json), or undefined. */
export function parseJsonc(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    // Strip comments outside strings, then trailing commas.
    const stripped = text.replace(/("(?:\\.|[^"\\])*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (_m, str: string | undefined) => str ?? '').replace(/,(\s*[}\]])/g, '$1');
    try {
      return JSON.parse(stripped);
    } catch {
      return undefined;
    }
  }
}
