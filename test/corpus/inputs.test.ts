/**
 * Which repositories a corpus's inputs name: repositories, directories holding them, list files
 * and JSONL manifests; each directory once, keys unique, bad lines named by file and line.
 */
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CorpusInputError, corpusEntries } from '../../src/corpus/inputs.ts';
import { commitAll } from '../support/git.ts';
import { tempDir } from '../support/tmp.ts';

function tree(files: Record<string, string>): string {
  const root = realpathSync(tempDir('retrace-corpus-inputs-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('corpus inputs', () => {
  it('takes each subdirectory that is a repository from a directory holding them, in name order', () => {
    const root = tree({ 'b/go.mod': 'module b\n', 'a/package.json': '{}\n', 'notes/x.txt': 'x\n', 'c/src/x.rs': 'fn x() {}\n' });
    commitAll(join(root, 'c'));
    expect(corpusEntries([root]).map((e) => [e.key, e.path])).toEqual([
      ['a', join(root, 'a')],
      ['b', join(root, 'b')],
      ['c', join(root, 'c')],
    ]);
  });

  it('takes a repository, or a directory holding no repositories, as one repository', () => {
    const root = tree({ 'pkg/package.json': '{}\n', 'pkg/sub/go.mod': 'module s\n', 'plain/a.py': 'a = 1\n' });
    expect(corpusEntries([join(root, 'pkg'), join(root, 'plain')]).map((e) => e.key)).toEqual(['pkg', 'plain']);
  });

  it('reads list files relative to their folder, skipping comments, and names each directory once', () => {
    const root = tree({ 'x/a.c': 'int a;\n', 'y/b.c': 'int b;\n', 'lists/repos.txt': '# two repos\n../x\n\n../y\n../x\n' });
    expect(corpusEntries([join(root, 'lists/repos.txt'), join(root, 'y')]).map((e) => e.path)).toEqual([join(root, 'x'), join(root, 'y')]);
  });

  it('gives repositories of one name distinct keys', () => {
    const root = tree({ 'one/utils/a.go': 'package a\n', 'two/utils/b.go': 'package b\n' });
    const entries = corpusEntries([join(root, 'one/utils'), join(root, 'two/utils')]);
    expect(entries.map((e) => [e.name, e.key])).toEqual([
      ['utils', 'utils'],
      ['utils', 'utils-2'],
    ]);
  });

  it('reads a JSONL manifest with names, origins and commits', () => {
    const root = tree({ 'r/a.ts': 'export {};\n' });
    writeFileSync(join(root, 'm.jsonl'), `${JSON.stringify({ path: 'r', name: 'the/repo', origin: 'https://example.com/r.git', commit: 'abc1234' })}\n`);
    expect(corpusEntries([join(root, 'm.jsonl')])).toEqual([{ key: 'repo', name: 'the/repo', path: join(root, 'r'), origin: 'https://example.com/r.git', commit: 'abc1234' }]);
  });

  it('names the file and line of a bad manifest line, a missing directory and an unknown key', () => {
    const root = tree({ 'r/a.ts': 'export {};\n' });
    writeFileSync(join(root, 'bad.jsonl'), '{"path":"r"}\n{"path": \n');
    expect(() => corpusEntries([join(root, 'bad.jsonl')])).toThrow(new RegExp(`bad.jsonl:2: not JSON`));
    writeFileSync(join(root, 'gone.jsonl'), '{"path":"nowhere"}\n');
    expect(() => corpusEntries([join(root, 'gone.jsonl')])).toThrow(/gone.jsonl:1: no such directory: nowhere/);
    writeFileSync(join(root, 'key.jsonl'), '{"path":"r","commmit":"abc1234"}\n');
    expect(() => corpusEntries([join(root, 'key.jsonl')])).toThrow(/key.jsonl:1: .*commmit/);
    expect(() => corpusEntries([join(root, 'missing')])).toThrow(CorpusInputError);
    expect(() => corpusEntries([])).toThrow(/at least one/);
  });
});
