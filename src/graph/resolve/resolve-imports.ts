/** Resolves every file's imports with the resolver of its language. */
import type { ResolvedImport } from '../types.ts';
import { CResolver } from './c.ts';
import type { ResolveContext } from './context.ts';
import { GoResolver } from './go.ts';
import { JavaResolver } from './java.ts';
import { PythonResolver } from './python.ts';
import { RustResolver } from './rust.ts';
import { ScriptResolver } from './script.ts';

export function resolveImports(ctx: ResolveContext): ResolvedImport[] {
  let script: ScriptResolver | undefined;
  let python: PythonResolver | undefined;
  let go: GoResolver | undefined;
  let rust: RustResolver | undefined;
  let java: JavaResolver | undefined;
  let c: CResolver | undefined;
  const out: ResolvedImport[] = [];
  const paths = [...ctx.facts.keys()].sort();
  for (const from of paths) {
    const facts = ctx.facts.get(from)!;
    if (facts.language === 'java') out.push(...(java ??= new JavaResolver(ctx)).samePackageUses(from, facts));
    for (const spec of facts.imports) {
      switch (facts.language) {
        case 'typescript':
        case 'tsx':
        case 'javascript':
          out.push((script ??= new ScriptResolver(ctx)).resolve(from, facts.language, spec));
          break;
        case 'python':
          out.push(...(python ??= new PythonResolver(ctx)).resolve(from, spec));
          break;
        case 'go':
          out.push(...(go ??= new GoResolver(ctx)).resolve(from, spec));
          break;
        case 'rust':
          out.push(...(rust ??= new RustResolver(ctx)).resolve(from, spec));
          break;
        case 'java':
          out.push(...(java ??= new JavaResolver(ctx)).resolve(from, spec));
          break;
        case 'c':
        case 'cpp':
          out.push(...(c ??= new CResolver(ctx)).resolve(from, spec));
          break;
      }
    }
  }
  return out;
}
