/** The facts a target definition yields: plain data, the same shape for every language. */

export interface ImportBinding {
  /** The local name the import binds. */
  name: string;
  module: string;
}

export type ReturnShape =
  | { kind: 'identifier'; name: string }
  | { kind: 'call'; callee: string }
  | { kind: 'new'; ctor: string }
  | { kind: 'object'; keys: string[] }
  | { kind: 'array' }
  | { kind: 'boolean' }
  | { kind: 'this' }
  | { kind: 'literal' }
  | { kind: 'other' };

export type Check =
  | { kind: 'typeof'; subject: string; type: string }
  | { kind: 'missing'; subject: string }
  | { kind: 'array'; subject: string }
  | { kind: 'instanceof'; subject: string; ctor: string };

/**
 * What a definition is beyond its `kind`, in the language's own word: `struct`, `enum`, `trait`,
 * `impl`, `interface`, `record`, `union` (all of kind `class`: a type with members), `type` (an
 * alias or named type), `module`, `macro` (kind `other`).
 */
export type DefinitionForm = 'class' | 'struct' | 'enum' | 'trait' | 'impl' | 'interface' | 'record' | 'union' | 'annotation' | 'type' | 'module' | 'macro';

export interface TargetFacts {
  name?: string;
  kind: 'function' | 'class' | 'method' | 'constant' | 'other';
  /** The language's word for the definition, where `kind` says less (see `DefinitionForm`). */
  form?: DefinitionForm;
  /**
   * The type a method or impl block belongs to, where the target says it: a Go receiver's type,
   * a Rust impl's type, a C++ `Type::method` scope.
   */
  owner?: string;
  params: string[];
  isAsync: boolean;
  isGenerator: boolean;
  isExported: boolean;
  /**
   * First sentence of the doc comment above the target, when there is one: text written before
   * the target, so a step may state it.
   */
  doc?: string;
  /**
   * First sentence of the definition's own doc, wherever it lies: the doc comment right above it
   * (JSDoc, Javadoc, Rust `///`, Go and C comment lines) or its Python docstring. When it lies
   * inside the target (a docstring always does, a doc comment does when the chunk holds it) it is
   * part of the answer: hindsight to understand the target, never text to state. Equal to `doc`
   * when the doc lies before the target.
   */
  definitionDoc?: string;
  /** Every identifier-like token of the target, with its count. */
  identifiers: Map<string, number>;
  /** Names declared inside (variables, inner functions), in order. */
  locals: string[];
  /**
   * Every name the target binds itself: parameters (its own and its inner functions'), variables,
   * destructured names, loop variables, caught errors. Whatever the known names, these are the
   * target's: a step that names them restates the answer.
   */
  bound: string[];
  /** Callees (`f`, `a.b`, `a.b.c`; Rust and C++ paths keep `::`), in order of first call. */
  calls: string[];
  /** Types constructed: `new X`, Rust `X::new` and `X { .. }`, Go `X{..}`, Python `X(..)`. */
  constructs: string[];
  /** `object.property` pairs read or written, object an identifier or `this`/`self`. */
  members: string[];
  dependencies: ImportBinding[];
  control: { branches: number; loops: number; switches: number; tries: number; throws: number; awaits: number; returns: number; yields: number };
  /** Loop subjects: what `for ... of/in` iterates. */
  iterates: string[];
  cases: string[];
  checks: Check[];
  /**
   * Errors the target raises or hands back: thrown or raised classes, a Java `throws` clause, Rust
   * `Err(..)` payload types, Go error types and sentinel errors it returns.
   */
  errors: string[];
  returns: ReturnShape[];
  methods: string[];
  extends?: string;
  strings: string[];
}

export function emptyFacts(identifiers: Map<string, number>): TargetFacts {
  return {
    kind: 'other',
    params: [],
    isAsync: false,
    isGenerator: false,
    isExported: false,
    identifiers,
    locals: [],
    bound: [],
    calls: [],
    constructs: [],
    members: [],
    dependencies: [],
    control: { branches: 0, loops: 0, switches: 0, tries: 0, throws: 0, awaits: 0, returns: 0, yields: 0 },
    iterates: [],
    cases: [],
    checks: [],
    errors: [],
    returns: [],
    methods: [],
    strings: [],
  };
}

export function pushOnce(list: string[], value: string, max = 64): void {
  if (list.length < max && !list.includes(value)) list.push(value);
}
