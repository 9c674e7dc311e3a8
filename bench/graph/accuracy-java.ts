/**
 * Java build order against the compiler's own view of same-package dependencies. A package of the
 * JDK's src.zip (openjdk-17-source) is the repo; jdeps on the same JDK's compiled classes lists
 * which class uses which (`-verbose:class`). Every use of a class of the same package, mapped to
 * source files (a nested class `A$B` lies in A.java), is a dependency the build order should
 * write first: a violation when the used file's step comes after the user's. Files of one
 * import cycle are one step (written together), so they never violate; the biggest step says
 * what that costs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { indexRepo } from '../../src/graph/mod.ts';

export interface JavaRow {
  pkg: string;
  files: number;
  dependencies: number;
  violations: number;
  sameStep: number;
  largestStep: number;
  edges: number;
  examples: string[];
}

const jdkHome = '/usr/lib/jvm/java-17-openjdk-amd64';
export const javaSources = join(jdkHome, 'lib', 'src.zip');
const jdepsOut = new Map<string, string>();

/** `module/dotted.package`, e.g. `java.base/java.util.zip`. */
export async function measureJavaPackage(modulePackage: string): Promise<JavaRow> {
  const [module, pkg] = modulePackage.split('/') as [string, string];
  const dir = pkg.replaceAll('.', '/');
  const root = mkdtempSync(join(tmpdir(), 'retrace-java-'));
  try {
    execFileSync('unzip', ['-q', '-o', javaSources, `${module}/${dir}/*.java`, '-x', `${module}/${dir}/*/*`, '-d', root], { stdio: 'ignore' });
    const repo = join(root, module);
    const files = new Set(readdirSync(join(repo, dir)).map((f) => `${dir}/${f}`));
    const deps = samePackageDependencies(module, pkg, (name) => (files.has(`${dir}/${name}.java`) ? `${dir}/${name}.java` : undefined));
    const g = await indexRepo(repo, { workers: 0, cache: false });
    const steps = new Map<string, number>();
    let largestStep = 0;
    g.buildOrder().generations.flat().forEach((step, i) => {
      largestStep = Math.max(largestStep, step.files.length);
      for (const f of step.files) steps.set(f, i);
    });
    let violations = 0;
    let sameStep = 0;
    const examples: string[] = [];
    for (const [user, used] of deps) {
      const a = steps.get(user)!;
      const b = steps.get(used)!;
      if (a === b) sameStep++;
      else if (b > a) {
        violations++;
        examples.push(`${user} uses ${used}, written after it`);
      }
    }
    const edges = [...files].reduce((n, f) => n + (g.hasFile(f) ? g.dependencies(f).length : 0), 0);
    return { pkg: modulePackage, files: files.size, dependencies: deps.length, violations, sameStep, largestStep, edges, examples };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** [user file, used file] for every class of `pkg` using another of `pkg`, per jdeps. */
function samePackageDependencies(module: string, pkg: string, fileOf: (topLevel: string) => string | undefined): Array<[string, string]> {
  let text = jdepsOut.get(module);
  if (text === undefined) {
    text = execFileSync(join(jdkHome, 'bin', 'jdeps'), ['-verbose:class', '-filter:none', '--module', module], { encoding: 'utf8', maxBuffer: 1 << 30 });
    jdepsOut.set(module, text);
  }
  const pairs = new Set<string>();
  const prefix = `${pkg}.`;
  for (const line of text.split('\n')) {
    const m = /^\s+(\S+)\s+->\s+(\S+)/.exec(line);
    if (!m || !m[1]!.startsWith(prefix) || !m[2]!.startsWith(prefix)) continue;
    const a = topLevel(m[1]!.slice(prefix.length));
    const b = topLevel(m[2]!.slice(prefix.length));
    if (a === undefined || b === undefined) continue;
    const fa = fileOf(a);
    const fb = fileOf(b);
    if (fa !== undefined && fb !== undefined && fa !== fb) pairs.add(`${fa}\0${fb}`);
  }
  return [...pairs].sort().map((p) => p.split('\0') as [string, string]);
}

/** `Outer$Inner` -> `Outer`; undefined for a class of a subpackage. */
function topLevel(name: string): string | undefined {
  if (name.includes('.')) return undefined;
  return name.split('$')[0];
}

export function javaAvailable(): boolean {
  return existsSync(javaSources);
}
