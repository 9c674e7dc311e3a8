/**
 * File facts' docs in every language: each top-level definition's doc (the comment right above it
 * through its attributes, or its Python docstring, multi-line too) and the file's own header doc
 * (Python module docstring, Rust `//!`, Go package comment; a licence block passed over).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileFacts } from '../../src/agents/facts.ts';
import { indexRepo } from '../../src/graph/mod.ts';
import { tempDir } from '../support/tmp.ts';

const files: Record<string, string> = {
  'pkg/codec.py': `#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""Codecs for the wire format.

Longer description.
"""
import json


def encode(value,
           strict=False):
    """Encode a value
    as wire bytes.

    Details.
    """
    return json.dumps(value)


class Decoder(object):
    '''Decodes wire bytes.'''
`,
  'src/lib.rs': `//! Semantic versions
//! for crates.

use std::fmt;

/// A parsed version.
#[derive(Clone, Debug)]
pub struct Version {
    pub major: u64,
}

// A plain comment, no doc.
pub fn plain() {}
`,
  'list/list.go': `// Copyright 2009 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license.

// Package list implements a doubly linked list.
package list

// Element is an element of a linked list.
type Element struct {
	next *Element
}
`,
  'zpipe.c': `/* zpipe.c: example of proper use of zlib's inflate() and deflate()
   Not copyrighted -- provided to the public domain */

#include <stdio.h>
#define CHUNK 16384

/* Compress from file source to file dest until EOF on source.
   def() returns Z_OK on success. */
int def(FILE *source, FILE *dest, int level)
{
    return 0;
}

#include "zlib.h"
int after_include(void) { return 1; }
`,
  'src/Atomic.java': `/*
 * Copyright (c) 2003, Oracle and/or its affiliates. All rights reserved.
 */
package demo;

/**
 * An {@code int} value that may be updated atomically.
 *
 * @since 1.5
 */
@SuppressWarnings("serial")
public class Atomic {
}
`,
};

describe('file facts docs', async () => {
  const root = tempDir();
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  const graph = await indexRepo(root, { workers: 0, cache: false });
  const docs = (path: string) => {
    const f = fileFacts(graph, path, files[path]!);
    return { header: f.headerDoc, defs: Object.fromEntries(f.definitions.map((d) => [d.name, d.doc])) };
  };

  it('Python: the module docstring is the header doc; docstrings span lines and multi-line headers', () => {
    expect(docs('pkg/codec.py')).toEqual({ header: 'Codecs for the wire format.', defs: { encode: 'Encode a value as wire bytes.', Decoder: 'Decodes wire bytes.' } });
  });

  it('Rust: `//!` is the module doc; `///` through attributes is an item doc, a plain comment is none', () => {
    expect(docs('src/lib.rs')).toEqual({ header: 'Semantic versions for crates.', defs: { Version: 'A parsed version.', plain: undefined } });
  });

  it('Go: the package comment, not the licence above it', () => {
    expect(docs('list/list.go')).toEqual({ header: 'Package list implements a doubly linked list.', defs: { Element: 'Element is an element of a linked list.' } });
  });

  it('C: a block comment above a function is its doc; a preprocessor line above is none', () => {
    const d = docs('zpipe.c');
    expect(d.defs).toEqual({ def: 'Compress from file source to file dest until EOF on source. def() returns Z_OK on success.', after_include: undefined });
    expect(d.header).toBe("zpipe.c: example of proper use of zlib's inflate() and deflate() Not copyrighted -- provided to the public domain");
  });

  it('Java: Javadoc tags dropped and inline code read as text; the licence is no header doc', () => {
    expect(docs('src/Atomic.java')).toEqual({ header: undefined, defs: { Atomic: 'An int value that may be updated atomically.' } });
  });
});
