/**
 * C and C++ `#include` resolution: `"x.h"` beside the including file, then under the repo root,
 * `include/` and `src/`; `<x.h>` under `include/` and the root. What is not found is a system or
 * third-party header (`c:<header>`).
 */
import type { ImportSpec, ResolvedImport } from '../types.ts';
import { type ResolveContext, dirOf, fileAt, joinInRepo } from './context.ts';

const includeDirs = ['', 'include', 'src'];

export class CResolver {
  constructor(private readonly ctx: ResolveContext) {}

  resolve(from: string, spec: ImportSpec): ResolvedImport[] {
    const angled = spec.specifier.startsWith('<');
    const header = angled ? spec.specifier.slice(1, -1) : spec.specifier;
    const dirs = angled ? ['include', ''] : [dirOf(from), ...includeDirs];
    for (const dir of dirs) {
      const path = joinInRepo(dir, header);
      const hit = path === undefined ? undefined : fileAt(this.ctx, path);
      if (hit) return [{ from, spec, target: hit }];
    }
    return [{ from, spec, external: `c:${header}` }];
  }
}
