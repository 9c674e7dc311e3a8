/**
 * Documents in prose (Markdown, reStructuredText, AsciiDoc, plain text, HTML pages): which files are, where
 * their sections start, where a section may be cut (at a paragraph, never inside a fenced or an
 * indented block), and what a piece of one holds (headings, paragraphs, lists, tables, code
 * examples, the code names it mentions). The chunker cuts a long document at these lines; the
 * grounded proposer says what a piece is for from these facts, never in the piece's own words.
 *
 * Data and configuration (JSON, YAML, TOML, lock files, CSV) are not prose: they are written whole.
 */

/** Extensions of prose documents; `.txt` is prose only when its lines read as sentences. */
const PROSE_EXTENSIONS = /\.(md|markdown|mdx|mdown|rst|rest|adoc|asciidoc|org|textile|rdoc|txt)$/i;
/** The names documents conventionally have when they have no extension. */
const PROSE_NAMES = /^(readme|changelog|changes|history|news|contributing|contributors|authors|license|licence|copying|notice|install|todo|security|support|code_of_conduct|hacking|thanks|faq)$/i;

/** Whether most of the text's lines read as sentences (three words or more): a `.txt` that is a list of packages does not. */
function readsAsProse(text: string): boolean {
  const lines = text.split('\n').filter((l) => l.trim().length > 0).slice(0, 200);
  if (lines.length === 0) return false;
  const sentences = lines.filter((l) => (l.match(/[A-Za-z]{2,}/g) ?? []).length >= 3).length;
  return sentences * 2 >= lines.length;
}

/** An HTML page: prose in markup, read by its block tags. */
export const isHtmlPath = (path: string): boolean => /\.(html?|xhtml)$/i.test(path);

/** Whether `path` is a prose document (`content`, when given, decides for `.txt`). */
export function isProsePath(path: string, content?: string): boolean {
  const base = path.split('/').pop() ?? path;
  if (isHtmlPath(base)) return true;
  if (PROSE_EXTENSIONS.test(base)) return !/\.txt$/i.test(base) || content === undefined || readsAsProse(content);
  return PROSE_NAMES.test(base.replace(/[-_.](md|txt)$/i, ''));
}

const FENCE = /^\s{0,3}(`{3,}|~{3,})\s*([\w+#.-]*)/;
const ATX = /^\s{0,3}(#{1,6})(\s|$)/;
/** An underline (reStructuredText, Markdown's setext): one punctuation character, repeated. */
const UNDERLINE = /^([=\-`:'"~^_*+#<>.])\1{2,}\s*$/;
const LIST_ITEM = /^\s*([-*+]|\d+[.)])\s+\S/;
const TABLE_ROW = /^\s*\|.*\|\s*$/;

/** How each line of a document reads: inside a fence, a heading's first line (and its level), a break before. */
export interface ProseLine {
  /** Inside a fenced code block (its fences included). */
  fenced: boolean;
  /** The line opens a heading (an ATX heading, or the title line of an underlined one, or its overline). */
  heading?: number;
  /** A piece may start at this line: it follows a blank line, starts at the margin, and is not inside a fence. */
  paragraph: boolean;
}

/** Tags that open a block of an HTML page: a piece may start at one. */
const HTML_BLOCK = /^\s*<(p|h[1-6]|pre|ul|ol|li|table|tr|div|section|article|hr|blockquote|dl|dt|dd|header|footer|nav|center|form|img|!--)[\s>/]/i;
/** Blocks whose lines are code or verbatim text, never cut: the fences of a page. */
const HTML_VERBATIM = /<(pre|script|style|textarea)\b/i;

/** The lines of an HTML page read as prose (`ProseLine`): block tags start pieces, `<pre>` is a fence. */
function htmlLines(lines: readonly string[]): ProseLine[] {
  const out: ProseLine[] = lines.map(() => ({ fenced: false, paragraph: false }));
  let open: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (open !== undefined) {
      out[i]!.fenced = true;
      if (new RegExp(`</${open}\\s*>`, 'i').test(l)) open = undefined;
      continue;
    }
    const blankBefore = i === 0 || lines[i - 1]!.trim() === '';
    out[i]!.paragraph = HTML_BLOCK.test(l) || (blankBefore && /^\S/.test(l));
    const h = /^\s*<h([1-6])\b/i.exec(l);
    if (h) out[i]!.heading = Number(h[1]);
    const v = HTML_VERBATIM.exec(l);
    if (v && !new RegExp(`</${v[1]}\\s*>`, 'i').test(l.slice(v.index))) {
      open = v[1]!.toLowerCase();
      out[i]!.fenced = true;
    }
  }
  return out;
}

/** Each line of `lines` read as prose: see `ProseLine`. `html`: the lines of an HTML page. */
export function proseLines(lines: readonly string[], html = false): ProseLine[] {
  if (html) return htmlLines(lines);
  const out: ProseLine[] = lines.map(() => ({ fenced: false, paragraph: false }));
  let fence: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const f = FENCE.exec(l);
    if (fence !== undefined) {
      out[i]!.fenced = true;
      if (f && f[1]![0] === fence[0] && f[1]!.length >= fence.length && f[2] === '') fence = undefined;
      continue;
    }
    if (f) {
      fence = f[1]!;
      out[i]!.fenced = true;
    }
    const blankBefore = i === 0 || lines[i - 1]!.trim() === '';
    const atMargin = /^\S/.test(l);
    if (blankBefore && atMargin) out[i]!.paragraph = true;
    if (out[i]!.fenced) continue;
    const atx = ATX.exec(l);
    if (atx) {
      out[i]!.heading = atx[1]!.length;
      out[i]!.paragraph = atMargin || out[i]!.paragraph;
      continue;
    }
    // An underlined title: a line of text, the underline right below it (and maybe an overline above).
    const next = lines[i + 1];
    if (l.trim().length > 0 && !UNDERLINE.test(l) && next !== undefined && UNDERLINE.test(next) && next.trim().length >= Math.min(3, l.trim().length) && blankBefore) {
      out[i]!.heading = /^=/.test(next) ? 1 : 2;
      out[i]!.paragraph = true;
    } else if (UNDERLINE.test(l) && next !== undefined && next.trim().length > 0 && UNDERLINE.test(lines[i + 2] ?? '') && blankBefore) {
      out[i]!.heading = 1;
      out[i]!.paragraph = true;
    }
  }
  // The title line of an overlined heading is not a section of its own.
  for (let i = 1; i < out.length; i++) if (out[i - 1]!.heading !== undefined && UNDERLINE.test(lines[i - 1]!) && out[i]!.heading !== undefined) delete out[i]!.heading;
  return out;
}

/** A line that starts a list item (at any depth). */
export function isListStart(line: string): boolean {
  return LIST_ITEM.test(line);
}

/** A row of a Markdown table (its rule line included). */
export function isTableRow(line: string): boolean {
  return TABLE_ROW.test(line);
}

/** What a piece of a document holds, read off its lines. */
export interface ProseFacts {
  /** Heading levels of the headings the piece holds, in order. */
  headings: number[];
  /** The headings' texts: what is said about the piece never states them. */
  headingTexts: string[];
  /** Whether the piece starts with a heading (else it goes on with the section before). */
  opensSection: boolean;
  paragraphs: number;
  listItems: number;
  tableRows: number;
  /** Fenced code examples, each with its fence's language (lower case), when it names one. */
  examples: Array<{ language?: string; lines: number }>;
  links: number;
  images: number;
  /** Names in inline code spans and in the code examples, in order of first appearance (dotted chains kept). */
  codeNames: string[];
  /** Path-shaped words (`lib/command.js`, `setup.py`), in order. */
  paths: string[];
  lines: number;
}

const NAME = /[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*/g;
/** A code span that is one name: `Command`, `.option()`, `program.parse(argv)`, `--help` is none. */
const SPAN_NAME = /^\s*(?:new\s+)?\.?([A-Za-z_$][\w$]*(?:(?:\.|::)[A-Za-z_$][\w$]*)*)(?:\(.*\))?;?\s*$/;

function spanName(span: string): string | undefined {
  const m = SPAN_NAME.exec(span);
  return m ? m[1]!.replace(/::/g, '.') : undefined;
}

/**
 * The names a line of example code uses as code: dotted chains, calls, what `new` builds and what
 * an import binds, its strings and comments left out — a word in a comment is prose.
 */
function exampleNames(line: string): string[] {
  const code = line
    .replace(/(["'`])(?:\\.|(?!\1).)*\1/g, ' ')
    .replace(/(^|\s)(\/\/|#\s|--\s).*$/, ' ')
    .replace(/\/\*.*?\*\//g, ' ');
  const out: string[] = [];
  for (const m of code.matchAll(NAME)) {
    const name = m[0];
    const before = code.slice(0, m.index!);
    const after = code.slice(m.index! + name.length);
    if (name.includes('.') || /^\s*\(/.test(after) || /\bnew\s+$/.test(before)) out.push(name);
  }
  // `import { a, b as c } from`, `const { a } = require(`, `from m import a, b`
  const bound = /\{([^}]*)\}\s*(?:=|from\b)/.exec(code)?.[1] ?? /^\s*from\s+\S+\s+import\s+(.+)$/.exec(code)?.[1];
  for (const part of bound?.split(',') ?? []) {
    const n = /^\s*([A-Za-z_$][\w$]*)/.exec(part)?.[1];
    if (n) out.push(n);
  }
  return out;
}

/** Fences whose content is not code that names definitions: a shell session, output, data. */
const NOT_CODE = /^(sh|bash|shell|console|zsh|shellsession|powershell|bat|cmd|text|txt|plain|output|json|ya?ml|toml|ini|csv|diff|log)$/;
const PATH = /(?:^|[\s(`'"])((?:[\w.-]+\/)*[\w-]+\.(?:js|mjs|cjs|ts|tsx|jsx|py|go|rs|java|c|h|cc|cpp|hpp|rb|json|toml|ya?ml|md|rst|txt))(?=$|[\s)`'",.:;])/g;

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'", nbsp: ' ' };
const untagged = (html: string): string => html.replace(/<[^>]*>/g, ' ').replace(/&(\w+);/g, (m, e: string) => ENTITIES[e] ?? m);

/** The facts of one piece of an HTML page (see `proseFacts`). */
function htmlFacts(text: string): ProseFacts {
  const lines = text.replace(/\n$/, '').split('\n');
  const read = htmlLines(lines);
  const facts: ProseFacts = { headings: [], headingTexts: [], opensSection: false, paragraphs: 0, listItems: 0, tableRows: 0, examples: [], links: 0, images: 0, codeNames: [], paths: [], lines: lines.length };
  const names = new Set<string>();
  const addName = (n: string | undefined) => {
    if (n && !names.has(n)) {
      names.add(n);
      facts.codeNames.push(n);
    }
  };
  const firstText = lines.findIndex((l) => l.trim().length > 0);
  facts.opensSection = firstText >= 0 && read[firstText]!.heading !== undefined;
  let example: { lines: number } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (read[i]!.fenced) {
      if (!example) facts.examples.push((example = { lines: 0 }));
      example.lines++;
      for (const n of exampleNames(untagged(l))) addName(n);
      continue;
    }
    example = undefined;
    for (const h of l.matchAll(/<h([1-6])\b[^>]*>(.*?)(<\/h\1>|$)/gi)) {
      facts.headings.push(Number(h[1]));
      facts.headingTexts.push(untagged(h[2]!).replace(/\s+/g, ' ').trim());
    }
    facts.paragraphs += (l.match(/<p[\s>]/gi) ?? []).length;
    facts.listItems += (l.match(/<li[\s>]/gi) ?? []).length;
    facts.tableRows += (l.match(/<tr[\s>]/gi) ?? []).length;
    facts.links += (l.match(/<a\s[^>]*href/gi) ?? []).length;
    facts.images += (l.match(/<img[\s>]/gi) ?? []).length;
    for (const c of l.matchAll(/<(code|tt|var|kbd)>([^<]*)<\/\1>/gi)) addName(spanName(untagged(c[2]!)));
  }
  const paths = new Set<string>();
  for (const m of untagged(text).matchAll(PATH)) paths.add(m[1]!);
  facts.paths = [...paths];
  return facts;
}

/** The facts of one piece of a document. `html`: a piece of an HTML page. */
export function proseFacts(text: string, html = false): ProseFacts {
  if (html) return htmlFacts(text);
  const lines = text.replace(/\n$/, '').split('\n');
  const read = proseLines(lines);
  const facts: ProseFacts = { headings: [], headingTexts: [], opensSection: false, paragraphs: 0, listItems: 0, tableRows: 0, examples: [], links: 0, images: 0, codeNames: [], paths: [], lines: lines.length };
  const names = new Set<string>();
  const addName = (n: string) => {
    const name = n.replace(/^\.+|\.+$/g, '');
    if (name.length > 0 && !names.has(name)) {
      names.add(name);
      facts.codeNames.push(name);
    }
  };
  const paths = new Set<string>();
  const firstText = lines.findIndex((l) => l.trim().length > 0);
  facts.opensSection = firstText >= 0 && read[firstText]!.heading !== undefined;
  let fence: string | undefined;
  let example: { language?: string; lines: number } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const r = read[i]!;
    const f = FENCE.exec(l);
    if (fence !== undefined && example) {
      if (f && f[1]![0] === fence[0] && f[1]!.length >= fence.length && f[2] === '') fence = undefined;
      else {
        example.lines++;
        if (!NOT_CODE.test(example.language ?? '')) for (const n of exampleNames(l)) addName(n);
      }
      continue;
    }
    if (f) {
      fence = f[1]!;
      example = { lines: 0 };
      if (f[2]) example.language = f[2].toLowerCase();
      facts.examples.push(example);
      continue;
    }
    if (r.heading !== undefined) {
      facts.headings.push(r.heading);
      facts.headingTexts.push(l.replace(ATX, '').replace(/#+\s*$/, '').trim());
    } else if (UNDERLINE.test(l)) continue;
    else if (TABLE_ROW.test(l)) {
      if (!/^\s*\|[\s:|-]+\|\s*$/.test(l)) facts.tableRows++;
    } else if (LIST_ITEM.test(l)) facts.listItems++;
    else if (r.paragraph && l.trim().length > 0) facts.paragraphs++;
    facts.images += (l.match(/!\[[^\]]*\]\(/g) ?? []).length;
    facts.links += (l.match(/(?<!!)\[[^\]]*\]\([^)]*\)/g) ?? []).length + (l.match(/`[^`]+<[^>]+>`_/g) ?? []).length;
    for (const span of l.matchAll(/``?([^`]+)``?/g)) {
      const n = spanName(span[1]!);
      if (n) addName(n);
    }
    for (const m of l.matchAll(PATH)) {
      if (!paths.has(m[1]!)) {
        paths.add(m[1]!);
        facts.paths.push(m[1]!);
      }
    }
  }
  return facts;
}

/** A fence's language as a reader names it (`js` -> JavaScript); undefined for one it does not know. */
export function exampleLanguage(tag: string | undefined): string | undefined {
  if (!tag) return undefined;
  const names: Record<string, string> = {
    // `JavaScript` reads as a name (camel case) to the boundary: the short forms are words.
    js: 'JS', javascript: 'JS', mjs: 'JS', cjs: 'JS', jsx: 'JS',
    ts: 'TS', typescript: 'TS', tsx: 'TS',
    py: 'Python', python: 'Python', python3: 'Python', pycon: 'Python',
    go: 'Go', golang: 'Go', rs: 'Rust', rust: 'Rust', java: 'Java', c: 'C', h: 'C', cpp: 'C++', 'c++': 'C++', cc: 'C++',
    sh: 'shell', bash: 'shell', shell: 'shell', console: 'shell', zsh: 'shell', shellsession: 'shell', powershell: 'shell', bat: 'shell', cmd: 'shell',
    json: 'JSON', yaml: 'YAML', yml: 'YAML', toml: 'TOML', html: 'HTML', xml: 'XML', css: 'CSS', sql: 'SQL', diff: 'diff', text: 'plain text', txt: 'plain text',
  };
  return names[tag.toLowerCase()];
}
