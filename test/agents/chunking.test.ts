/**
 * Chunks: a file over the target is cut at its natural parts — a class, impl or struct at its
 * members, a long function at the statements of its body, a test file at its cases — and the
 * chunks always concatenate to the file, with no cut inside a token or a line. Small files written
 * by hand per language (with a small target, so they stay small), then every real input.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Parser from 'tree-sitter';
import { describe, expect, it } from 'vitest';
import { languageFor } from '../../src/graph/mod.ts';
import type { Chunk } from '../../src/agents/facts.ts';
import { Workspace } from '../../src/agents/workspace.ts';
import { realInputs } from '../support/real-inputs.ts';
import { tempDir } from '../support/tmp.ts';

/** A repository of `files`, opened with a small target: 14 lines, 400 characters. */
async function workspaceOf(files: Record<string, string>, opts = { maxChunkLines: 14, maxChunkChars: 400 }): Promise<Workspace> {
  const root = tempDir();
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return Workspace.open({ name: 'chunks', root }, { ...opts, cacheDir: join(root, '.cache') });
}

/** The first line of each chunk that is code (not blank, not a comment). */
const openings = (chunks: readonly Chunk[]) => chunks.map((c) => c.text.split('\n').find((l) => l.trim() && !/^\s*(\/\/|#\[|\/?\*|@)/.test(l))?.trim());

/**
 * Where two chunks meet, the smallest node of the syntax tree around the boundary is not a token
 * (a string, a comment, an identifier): the cut falls between nodes.
 */
function cutsInsideTokens(ws: Workspace, path: string): string[] {
  const language = ws.facts(path).language;
  if (!language) return [];
  const parser = new Parser();
  parser.setLanguage(languageFor(language));
  const text = ws.read(path);
  const tree = parser.parse(text);
  const bad: string[] = [];
  let offset = 0;
  for (const c of ws.chunks(path).slice(0, -1)) {
    offset += c.text.length;
    if (!c.text.endsWith('\n')) bad.push(`${path}: chunk ${c.index} does not end a line`);
    // A boundary is a newline; ASCII before it keeps string offsets and the tree's bytes aligned.
    if (/[^\x00-\x7f]/.test(text.slice(0, offset))) break;
    const node = tree.rootNode.descendantForIndex(offset - 1, offset);
    if (node.childCount === 0 || /string|comment|char/.test(node.type)) bad.push(`${path}: chunk ${c.index} ends inside ${node.type} at line ${c.endLine}`);
  }
  return bad;
}

function expectExact(ws: Workspace, path: string): Chunk[] {
  const chunks = ws.chunks(path);
  expect(chunks.map((c) => c.text).join('')).toBe(ws.read(path));
  expect(chunks.map((c) => c.index)).toEqual(chunks.map((_, i) => i));
  for (const [i, c] of chunks.entries()) if (i > 0) expect(c.startLine).toBe(chunks[i - 1]!.endLine + 1);
  expect(cutsInsideTokens(ws, path)).toEqual([]);
  return chunks;
}

const javaClass = `package demo;

/** A counter that can only go up. */
public class Counter {
    private long count;
    private final String name;

    /** A counter named {@code name}, starting at zero. */
    public Counter(String name) {
        this.name = name;
        this.count = 0;
    }

    /** Adds one and returns the new count. */
    public long increment() {
        count = count + 1;
        return count;
    }

    /** Adds {@code delta}, which must not be negative. */
    public long add(long delta) {
        if (delta < 0) {
            throw new IllegalArgumentException("negative delta");
        }
        count = count + delta;
        return count;
    }

    public long get() {
        return count;
    }

    @Override
    public String toString() {
        return name + "=" + count;
    }
}
`;

const rustImpl = `pub struct Stack<T> {
    items: Vec<T>,
}

impl<T: Clone> Stack<T> {
    /// An empty stack.
    pub fn new() -> Self {
        Stack { items: Vec::new() }
    }

    /// Puts \`item\` on top.
    pub fn push(&mut self, item: T) {
        self.items.push(item);
    }

    /// Takes the top item off, if there is one.
    pub fn pop(&mut self) -> Option<T> {
        let top = self.items.last().cloned();
        self.items.truncate(self.items.len().saturating_sub(1));
        top
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_then_pop() {
        let mut s = Stack::new();
        s.push(1);
        assert_eq!(s.pop(), Some(1));
    }

    #[test]
    fn pop_empty() {
        let mut s: Stack<u8> = Stack::new();
        assert_eq!(s.pop(), None);
        assert_eq!(s.len(), 0);
    }
}
`;

const tsClass = `export class Queue<T> {
  private items: T[] = [];
  private head = 0;

  /** Adds an item at the back. */
  enqueue(item: T): void {
    this.items.push(item);
  }

  /** Takes the item at the front, or undefined when empty. */
  dequeue(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.head += 1;
    if (this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  get size(): number {
    return this.items.length - this.head;
  }

  /** The items, front first, without taking them. */
  toArray(): T[] {
    return this.items.slice(this.head);
  }
}
`;

const pythonClass = `class Inventory:
    """Counts of items by name."""

    def __init__(self):
        self.counts = {}

    def add(self, name, n=1):
        if n < 0:
            raise ValueError("n must not be negative")
        self.counts[name] = self.counts.get(name, 0) + n

    def remove(self, name, n=1):
        have = self.counts.get(name, 0)
        if have < n:
            raise KeyError(name)
        self.counts[name] = have - n

    @property
    def total(self):
        return sum(self.counts.values())

    def names(self):
        return sorted(n for n, c in self.counts.items() if c > 0)
`;

// One long function: its body is cut between statements, the signature goes with the first ones.
const goLongFunction = `package tally

import "strings"

// Summarize counts the words of text, the lines, and the longest word.
func Summarize(text string) (words, lines int, longest string) {
	for _, line := range strings.Split(text, "\\n") {
		lines++
		for _, w := range strings.Fields(line) {
			words++
			if len(w) > len(longest) {
				longest = w
			}
		}
	}

	if lines > 0 && strings.HasSuffix(text, "\\n") {
		lines--
	}

	// A text of blanks has no longest word.
	if words == 0 {
		longest = ""
	}

	switch {
	case words > 1000:
		longest = strings.ToUpper(longest)
	case words > 100:
		longest = strings.Title(longest)
	}
	return words, lines, longest
}
`;

const cLongFunction = `#include <stdio.h>
#include <string.h>

/* Copies src to dst, squeezing runs of blanks into one, and returns the length. */
int squeeze(char *dst, const char *src, int max)
{
    int n = 0;
    int blank = 0;

    while (*src && n < max - 1) {
        if (*src == ' ' || *src == '\\t') {
            if (!blank)
                dst[n++] = ' ';
            blank = 1;
        } else {
            dst[n++] = *src;
            blank = 0;
        }
        src++;
    }
    dst[n] = 0;

    /* Trailing blank: drop it. */
    if (n > 0 && dst[n - 1] == ' ')
        dst[--n] = 0;

    if (n == 0)
        fprintf(stderr, "squeeze: empty result\\n");
    return n;
}
`;

const jsTests = `const assert = require('node:assert');
const { describe, it } = require('node:test');
const { parse } = require('../lib/parse.js');

describe('parse', () => {
  it('reads a number', () => {
    assert.strictEqual(parse('42'), 42);
    assert.strictEqual(parse(' 7 '), 7);
  });

  it('reads a list', () => {
    assert.deepStrictEqual(parse('[1, 2]'), [1, 2]);
    assert.deepStrictEqual(parse('[]'), []);
  });

  it('refuses garbage', () => {
    assert.throws(() => parse('{'), /unexpected end/);
    assert.throws(() => parse('?'), /unexpected token/);
  });

  it('keeps a multi-line string whole', () => {
    const text = \`first line
second line
third line\`;
    assert.strictEqual(parse(JSON.stringify(text)), text);
  });
});
`;

const goTests = `package tally

import "testing"

func TestSummarizeEmpty(t *testing.T) {
	w, l, longest := Summarize("")
	if w != 0 || l != 1 || longest != "" {
		t.Fatalf("got %d %d %q", w, l, longest)
	}
}

func TestSummarizeWords(t *testing.T) {
	w, _, longest := Summarize("a bb ccc\\n")
	if w != 3 {
		t.Errorf("words: got %d", w)
	}
	if longest != "ccc" {
		t.Errorf("longest: got %q", longest)
	}
}

func TestSummarizeLines(t *testing.T) {
	_, l, _ := Summarize("a\\nb\\nc\\n")
	if l != 3 {
		t.Errorf("lines: got %d", l)
	}
}
`;

describe('chunks at natural parts', () => {
  it('Java: a class is cut into its header and its methods, each chunk about its own method', async () => {
    const ws = await workspaceOf({ 'src/Counter.java': javaClass });
    const chunks = expectExact(ws, 'src/Counter.java');
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    expect(chunks[0]!.text).toContain('public class Counter {');
    const starts = openings(chunks.slice(1));
    for (const s of starts) expect(s).toMatch(/^(public|private)\b|^}/);
    // Each method lies in one chunk, with its doc comment and annotation.
    for (const sig of ['public long increment()', 'public long add(long delta)', 'public String toString()']) {
      const holding = chunks.filter((c) => c.text.includes(sig));
      expect(holding, sig).toHaveLength(1);
    }
    expect(chunks.find((c) => c.text.includes('public long add('))!.text).toContain('/** Adds {@code delta}');
    expect(chunks.find((c) => c.text.includes('toString()'))!.text).toContain('@Override');
    const own = chunks.map((c) => c.definition?.name);
    expect(own).toContain('add');
    expect(own[0]).toBe('Counter');
  });

  it('Rust: an impl is cut at its fns, a test module at its #[test] fns with their attributes', async () => {
    const ws = await workspaceOf({ 'src/lib.rs': rustImpl });
    const chunks = expectExact(ws, 'src/lib.rs');
    expect(chunks.length).toBeGreaterThanOrEqual(4);
    const pop = chunks.filter((c) => c.text.includes('pub fn pop('));
    expect(pop).toHaveLength(1);
    expect(pop[0]!.text).toContain('/// Takes the top item off');
    const emptyTest = chunks.find((c) => c.text.includes('fn pop_empty()'))!;
    expect(emptyTest.text).toMatch(/#\[test\]\n\s*fn pop_empty/);
    expect(emptyTest.definition?.name).toBe('pop_empty');
  });

  it('TypeScript: a class is cut at its members; short ones go together', async () => {
    const ws = await workspaceOf({ 'src/queue.ts': tsClass });
    const chunks = expectExact(ws, 'src/queue.ts');
    expect(chunks.length).toBeGreaterThanOrEqual(2);
    expect(chunks.filter((c) => c.text.includes('dequeue(): T | undefined {'))).toHaveLength(1);
    expect(chunks.find((c) => c.text.includes('dequeue()'))!.definition?.name).toBe('dequeue');
  });

  it('Python: a class is cut at its methods, a decorator stays with its method', async () => {
    const ws = await workspaceOf({ 'inventory.py': pythonClass });
    const chunks = expectExact(ws, 'inventory.py');
    expect(chunks.length).toBeGreaterThanOrEqual(2);
    expect(chunks.find((c) => c.text.includes('def total(self)'))!.text).toContain('@property\n    def total');
    expect(chunks.filter((c) => c.text.includes('def remove('))).toHaveLength(1);
  });

  it('Go and C: a long function is cut between the statements of its body', async () => {
    const ws = await workspaceOf({ 'tally/summarize.go': goLongFunction, 'squeeze.c': cLongFunction });
    for (const path of ['tally/summarize.go', 'squeeze.c']) {
      const chunks = expectExact(ws, path);
      expect(chunks.length, path).toBeGreaterThanOrEqual(2);
      // The signature goes with the first statements, not alone.
      const signature = chunks.find((c) => /^(func Summarize|int squeeze)/m.test(c.text))!;
      expect(signature.text, path).toMatch(/\n\s+(for|int n)/);
      // The later parts are statements of the function, and say so.
      const name = path.endsWith('.go') ? 'Summarize' : 'squeeze';
      for (const c of chunks.slice(chunks.indexOf(signature) + 1)) expect(c.definition?.name, `${path} #${c.index}`).toBe(name);
    }
  });

  it('test files: cut at their cases (describe/it, func Test*), a multi-line string kept whole', async () => {
    const ws = await workspaceOf({ 'lib/parse.js': 'exports.parse = (s) => JSON.parse(s);\n', 'test/parse.test.js': jsTests, 'tally/summarize.go': goLongFunction, 'tally/summarize_test.go': goTests });
    const js = expectExact(ws, 'test/parse.test.js');
    expect(js.length).toBeGreaterThanOrEqual(3);
    for (const name of ['reads a number', 'reads a list', 'refuses garbage', 'keeps a multi-line string whole']) {
      expect(js.filter((c) => c.text.includes(`it('${name}'`)), name).toHaveLength(1);
    }
    expect(js.find((c) => c.text.includes('first line'))!.text).toContain('third line`;');
    const go = expectExact(ws, 'tally/summarize_test.go');
    expect(go.length).toBeGreaterThanOrEqual(2);
    expect(go.map((c) => c.definition?.name).filter((n) => n?.startsWith('Test')).length).toBeGreaterThanOrEqual(2);
  });

  it('leaves small files whole, and writes data and config whole', async () => {
    const ws = await workspaceOf({
      'small.ts': 'export const one = 1;\nexport const two = 2;\n',
      'data.json': JSON.stringify({ rows: Array.from({ length: 50 }, (_, i) => i) }, null, 2),
      'config.yaml': Array.from({ length: 40 }, (_, i) => `key${i}: value number ${i} of the settings`).join('\n'),
      'requirements.txt': Array.from({ length: 40 }, (_, i) => `package-${i}==1.${i}.0`).join('\n'),
    });
    expect(ws.chunks('small.ts')).toHaveLength(1);
    expect(ws.chunks('data.json')).toHaveLength(1);
    expect(ws.chunks('config.yaml')).toHaveLength(1);
    // A .txt that is a list, not sentences, is data.
    expect(ws.chunks('requirements.txt')).toHaveLength(1);
  });

  it('cuts a long document at its sections and paragraphs, never inside a fenced block', async () => {
    const section = (title: string, i: number) =>
      `## ${title}\n\nThe ${title.toLowerCase()} part of the guide, which says a little about it, paragraph ${i}.\n\n` +
      '```js\n' + Array.from({ length: 3 }, (_, k) => `const value${k} = compute(${k});\n\nuse(value${k});`).join('\n') + '\n```\n\nA closing paragraph for it.\n';
    const readme = `# Guide\n\nWhat the guide is for.\n\n${['Installing', 'Configuring', 'Running', 'Testing', 'Releasing'].map(section).join('\n')}`;
    const rst = Array.from({ length: 6 }, (_, i) => `Part ${i}\n======\n\n${'A sentence of the part, long enough to need some room. '.repeat(4)}\n\n    indented literal block\n\n    that goes on\n`).join('\n');
    const ws = await workspaceOf({ 'README.md': readme, 'docs/guide.rst': rst, 'notes.txt': Array.from({ length: 40 }, (_, i) => `Note ${i} says what was learnt that day.\n`).join('\n') });
    for (const path of ['README.md', 'docs/guide.rst', 'notes.txt']) {
      const chunks = expectExact(ws, path);
      expect(chunks.length, path).toBeGreaterThan(1);
      for (const c of chunks) expect(c.text.length <= 400 && c.endLine - c.startLine + 1 <= 14, `${path} #${c.index}`).toBe(true);
    }
    // Markdown: each piece starts at a heading or after a blank line, and every fence closes in the piece that opens it.
    for (const c of ws.chunks('README.md')) {
      expect((c.text.match(/^```/gm) ?? []).length % 2, c.text).toBe(0);
      expect(c.startLine === 1 || /^(#|\S)/.test(c.text), c.text).toBe(true);
    }
    expect(ws.chunks('README.md').filter((c) => c.text.startsWith('## ')).length).toBeGreaterThanOrEqual(4);
    // reStructuredText: a title stays with its underline, an indented block with what it follows.
    for (const c of ws.chunks('docs/guide.rst')) expect(/^ {4}/.test(c.text) || /^=+$/m.test(c.text.split('\n')[0]!), c.text).toBe(false);
  });

  it('cuts an HTML page at its block tags, never inside <pre>', async () => {
    const page = `<html><body>\n<h1>Usage</h1>\n${Array.from({ length: 8 }, (_, i) => `<p>\nParagraph ${i} of the page, which explains one more thing about the example.\n</p>\n<pre>\nint x${i} = ${i};\n\nreturn x${i};\n</pre>`).join('\n')}\n</body></html>\n`;
    const ws = await workspaceOf({ 'docs/usage.html': page });
    const chunks = expectExact(ws, 'docs/usage.html');
    expect(chunks.length).toBeGreaterThan(2);
    for (const c of chunks) expect((c.text.match(/<pre>/g) ?? []).length, c.text).toBe((c.text.match(/<\/pre>/g) ?? []).length);
  });

  it('cuts a run of commented-out code at its blank lines, and an if-else chain at its links', async () => {
    const commented = `import { check } from './check.js';\n\n${Array.from({ length: 6 }, (_, i) => `// it('case ${i}', () => {\n//   const value = check(${i});\n//   expect(value).toBe(${i});\n// });`).join('\n\n')}\n`;
    const chain = `export function kindOf(x) {\n  if (x === 1) {\n${'    step(1);\n'.repeat(5)}  } else if (x === 2) {\n${'    step(2);\n'.repeat(5)}  } else if (x === 3) {\n${'    step(3);\n'.repeat(5)}  } else {\n${'    step(4);\n'.repeat(5)}  }\n}\n`;
    const ws = await workspaceOf({ 'test/old.test.js': commented, 'src/kind.js': chain, 'src/check.js': 'export const check = (x) => x;\n' }, { maxChunkLines: 10, maxChunkChars: 400 });
    const commentedChunks = expectExact(ws, 'test/old.test.js');
    for (const c of commentedChunks) expect(c.endLine - c.startLine + 1, c.text).toBeLessThanOrEqual(10);
    const links = expectExact(ws, 'src/kind.js');
    expect(links.length).toBeGreaterThan(1);
    expect(links.some((c) => c.text.startsWith('  } else if (x === 2) {') || c.text.startsWith('  } else if (x === 3) {') || c.text.startsWith('  } else {'))).toBe(true);
  });

  it('with the default target, a file of 60 lines and 2,000 characters or less is one chunk', async () => {
    const ws = await workspaceOf({ 'src/queue.ts': tsClass }, { maxChunkLines: 60, maxChunkChars: 2000 });
    expect(ws.chunks('src/queue.ts')).toHaveLength(1);
  });
});

describe('chunks of real code', () => {
  for (const input of realInputs(tempDir())) {
    it.skipIf(input.dir === undefined)(`${input.language}: ${input.name}: exact, cut between nodes, mostly within the target`, async () => {
      const ws = await Workspace.open({ name: 'real', root: input.dir! }, { cacheDir: join(tempDir(), 'cache') });
      let over = 0;
      let chunks = 0;
      for (const f of ws.graph.data.files) {
        if (!ws.graph.data.facts.has(f.path)) continue;
        const cs = expectExact(ws, f.path);
        chunks += cs.length;
        over += cs.filter((c) => c.text.length > 2000 || c.endLine - c.startLine + 1 > 60).length;
      }
      // What stays over the target is one token or line that cannot be cut (a long string, a comment).
      expect(over / chunks).toBeLessThan(0.05);
    }, 120_000);
  }
});
