/**
 * Query patterns for imports (and a few definitions the tags queries lack), per language. Capture names say what was captured:
 * `import.<kind>` (an ImportKind; the node is the specifier or the whole statement, see extract.ts),
 * `package` (Go and Java package names), and `@name` where a predicate needs the callee's name
 * (checked in extraction, see grammars.ts).
 */
import type { LanguageId } from './types.ts';

const script = `
(import_statement source: (string (string_fragment) @import.static)) @import.statement
(export_statement source: (string (string_fragment) @import.reexport))
(call_expression function: (import) arguments: (arguments . (string (string_fragment) @import.dynamic)))
(call_expression function: (identifier) @name arguments: (arguments . (string (string_fragment) @import.require) .) (#eq? @name "require"))
`;

/**
 * Definitions the tags queries miss that an agent needs in its context: module-level constants
 * (exported or not), and TypeScript's type aliases and enums.
 */
const scriptDefinitions = `
(program (lexical_declaration (variable_declarator name: (identifier) @name) @definition.constant))
(program (export_statement (lexical_declaration (variable_declarator name: (identifier) @name) @definition.constant)))
`;

const typescriptOnly = `
(import_require_clause source: (string (string_fragment) @import.require))
(type_alias_declaration name: (type_identifier) @name) @definition.type
(enum_declaration name: (identifier) @name) @definition.enum
`;

const byLanguage: Readonly<Record<LanguageId, string>> = {
  javascript: script + scriptDefinitions,
  typescript: script + scriptDefinitions + typescriptOnly,
  tsx: script + scriptDefinitions + typescriptOnly,
  python: `
(import_statement) @import.python
(import_from_statement) @import.python-from
`,
  go: `
(import_spec path: (_) @import.go)
(package_clause (package_identifier) @package)
`,
  // `mod x;` inside a macro's tokens too: `cfg_if! { if #[cfg(unix)] { mod unix; } }` is how
  // crates pick a platform's module.
  rust: `
(mod_item name: (identifier) @import.rust-mod !body)
(token_tree "mod" @import.rust-mod)
(use_declaration argument: (_) @import.rust-use)
(extern_crate_declaration name: (identifier) @import.rust-extern)
`,
  // Type uses beyond the tags' (`new X()`, `extends`, `implements`): declarations, generics,
  // annotations, and static members (`X.of()`, `X.MAX`) — a class of the file's own package is
  // used without an import, so these are the only trace of that dependency.
  java: `
(import_declaration) @import.java
(package_declaration (_) @package)
(enum_declaration name: (identifier) @name) @definition.enum
(record_declaration name: (identifier) @name) @definition.class
(type_identifier) @name @reference.type
(marker_annotation name: (identifier) @name) @reference.type
(annotation name: (identifier) @name) @reference.type
(method_invocation object: (identifier) @name (#match? @name "^[A-Z]")) @reference.type
(field_access object: (identifier) @name (#match? @name "^[A-Z]")) @reference.type
`,
  // Macros with a value (a header guard's bare `#define X_H` defines nothing to use).
  c: `
(preproc_include path: (_) @import.include)
(preproc_def name: (identifier) @name value: (_)) @definition.macro
(preproc_function_def name: (identifier) @name) @definition.macro
`,
  // A template specialization (class allocator<void> {..}): the tags query only names plain classes,
  // so the specialization's members would pass for top-level functions.
  cpp: `
(preproc_include path: (_) @import.include)
(preproc_def name: (identifier) @name value: (_)) @definition.macro
(preproc_function_def name: (identifier) @name) @definition.macro
(class_specifier name: (template_type name: (type_identifier) @name) body: (_)) @definition.class
(struct_specifier name: (template_type name: (type_identifier) @name) body: (_)) @definition.class
`,
};

export function importPatterns(id: LanguageId): string {
  return byLanguage[id];
}
