/**
 * Which files are tests, and which file each test tests: by the naming conventions of each
 * ecosystem (`a.test.ts`, `a.spec.js`, `a_test.go`, `test_a.py`, `a_test.py`, `ATest.java`, and
 * files under test/, tests/, __tests__/ or spec/).
 */
const testDir = /(^|\/)(test|tests|__tests__|spec|specs|testing)\//;
const testName = /(\.(test|spec)\.[^.]+$)|(_test\.(go|py|rs)$)|(^test_[^/]+\.py$)|(Tests?\.java$)/;

export function isTestFile(path: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return testName.test(name) || testDir.test(path);
}

/** The stem a test is named after: `a.test.ts` -> `a`, `test_a.py` -> `a`, `ATest.java` -> `A`. */
function subjectStem(name: string): string | undefined {
  const m =
    /^(.+)\.(?:test|spec)\.[^.]+$/.exec(name) ??
    /^(.+)_test\.(?:go|py|rs)$/.exec(name) ??
    /^test_(.+)\.py$/.exec(name) ??
    /^(.+?)Tests?\.java$/.exec(name) ??
    /^(.+)\.[^.]+$/.exec(name);
  return m?.[1];
}

function stemOf(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const d = name.indexOf('.');
  return d > 0 ? name.slice(0, d) : name;
}

/**
 * test file -> the file it tests, for tests whose subject can be found: the non-test file with
 * the subject's stem in the same directory, else the one whose path shares the most trailing
 * directories with the test's (test/x/a.test.ts -> src/x/a.ts), else the only one in the repo.
 */
export function testSubjects(paths: readonly string[]): Map<string, string> {
  const byStem = new Map<string, string[]>();
  for (const p of paths) {
    if (isTestFile(p)) continue;
    const stem = stemOf(p);
    const list = byStem.get(stem);
    if (list) list.push(p);
    else byStem.set(stem, [p]);
  }
  const out = new Map<string, string>();
  for (const t of paths) {
    if (!isTestFile(t)) continue;
    const name = t.slice(t.lastIndexOf('/') + 1);
    const stem = subjectStem(name);
    if (!stem) continue;
    const candidates = (byStem.get(stem) ?? []).filter((c) => sameFamily(c, t));
    if (candidates.length === 0) continue;
    const dir = t.slice(0, t.lastIndexOf('/') + 1);
    const sameDir = candidates.filter((c) => c.slice(0, c.lastIndexOf('/') + 1) === dir);
    if (sameDir.length >= 1) {
      out.set(t, sameDir.sort()[0]!);
      continue;
    }
    const scored = candidates.map((c) => ({ c, s: sharedTail(c, t) })).sort((a, b) => b.s - a.s || (a.c < b.c ? -1 : 1));
    if (scored.length === 1 || scored[0]!.s > scored[1]!.s) out.set(t, scored[0]!.c);
  }
  return out;
}

/** Same language family by extension: a test of a.ts is not a test of a.md. */
function sameFamily(a: string, b: string): boolean {
  const fam = (p: string) => {
    const ext = p.slice(p.lastIndexOf('.') + 1);
    if (['ts', 'tsx', 'js', 'jsx', 'mjs', 'cjs', 'mts', 'cts'].includes(ext)) return 'script';
    return ext;
  };
  return fam(a) === fam(b);
}

function sharedTail(a: string, b: string): number {
  const da = a.split('/').slice(0, -1).reverse();
  const db = b.split('/').slice(0, -1).reverse().filter((d) => !['test', 'tests', '__tests__', 'spec', 'specs'].includes(d));
  let n = 0;
  while (n < da.length && n < db.length && da[n] === db[n]) n++;
  return n;
}
