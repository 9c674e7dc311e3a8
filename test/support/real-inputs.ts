/**
 * Real code nobody here wrote, one small repository per language, from node_modules and Debian's
 * packages (.ci/run installs them; README names them). Each input says where it lies and, when
 * it is not on this machine, which package brings it.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '../..');

export interface RealInput {
  language: string;
  name: string;
  /** The repository's directory, or undefined when it is not here. */
  dir: string | undefined;
  /** What to install when it is missing. */
  from: string;
}

const firstDir = (...dirs: string[]) => dirs.find((d) => existsSync(d));
const goSrc = () => readdirSync('/usr/share').filter((d) => /^go-\d/.test(d)).map((d) => `/usr/share/${d}/src`).find((d) => existsSync(d));

/** A JDK's sources: one package of java.base, unpacked from the first src.zip found. */
function javaPackage(pkg: string, scratch: string): string | undefined {
  const zip = firstDir('/usr/lib/jvm/openjdk-17/src.zip', ...(existsSync('/usr/lib/jvm') ? readdirSync('/usr/lib/jvm').map((d) => `/usr/lib/jvm/${d}/lib/src.zip`) : []));
  if (!zip) return undefined;
  const out = join(scratch, 'jdk');
  mkdirSync(out, { recursive: true });
  execFileSync('unzip', ['-q', '-o', zip, `java.base/${pkg}/*`, '-d', out]);
  const dir = join(out, 'java.base', pkg);
  return existsSync(dir) ? dir : undefined;
}

/** `scratch`: a directory for what must be unpacked (the JDK's sources). */
export function realInputs(scratch: string): RealInput[] {
  const go = goSrc();
  return [
    { language: 'javascript', name: 'commander', dir: firstDir(join(root, 'node_modules/commander')), from: 'npm ci' },
    { language: 'typescript', name: 'zod/src/v3', dir: firstDir(join(root, 'node_modules/zod/src/v3')), from: 'npm ci' },
    { language: 'python', name: 'json (stdlib)', dir: firstDir('/usr/lib/python3.11/json', '/usr/lib/python3/json'), from: 'python3' },
    { language: 'go', name: 'container (Go sources)', dir: go ? firstDir(join(go, 'container')) : undefined, from: 'golang-src' },
    { language: 'rust', name: 'semver (crate)', dir: firstDir(...(existsSync('/usr/share/cargo/registry') ? readdirSync('/usr/share/cargo/registry').filter((d) => d.startsWith('semver-')).map((d) => `/usr/share/cargo/registry/${d}`) : [])), from: 'librust-semver-dev' },
    { language: 'java', name: 'java.util.concurrent.atomic (JDK sources)', dir: javaPackage('java/util/concurrent/atomic', scratch), from: 'openjdk-17-source' },
    { language: 'c', name: 'zlib examples', dir: firstDir('/usr/share/doc/zlib1g-dev/examples'), from: 'zlib1g-dev' },
  ];
}

/**
 * The inputs the tests rebuild: realInputs with a smaller TypeScript package in zod v3's place
 * (tsconfig-paths' sources, 17 files with their tests, against zod v3's 83: zod alone took 80 s of
 * CI's test time). The benchmarks keep zod v3.
 */
export function testRealInputs(scratch: string): RealInput[] {
  return realInputs(scratch).map((input) =>
    input.language === 'typescript' ? { language: 'typescript', name: 'tsconfig-paths/src', dir: firstDir(join(root, 'node_modules/tsconfig-paths/src')), from: 'npm ci' } : input,
  );
}

const crate = (prefix: string) =>
  firstDir(...(existsSync('/usr/share/cargo/registry') ? readdirSync('/usr/share/cargo/registry').filter((d) => d.startsWith(prefix)).map((d) => `/usr/share/cargo/registry/${d}`) : []));

/**
 * Larger real inputs, one per language, for benchmarks (bench/fidelity.ts big): repositories with
 * test files, big classes and long functions, where templates and thin reasoning show. Not used by
 * the tests (they take minutes); some come from packages .ci/run does not install.
 */
export function bigRealInputs(scratch: string): RealInput[] {
  const go = goSrc();
  return [
    { language: 'javascript', name: 'fastify (with its tests)', dir: firstDir(join(root, 'node_modules/fastify')), from: 'npm ci' },
    { language: 'typescript', name: 'zod/src/v4', dir: firstDir(join(root, 'node_modules/zod/src/v4')), from: 'npm ci' },
    { language: 'python', name: 'email (stdlib)', dir: firstDir('/usr/lib/python3.11/email', '/usr/lib/python3/email'), from: 'python3' },
    { language: 'go', name: 'encoding/json (Go sources, with tests)', dir: go ? firstDir(join(go, 'encoding/json')) : undefined, from: 'golang-src' },
    { language: 'rust', name: 'regex-syntax (crate)', dir: crate('regex-syntax-'), from: 'librust-regex-syntax-dev' },
    { language: 'java', name: 'java.util.stream (JDK sources)', dir: javaPackage('java/util/stream', scratch), from: 'openjdk-17-source' },
    { language: 'c', name: 'nettle examples', dir: firstDir('/usr/share/doc/nettle-dev/examples'), from: 'nettle-dev' },
  ];
}
