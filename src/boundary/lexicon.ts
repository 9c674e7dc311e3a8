/**
 * What every engineer of a language knows before writing a line: its keywords and the names its
 * runtime provides everywhere (builtins, primitive types, the prelude). Naming these states nothing
 * about the file to come, so the boundary treats them as known. The lists are short on purpose:
 * a name left out is merely treated as the file's own (stricter), never the other way round.
 */
import type { LanguageId } from '../graph/types.ts';

const words = (s: string): string[] => s.split(/\s+/).filter(Boolean);

const JS_KEYWORDS = words(`
  break case catch class const continue debugger default delete do else export extends finally for function if import in
  instanceof let new return super switch this throw try typeof var void while with yield await
  true false null undefined NaN Infinity arguments`);
/** Contextual words: known to every engineer, yet valid names (`function set`), so no keyword. */
const JS_CONTEXTUAL = words(`async of static get set`);
const TS_KEYWORDS = words(`enum implements interface private protected public`);
const TS_CONTEXTUAL = words(`
  abstract as asserts declare keyof namespace never readonly type unknown any boolean number string symbol bigint
  object override satisfies infer is module unique accessor`);
const JS_AMBIENT = words(`
  Array ArrayBuffer BigInt Boolean DataView Date Error EvalError Float32Array Float64Array Function Int8Array Int16Array
  Int32Array JSON Map Math Number Object Promise Proxy RangeError ReferenceError Reflect RegExp Set String Symbol
  SyntaxError TypeError URIError URL URLSearchParams Uint8Array Uint16Array Uint32Array WeakMap WeakSet WeakRef
  AbortController AbortSignal TextDecoder TextEncoder Buffer console process require module exports globalThis window
  document setTimeout clearTimeout setInterval clearInterval setImmediate queueMicrotask structuredClone fetch
  parseInt parseFloat isNaN isFinite encodeURIComponent decodeURIComponent __dirname __filename
  Partial Required Readonly Record Pick Omit Exclude Extract NonNullable ReturnType Parameters InstanceType Awaited
  PromiseLike Iterable Iterator AsyncIterable ReadonlyArray length prototype constructor toString valueOf`);

const PY_KEYWORDS = words(`
  False None True and as assert async await break class continue def del elif else except finally for from global if
  import in is lambda nonlocal not or pass raise return try while with yield match case self cls`);
const PY_AMBIENT = words(`
  abs all any ascii bin bool breakpoint bytearray bytes callable chr classmethod compile complex delattr dict dir divmod
  enumerate eval exec filter float format frozenset getattr globals hasattr hash help hex id input int isinstance
  issubclass iter len list locals map max memoryview min next object oct open ord pow print property range repr
  reversed round set setattr slice sorted staticmethod str sum super tuple type vars zip __init__ __name__ __main__
  __all__ __doc__ __file__ __repr__ __str__ __eq__ __hash__ __len__ __iter__ __enter__ __exit__ __call__ __class__
  Exception BaseException ValueError TypeError KeyError IndexError AttributeError RuntimeError NotImplementedError
  NotImplemented StopIteration OSError IOError ImportError LookupError ArithmeticError ZeroDivisionError
  AssertionError UnicodeError UnicodeDecodeError UnicodeEncodeError FileNotFoundError PermissionError TimeoutError
  KeyboardInterrupt SystemExit Warning DeprecationWarning UserWarning Ellipsis`);

const GO_KEYWORDS = words(`
  break case chan const continue default defer else fallthrough for func go goto if import interface map package range
  return select struct switch type var true false nil iota`);
const GO_AMBIENT = words(`
  append cap clear close complex copy delete imag len make max min new panic print println real recover
  bool byte complex64 complex128 error float32 float64 int int8 int16 int32 int64 rune string uint uint8 uint16
  uint32 uint64 uintptr any comparable Error String`);

const RUST_KEYWORDS = words(`
  as async await break const continue crate dyn else enum extern false fn for if impl in let loop match mod move mut pub
  ref return self Self static struct super trait true type unsafe use where while union macro_rules`);
const RUST_AMBIENT = words(`
  bool char f32 f64 i8 i16 i32 i64 i128 isize u8 u16 u32 u64 u128 usize str String Vec Box Option Some None Result Ok Err
  Rc Arc Cell RefCell HashMap HashSet BTreeMap BTreeSet Default Clone Copy Debug Display PartialEq Eq PartialOrd Ord
  Hash Iterator IntoIterator From Into AsRef AsMut Drop Fn FnMut FnOnce Send Sync Sized ToString ToOwned Deref
  println print eprintln format vec panic assert assert_eq assert_ne debug_assert unreachable unimplemented todo
  write writeln derive cfg test std core alloc new len iter clone unwrap expect`);

const JAVA_KEYWORDS = words(`
  abstract assert boolean break byte case catch char class const continue default do double else enum extends final
  finally float for goto if implements import instanceof int interface long native new package private protected public
  return short static strictfp super switch synchronized this throw throws transient try void volatile while var record
  sealed permits yield true false null`);
const JAVA_AMBIENT = words(`
  Object String StringBuilder Integer Long Double Float Boolean Character Byte Short Math System Thread Runnable
  Exception RuntimeException Error Throwable IllegalArgumentException IllegalStateException NullPointerException
  IndexOutOfBoundsException UnsupportedOperationException IOException Override Deprecated SuppressWarnings
  FunctionalInterface List ArrayList Map HashMap Set HashSet Collection Collections Arrays Iterator Iterable Optional
  Comparable Comparator Objects Class Void Number CharSequence equals hashCode toString length size get out println`);

const C_KEYWORDS = words(`
  auto break case char const continue default do double else enum extern float for goto if inline int long register
  restrict return short signed sizeof static struct switch typedef union unsigned void volatile while _Bool _Complex
  _Atomic _Static_assert _Noreturn _Alignas _Alignof _Generic _Thread_local include define ifdef ifndef endif elif
  undef pragma error line defined`);
const CPP_KEYWORDS = words(`
  alignas alignof and asm bool catch char16_t char32_t char8_t class concept consteval constexpr constinit const_cast
  co_await co_return co_yield decltype delete dynamic_cast explicit export false friend mutable namespace new noexcept
  not nullptr operator or private protected public reinterpret_cast requires static_assert static_cast template this
  thread_local throw true try typeid typename using virtual wchar_t override final`);
const C_AMBIENT = words(`
  NULL EOF size_t ssize_t ptrdiff_t intptr_t uintptr_t int8_t int16_t int32_t int64_t uint8_t uint16_t uint32_t
  uint64_t bool true false FILE stdin stdout stderr errno malloc calloc realloc free memcpy memmove memset memcmp strlen
  strcmp strncmp strcpy strncpy strcat strchr strrchr strstr strdup sprintf snprintf printf fprintf vfprintf puts
  fputs fopen fclose fread fwrite fflush exit abort assert va_list va_start va_end va_arg std string vector map cout
  cerr endl unique_ptr shared_ptr make_unique make_shared move`);

function set(...lists: string[][]): ReadonlySet<string> {
  return new Set(lists.flat());
}

const KEYWORDS: Record<LanguageId, ReadonlySet<string>> = {
  javascript: set(JS_KEYWORDS),
  typescript: set(JS_KEYWORDS, TS_KEYWORDS),
  tsx: set(JS_KEYWORDS, TS_KEYWORDS),
  python: set(PY_KEYWORDS),
  go: set(GO_KEYWORDS),
  rust: set(RUST_KEYWORDS),
  java: set(JAVA_KEYWORDS),
  c: set(C_KEYWORDS),
  cpp: set(C_KEYWORDS, CPP_KEYWORDS),
};

const AMBIENT: Record<LanguageId, ReadonlySet<string>> = {
  javascript: set(JS_AMBIENT, JS_CONTEXTUAL),
  typescript: set(JS_AMBIENT, JS_CONTEXTUAL, TS_CONTEXTUAL),
  tsx: set(JS_AMBIENT, JS_CONTEXTUAL, TS_CONTEXTUAL),
  python: set(PY_AMBIENT),
  go: set(GO_AMBIENT),
  rust: set(RUST_AMBIENT),
  java: set(JAVA_AMBIENT),
  c: set(C_AMBIENT),
  cpp: set(C_AMBIENT),
};

/** A reserved word of the language (or a preprocessor word in C and C++). */
export function isKeyword(language: LanguageId | null, name: string): boolean {
  return language !== null && KEYWORDS[language].has(name);
}

/** Known to anyone who writes the language: a keyword, a builtin, a primitive type, the prelude. */
export function isAmbient(language: LanguageId | null, name: string): boolean {
  if (language === null) return false;
  return KEYWORDS[language].has(name) || AMBIENT[language].has(name);
}
