/**
 * Structural facts in every language the graph parses: the definition past its doc comment,
 * imports, attributes and preprocessor lines; its real name and kind; its doc's first sentence;
 * parameters without receivers; errors, methods, bases; every name it binds. Snippets are shaped
 * like real code (and like the fragments chunking cuts), then one real file per language.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isKeyword } from '../../src/boundary/lexicon.ts';
import { FileParser, type LanguageId } from '../../src/graph/mod.ts';
import { importBindings, targetFacts } from '../../src/search/facts.ts';
import { isReserved } from '../../src/search/facts/reader.ts';
import { realInputs } from '../support/real-inputs.ts';

const facts = (language: LanguageId, target: string, preceding?: string) => targetFacts({ target, language, ...(preceding !== undefined ? { preceding } : {}) });

describe('Python', () => {
  it('reads a decorated async method: docstring over lines, parameters without self, raise, bindings', () => {
    const f = facts(
      'python',
      `    @functools.cache
    async def fetch(self, url, *args, retries: int = 3, **options):
        """Fetch the resource at a URL,
        retrying on failure.

        More detail that is not the summary.
        """
        try:
            body, status = await self.session.get(url)
        except (OSError, TimeoutError) as exc:
            raise FetchError(url) from exc
        for attempt in range(retries):
            if status is None:
                continue
        return [line for line in body if line]
`,
    );
    expect(f).toMatchObject({ name: 'fetch', kind: 'method', isAsync: true, params: ['url', 'args', 'retries', 'options'], errors: ['FetchError'] });
    expect(f.definitionDoc).toBe('Fetch the resource at a URL, retrying on failure.');
    expect(f.doc).toBeUndefined(); // inside the target: the answer, not known text
    expect(f.bound).toEqual(expect.arrayContaining(['url', 'body', 'status', 'exc', 'attempt', 'line']));
    expect(f.bound).not.toContain('self');
    expect(f.control).toMatchObject({ tries: 1, throws: 1, loops: 1, branches: 1, awaits: 1, returns: 1 });
    expect(f.calls).toEqual(expect.arrayContaining(['self.session.get', 'range']));
    expect(f.checks).toEqual([{ kind: 'missing', subject: 'status' }]);
  });

  it('reads a class past its imports and comments: first base, methods, constructs', () => {
    const f = facts(
      'python',
      `import json
from .errors import DecodeError as _DecodeError

# Decoding.
class JSONDecoder(base.Decoder, metaclass=ABCMeta):
    """Simple JSON decoder."""
    strict = True

    def __init__(self, *, strict=True):
        self.strict = strict

    @property
    def name(self):
        return Name(self.strict)
`,
    );
    expect(f).toMatchObject({ name: 'JSONDecoder', kind: 'class', form: 'class', extends: 'base.Decoder', methods: ['__init__', 'name'], definitionDoc: 'Simple JSON decoder.' });
    expect(f.constructs).toEqual(['Name']);
    expect(f.locals).not.toContain('strict'); // a class attribute is a member, not a local
    expect(f.isExported).toBe(true);
    expect(facts('python', 'def _helper(x):\n    return x\n').isExported).toBe(false);
  });

  it('reads a module constant, and binds the names of imports', () => {
    expect(importBindings('import os.path as osp, re\nfrom json import loads, dumps as d\ntry:\n    import _json\nexcept ImportError:\n    _json = None\n', 'python')).toEqual([
      { name: 'osp', module: 'os.path' },
      { name: 're', module: 're' },
      { name: 'loads', module: 'json' },
      { name: 'd', module: 'json' },
      { name: '_json', module: '_json' },
    ]);
    expect(facts('python', "try:\n    from _json import scanstring as c_scanstring\nexcept ImportError:\n    c_scanstring = None\n\n__all__ = ['JSONDecoder']\n")).toMatchObject({ name: '__all__', kind: 'constant' });
  });
});

describe('Go', () => {
  it('reads a method: receiver bound but no parameter, doc lines above, error kinds', () => {
    const f = facts(
      'go',
      `import (
	"errors"
	str "strings"
)

// Read reads up to len(p) bytes into p.
// It returns the number of bytes read.
func (b *Reader) Read(p []byte, opts ...Option) (n int, err error) {
	if b.buf == nil {
		return 0, ErrNegativeCount
	}
	for i, c := range p {
		_ = str.ToUpper(string(c))
		n = i
	}
	if n < 0 {
		return 0, &PathError{Op: "read"}
	}
	return n, errors.New("short")
}
`,
    );
    expect(f).toMatchObject({ name: 'Read', kind: 'method', owner: 'Reader', params: ['p', 'opts'], isExported: true });
    expect(f.definitionDoc).toBe('Read reads up to len(p) bytes into p.');
    expect(f.errors).toEqual(['ErrNegativeCount', 'PathError']);
    expect(f.bound).toEqual(expect.arrayContaining(['b', 'p', 'opts', 'n', 'err', 'i', 'c']));
    expect(f.dependencies.map((d) => d.name)).toEqual(['errors', 'str']);
    expect(f.checks).toEqual([{ kind: 'missing', subject: 'b.buf' }]);
    expect(f.control.throws).toBe(0); // Go returns errors; only panic throws
  });

  it('reads types: struct, interface with methods and embedded interface, unexported names', () => {
    expect(facts('go', '// Element is an element of a linked list.\ntype Element struct {\n\tnext *Element\n}\n')).toMatchObject({ name: 'Element', kind: 'class', form: 'struct', definitionDoc: 'Element is an element of a linked list.' });
    expect(facts('go', 'type Interface interface {\n\tsort.Interface\n\tPush(x any)\n\tPop() any\n}\n')).toMatchObject({ name: 'Interface', form: 'interface', methods: ['Push', 'Pop'], extends: 'sort.Interface' });
    expect(facts('go', 'func lessFunc(a, b int) bool { return a < b }\n')).toMatchObject({ name: 'lessFunc', kind: 'function', isExported: false, params: ['a', 'b'] });
  });

  it('binds package names of imports: alias, last element, version suffix; skips blank imports', () => {
    expect(importBindings('package x\n\nimport (\n\t"net/http"\n\tfoo "example.com/bar"\n\t_ "embed"\n\t"math/rand/v2"\n)\n', 'go')).toEqual([
      { name: 'http', module: 'net/http' },
      { name: 'foo', module: 'example.com/bar' },
      { name: 'rand', module: 'math/rand/v2' },
    ]);
  });
});

describe('Rust', () => {
  it('names an impl block by its type, extends its trait, never by a keyword or an attribute', () => {
    const f = facts(
      'rust',
      `}

/// Formats the version.
#[cfg(feature = "std")]
#[derive(Debug)]
impl<'a, T: Clone> fmt::Display for Wrapper<'a, T> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let Some(inner) = self.inner.as_ref() else { return Err(fmt::Error) };
        write!(f, "{}", inner)
    }

    pub fn helper(&self) {}
`,
    );
    expect(f).toMatchObject({ name: 'Wrapper', kind: 'class', form: 'impl', extends: 'Display', methods: ['fmt', 'helper'], definitionDoc: 'Formats the version.' });
    expect(f.name).not.toBe('impl');
    expect(f.errors).toEqual(['fmt::Error']);
    expect(f.bound).toEqual(expect.arrayContaining(['inner']));
  });

  it('reads a method fragment: parameters without self, async, pub, Err kinds, constructions, panics', () => {
    const f = facts(
      'rust',
      `    /// Parses a version requirement.
    ///
    /// Longer text.
    pub async fn parse(text: &str, (lo, hi): (u8, u8)) -> Result<Self, Error> {
        if text.is_empty() {
            return Err(Error::new(ErrorKind::Empty));
        }
        let mut parts = Vec::new();
        for (i, part) in text.split('.').enumerate() {
            match part {
                "*" => parts.push(Part { index: i }),
                other => panic!("bad part {}", other),
            }
        }
        Ok(Self { parts })
    }
`,
    );
    expect(f).toMatchObject({ name: 'parse', kind: 'function', isAsync: true, isExported: true, params: ['text', 'lo', 'hi'], definitionDoc: 'Parses a version requirement.' });
    expect(facts('rust', '    fn len(&self) -> usize { self.n }\n')).toMatchObject({ name: 'len', kind: 'method', params: [] });
    expect(f.errors).toEqual(['Error']);
    expect(f.constructs).toEqual(expect.arrayContaining(['Vec', 'Part']));
    expect(f.constructs).not.toContain('Self');
    expect(f.calls).not.toContain('Ok');
    expect(f.control).toMatchObject({ branches: 1, loops: 1, switches: 1, throws: 1, returns: 1 });
    expect(f.bound).toEqual(expect.arrayContaining(['text', 'lo', 'hi', 'parts', 'i', 'part', 'other']));
  });

  it('reads structs, traits and modules with their docs; use trees bind their names', () => {
    expect(facts('rust', '//! Crate docs.\n\nuse std::fmt;\n\n/// A version.\n#[derive(Clone)]\npub struct Version {\n    pub major: u64,\n}\n')).toMatchObject({
      name: 'Version',
      kind: 'class',
      form: 'struct',
      isExported: true,
      definitionDoc: 'A version.',
    });
    expect(facts('rust', 'pub trait Visitor: Sized {\n    fn visit(&mut self);\n    fn finish(self) -> u8 { 0 }\n}\n')).toMatchObject({ name: 'Visitor', form: 'trait', extends: 'Sized', methods: ['visit', 'finish'] });
    expect(facts('rust', 'mod parse {\n    //! Parsing of versions.\n    fn x() {}\n}\n')).toMatchObject({ name: 'parse', kind: 'other', form: 'module', definitionDoc: 'Parsing of versions.' });
    expect(importBindings('use std::collections::{HashMap, hash_map::Entry as E, self};\nuse crate::lexer::Token;\npub use super::x::*;\nextern crate alloc as a;\n', 'rust')).toEqual([
      { name: 'HashMap', module: 'std::collections' },
      { name: 'E', module: 'std::collections::hash_map::Entry' },
      { name: 'collections', module: 'std::collections' },
      { name: 'Token', module: 'crate::lexer' },
      { name: 'a', module: 'alloc' },
    ]);
  });
});

describe('Java', () => {
  it('reads a class past package, imports and license: Javadoc first sentence, extends, methods', () => {
    const f = facts(
      'java',
      `/*
 * Copyright (c) 2003, Oracle.
 */
package java.util.concurrent.atomic;

import java.util.function.IntUnaryOperator;

/**
 * An {@code int} value that may be updated atomically.  See the
 * {@link VarHandle} specification for descriptions.
 *
 * @since 1.5
 * @author Doug Lea
 */
@SuppressWarnings("serial")
public class AtomicInteger extends Number<Integer> implements java.io.Serializable {
    private volatile int value;

    @Override
    public final int get() { return value; }

    public final int getAndUpdate(IntUnaryOperator updateFunction) throws IllegalStateException {
        int prev = get(), next = 0;
        for (boolean haveNext = false;;) {
            if (!haveNext) next = updateFunction.applyAsInt(prev);
            if (prev == null) throw new IllegalArgumentException("x");
        }
    }
}
`,
    );
    expect(f).toMatchObject({ name: 'AtomicInteger', kind: 'class', form: 'class', extends: 'Number', isExported: true, methods: ['get', 'getAndUpdate'] });
    expect(f.definitionDoc).toBe('An int value that may be updated atomically.');
    expect(f.dependencies).toEqual([{ name: 'IntUnaryOperator', module: 'java.util.function' }]);
  });

  it('reads a method without its class: annotations, throws clause, thrown errors, varargs, lambdas', () => {
    const f = facts(
      'java',
      `    /**
     * Returns the value, or throws.
     * @param key the key
     */
    @Override
    public <T> T get(String key, Object... rest) throws IOException {
        if (key == null) throw new NullPointerException();
        list.forEach(item -> seen.add(item));
        try (var in = open(key)) { return in.read(); } catch (UncheckedIOException e) { throw e; }
    }
`,
    );
    expect(f).toMatchObject({ name: 'get', kind: 'method', params: ['key', 'rest'], definitionDoc: 'Returns the value, or throws.', isExported: true });
    expect(f.errors).toEqual(['IOException', 'NullPointerException']);
    expect(f.bound).toEqual(expect.arrayContaining(['key', 'rest', 'item', 'in', 'e', 'T']));
    expect(f.checks).toEqual([{ kind: 'missing', subject: 'key' }]);
    expect(f.constructs).toEqual(['NullPointerException']);
    expect(importBindings('import java.util.List;\nimport static java.util.Objects.requireNonNull;\nimport java.io.*;\n', 'java')).toEqual([
      { name: 'List', module: 'java.util' },
      { name: 'requireNonNull', module: 'java.util.Objects' },
    ]);
  });

  it('a body fragment that error recovery reads as a method named by a keyword has no definition', () => {
    const f = facts('java', '                collide = false;\n            }\n            else if (!wasUncontended)\n                wasUncontended = true;\n            else if (n >= NCPU)\n                collide = false;\n');
    expect(f.name).toBeUndefined();
    expect(f.kind).toBe('other');
  });
});

describe('C and C++', () => {
  it('passes over the include guard, includes and macros to the function; a comment above is its doc', () => {
    const f = facts(
      'c',
      `#ifndef ZUTIL_H
#define ZUTIL_H
#include <stdio.h>
#define local static

/* Return the number of
   bytes written. */
local int write_all(FILE *out, const char **bufs, size_t n, int (*progress)(size_t)) {
    struct tab t = {0};
    for (size_t i = 0; i < n; i++) {
        if (out == NULL) return -1;
        t.count += fwrite(bufs[i], 1, strlen(bufs[i]), out);
    }
    return t.count;
}
`,
    );
    expect(f).toMatchObject({ name: 'write_all', kind: 'function', params: ['out', 'bufs', 'n', 'progress'], definitionDoc: 'Return the number of bytes written.' });
    expect(f.bound).toEqual(expect.arrayContaining(['t', 'i']));
    expect(f.calls).toEqual(['fwrite', 'strlen']);
    expect(f.checks).toEqual([{ kind: 'missing', subject: 'out' }]);
    expect(facts('c', 'static void cleanup(void) { }\n')).toMatchObject({ name: 'cleanup', params: [], isExported: false });
  });

  it('a comment after code on its line is not the next declaration doc; typedef structs are named by the typedef', () => {
    const f = facts('c', 'typedef unsigned char Byte;  /* 8 bits */\ntypedef struct {\n    int y;\n} string_t;\n');
    expect(f).toMatchObject({ name: 'Byte', kind: 'other', form: 'type' });
    expect(facts('c', 'typedef struct {\n    int y;\n} string_t;\n', 'typedef unsigned char Byte;  /* 8 bits */\n')).toMatchObject({ name: 'string_t', kind: 'class', form: 'struct' });
    expect(facts('c', 'typedef struct {\n    int y;\n} string_t;\n', 'typedef unsigned char Byte;  /* 8 bits */\n').definitionDoc).toBeUndefined();
    expect(facts('c', 'struct {\n    int max;\n} g;\n')).toMatchObject({ name: 'g', kind: 'constant' });
  });

  it('reads a C++ class in a namespace and template: Doxygen brief, base, methods, throw and new', () => {
    const f = facts(
      'cpp',
      `namespace std {
/**
 *  @brief  A standard container made up of unique keys.
 *  @tparam _Key  Type of key objects.
 */
template<typename _Key, typename _Compare = less<_Key>>
class set : public _Rb_tree_base<_Key>, private _Alloc {
public:
  explicit set(const _Compare& __comp) : _M_t(__comp) {}
  void insert(const _Key& __x);
  _Key& at(size_t __n) {
    if (__n >= size()) throw std::out_of_range("set::at");
    return *new _Node(__n);
  }
};
}
`,
    );
    expect(f).toMatchObject({ name: 'set', kind: 'class', form: 'class', extends: '_Rb_tree_base', methods: ['set', 'insert', 'at'], definitionDoc: 'A standard container made up of unique keys.' });
    expect(f.errors).toEqual(['std::out_of_range']);
    expect(f.constructs).toEqual(['_Node']);
    const method = facts('cpp', 'void Foo::bar(int q) { auto* p = new Baz(q); }\n');
    expect(method).toMatchObject({ name: 'bar', kind: 'method', owner: 'Foo', params: ['q'], constructs: ['Baz'] });
    expect(importBindings('#include <vector>\n#include "x.h"\n', 'cpp')).toEqual([]);
  });
});

describe('robustness', () => {
  const broken = ['', '}}}', 'fn (', 'class', '#endif\n#endif', '/** only a comment */', 'impl for {', 'def (:', 'func (', '@Override', 'template<', '"unterminated', "'x"];
  for (const language of ['python', 'go', 'rust', 'java', 'c', 'cpp', 'typescript'] as const) {
    it(`${language}: never throws on broken or partial code, and names no keyword`, () => {
      for (const target of broken) {
        const f = facts(language, target, '/** doc */\n');
        if (f.name !== undefined) expect(isKeyword(language, f.name), `${language}: ${JSON.stringify(target)} → ${f.name}`).toBe(false);
      }
    });
  }

  it('bounds its cost on a huge target and still reads the definition', () => {
    const body = Array.from({ length: 30_000 }, (_, i) => `    x${i} = f(x${i})\n`).join('');
    const started = performance.now();
    const f = facts('python', `def huge(a):\n${body}`);
    expect(f.name).toBe('huge');
    expect(performance.now() - started).toBeLessThan(15_000);
  });
});

/** Top-level definitions of a file, cut as the chunker used to: each with what precedes it. */
function definitionChunks(language: LanguageId, content: string): Array<{ name: string; startLine: number; text: string; preceding: string }> {
  const lines = content.split('\n');
  const out: Array<{ name: string; startLine: number; text: string; preceding: string }> = [];
  let lastEnd = 0;
  for (const d of new FileParser().parse(language, content).definitions) {
    if (d.startLine <= lastEnd) continue;
    out.push({ name: d.name, startLine: d.startLine, text: lines.slice(lastEnd, d.endLine).join('\n') + '\n', preceding: lines.slice(0, lastEnd).join('\n') });
    lastEnd = d.endLine;
  }
  return out;
}

function sourceFiles(dir: string, ext: RegExp, max: number): string[] {
  const out: string[] = [];
  const visit = (d: string): void => {
    for (const e of readdirSync(d).sort()) {
      if (out.length >= max) return;
      const p = join(d, e);
      if (statSync(p).isDirectory()) visit(p);
      else if (ext.test(e)) out.push(p);
    }
  };
  visit(dir);
  return out;
}

/** Whether the source plainly documents the definition starting at `startLine` (1-based): the test's own, lexical reading. */
function plainlyDocumented(language: LanguageId, lines: readonly string[], startLine: number): boolean {
  if (language === 'python') {
    // The first line after the header (which may span lines) opens a triple-quoted string.
    let k = startLine - 1;
    if (!/^\s*(async\s+def|def|class)\s/.test(lines[k] ?? '')) return false;
    while (k < lines.length && !/:\s*(#.*)?$/.test(lines[k]!)) k++;
    return /^\s*[rRuU]?("{3}|'{3})/.test(lines[k + 1] ?? '');
  }
  let above = startLine - 2;
  while (above >= 0 && /^\s*(#\[|@\w)/.test(lines[above]!)) above--;
  const line = lines[above] ?? '';
  if (language === 'rust') return /^\s*(\/\/\/[^/]|\*\/)/.test(line);
  if (language === 'java') return /^\s*\*\/\s*$/.test(line);
  return /^\s*(\/\/|\/?\*)/.test(line) && /^\s*\/\/|\*\/\s*$/.test(line);
}

/** Words the old lexical reader took for names: a keyword, an attribute, a preprocessor word. */
const MISREAD_NAMES: Partial<Record<LanguageId, string[]>> = {
  python: ['def', 'class', 'property', 'staticmethod'],
  go: ['func', 'type'],
  rust: ['impl', 'fn', 'derive', 'cfg', 'pub'],
  java: ['Override', 'Deprecated', 'public', 'class'],
  c: ['include', 'define', 'ifndef', 'endif', 'static'],
};

describe('on real code', () => {
  const extensions: Record<string, RegExp> = { python: /\.py$/, go: /\.go$/, rust: /\.rs$/, java: /\.java$/, c: /\.[ch]$/ };
  for (const input of realInputs(join(import.meta.dirname, '../../.scratch/real-inputs'))) {
    const ext = extensions[input.language];
    if (!ext) continue;
    it.skipIf(!input.dir)(`${input.name}: no definition is named by a keyword, most have a name, plain docs are found${input.dir ? '' : ` (missing: install ${input.from})`}`, () => {
      const language = input.language as LanguageId;
      let named = 0;
      let total = 0;
      let documented = 0;
      let found = 0;
      for (const path of sourceFiles(input.dir!, ext, 12)) {
        const content = readFileSync(path, 'utf8');
        const lines = content.split('\n');
        for (const chunk of definitionChunks(language, content)) {
          const f = targetFacts({ target: chunk.text, language, preceding: chunk.preceding });
          total++;
          if (f.name !== undefined) {
            named++;
            expect(isReserved(language, f.name), `${path}: ${f.name}`).toBe(false);
            expect(MISREAD_NAMES[language] ?? [], `${path}: ${f.name}`).not.toContain(f.name);
          }
          if (plainlyDocumented(language, lines, chunk.startLine)) {
            documented++;
            if (f.definitionDoc) found++;
          }
        }
      }
      expect(total).toBeGreaterThan(3);
      expect(named / total).toBeGreaterThan(0.9);
      expect(documented).toBeGreaterThan(0);
      expect(found / documented).toBeGreaterThan(0.8);
    });
  }
});
