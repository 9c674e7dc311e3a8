/**
 * `.gitignore` semantics over a walk: each directory's `.gitignore` applies to the paths below it,
 * deeper files after shallower ones, matched by the `ignore` package (git's rules, negations and
 * directory-only patterns included). `.git/info/exclude` applies at the root.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ignore, { type Ignore } from 'ignore';

interface Layer {
  /** Repo-relative directory the rules are written for; '' at the root. */
  dir: string;
  rules: Ignore;
}

export class GitignoreStack {
  private readonly layers = new Map<string, Layer>();

  constructor(private readonly root: string) {
    const rootRules = ignore();
    rootRules.add(readIfExists(join(root, '.git', 'info', 'exclude')));
    this.layers.set('', { dir: '', rules: rootRules });
  }

  /** Reads `<dir>/.gitignore` if present; call before testing paths inside `dir`. */
  enter(dir: string): void {
    const text = readIfExists(join(this.root, dir, '.gitignore'));
    if (!text) return;
    const existing = this.layers.get(dir);
    if (existing) existing.rules.add(text);
    else this.layers.set(dir, { dir, rules: ignore().add(text) });
  }

  /** Whether repo-relative `path` is ignored; `isDir` lets `dir/` patterns match. */
  ignores(path: string, isDir: boolean): boolean {
    let ignored = false;
    // Walk from the root down: a deeper .gitignore can re-include what a shallower one excluded.
    let dir = '';
    for (;;) {
      const layer = this.layers.get(dir);
      if (layer) {
        const rel = dir === '' ? path : path.slice(dir.length + 1);
        const result = layer.rules.test(isDir ? `${rel}/` : rel);
        if (result.ignored) ignored = true;
        else if (result.unignored) ignored = false;
      }
      const next = path.indexOf('/', dir === '' ? 0 : dir.length + 1);
      if (next < 0) break;
      dir = path.slice(0, next);
    }
    return ignored;
  }
}

function readIfExists(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
