/**
 * Data and configuration written whole (a JSON manifest, an SVG figure, a YAML workflow): what the
 * grounded proposer can say before one, inside the knowledge boundary. Its facts come from its own
 * content, read as structure — how many fields, entries, elements of each kind, what made it —
 * and its role from its path (a manifest, compiler settings, a figure of the docs, a test
 * fixture): never its keys or values unless they are known (a manifest's first lines are in the
 * brief), and the proposer's filter holds every wording to the boundary anyway.
 */
import { about } from './count-words.ts';
import { untrainedReason } from '../../dataset/trainable.ts';
import type { FactItem } from '../grounded-proposer.ts';
import { capitalized, pathWordsOf } from '../name-words.ts';

const DATA_EXTENSIONS = /\.(json|json5|jsonc|webmanifest|svg|xml|ya?ml|toml)$/i;

/** Whether a file of no language is data this proposer describes: structured data that is trained on (no lock file, no large data). */
export function isDataPath(path: string, content: string): boolean {
  const base = path.split('/').pop() ?? path;
  return DATA_EXTENSIONS.test(base) && untrainedReason(path, content) === null;
}

function counted(n: number, word: string, plural = `${word}s`): string {
  return n === 1 ? `${/^[aeiou]/.test(word) ? 'an' : 'a'} ${word}` : `${about(n)} ${plural}`;
}

function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

const code = (s: string): string => `\`${s}\``;

/** What the file is for, from its path alone (the paths are known: the plan lists them). */
function roleOf(path: string): string | undefined {
  const base = (path.split('/').pop() ?? path).toLowerCase();
  const dirs = path.toLowerCase().split('/').slice(0, -1);
  if (base === 'package.json') return 'the package manifest: what npm needs to install, run and publish it';
  if (/^tsconfig.*\.json$/.test(base)) return 'the settings the type checker and compiler read';
  if (/^\.?eslintrc|^eslint\.config|^\.prettierrc|^biome\.json$/.test(base)) return 'settings for the linter and formatter';
  if (/^(jsconfig|deno|bower|composer|manifest|app)\.json$|\.webmanifest$/.test(base)) return 'settings a tool reads';
  if (dirs.includes('workflows') && /\.ya?ml$/.test(base)) return 'a CI workflow: the jobs that run on every push';
  if (/^(dependabot|\.travis|\.gitlab-ci|appveyor|codecov|\.codecov)\.ya?ml$/.test(base)) return 'settings for a CI or bot service';
  if (/^(cargo|pyproject|rustfmt|clippy|\.?taplo)\.toml$/.test(base)) return 'the build and tool settings';
  if (/\.svg$/.test(base) && dirs.some((d) => /^(docs?|documentation|resources|images?|img|assets|media)$/.test(d))) return 'a figure the documentation shows';
  if (/\.svg$/.test(base)) return 'an image, kept as vector data';
  if (dirs.some((d) => /^(fixtures?|testdata|__fixtures__|test|tests|spec)$/.test(d))) return 'a fixture the tests read';
  return undefined;
}

interface JsonShape {
  kind: 'object' | 'array';
  size: number;
  nested: number;
  arrays: number;
  depth: number;
  /** Of an object: the member with the most entries, and how many. */
  largest?: { key: string; size: number };
  keys: string[];
}

function depthOf(v: unknown): number {
  if (v === null || typeof v !== 'object') return 0;
  const children = Array.isArray(v) ? v : Object.values(v as Record<string, unknown>);
  return 1 + children.reduce<number>((m, c) => Math.max(m, depthOf(c)), 0);
}

function jsonShape(text: string): JsonShape | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (v === null || typeof v !== 'object') return undefined;
  const children = Array.isArray(v) ? v : Object.values(v as Record<string, unknown>);
  const sizeOf = (c: unknown): number => (c !== null && typeof c === 'object' ? (Array.isArray(c) ? c.length : Object.keys(c).length) : 0);
  const shape: JsonShape = {
    kind: Array.isArray(v) ? 'array' : 'object',
    size: children.length,
    nested: children.filter((c) => c !== null && typeof c === 'object' && !Array.isArray(c)).length,
    arrays: children.filter(Array.isArray).length,
    depth: depthOf(v),
    keys: Array.isArray(v) ? [] : Object.keys(v as Record<string, unknown>),
  };
  if (!Array.isArray(v)) {
    const [key, size] = Object.entries(v as Record<string, unknown>).map(([k, c]) => [k, sizeOf(c)] as const).reduce((a, b) => (b[1] > a[1] ? b : a), ['', 0] as const);
    if (size >= 3) shape.largest = { key, size };
  }
  return shape;
}

interface MarkupShape {
  elements: number;
  /** Element counts by tag, most first. */
  tags: Array<[string, number]>;
  /** An editor's source embedded in the file (draw.io's `mxfile`, Inkscape's namespace). */
  editor?: string;
  fills: number;
}

function markupShape(text: string): MarkupShape {
  const counts = new Map<string, number>();
  let elements = 0;
  for (const m of text.matchAll(/<([A-Za-z][\w:.-]*)/g)) {
    elements++;
    const tag = m[1]!.replace(/^\w+:/, '');
    counts.set(tag, (counts.get(tag) ?? 0) + 1);
  }
  const fills = new Set([...text.matchAll(/\bfill(?:="|:\s*)(#[0-9a-fA-F]{3,8}|rgb\([^)]*\))/g)].map((m) => m[1]!.toLowerCase())).size;
  const shape: MarkupShape = { elements, tags: [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)), fills };
  if (/mxfile|mxGraphModel/.test(text)) shape.editor = 'a diagram editor, with the editable diagram embedded in an attribute';
  else if (/inkscape/i.test(text.slice(0, 4000))) shape.editor = 'Inkscape, with its editing metadata kept';
  else if (/Adobe Illustrator/i.test(text.slice(0, 4000))) shape.editor = 'Illustrator';
  return shape;
}

/** What SVG's elements are, in words. */
const SVG_WORDS: Record<string, [string, string]> = {
  path: ['path', 'paths'],
  g: ['group', 'groups'],
  rect: ['rectangle', 'rectangles'],
  circle: ['circle', 'circles'],
  ellipse: ['ellipse', 'ellipses'],
  line: ['line', 'lines'],
  polygon: ['polygon', 'polygons'],
  polyline: ['polyline', 'polylines'],
  text: ['text label', 'text labels'],
  foreignObject: ['block of embedded HTML', 'blocks of embedded HTML'],
  linearGradient: ['linear gradient', 'linear gradients'],
  radialGradient: ['radial gradient', 'radial gradients'],
  image: ['embedded image', 'embedded images'],
  use: ['reused symbol', 'reused symbols'],
  switch: ['switch with a fallback', 'switches with a fallback'],
};

/** Every statement the proposer can make before a data file; `said` as in the grounded proposer's items. */
export function dataItems(text: string, path: string): FactItem[] {
  const items: FactItem[] = [];
  const add = (id: string, names: string[], wordings: Array<string | undefined>): void => {
    const kept = wordings.filter((w): w is string => w !== undefined);
    if (kept.length > 0) items.push({ id, names, wordings: kept });
  };
  const role = roleOf(path);
  const words = pathWordsOf(path);
  const lines = text.split('\n').length;
  const size = about(text.length);
  if (role) {
    add('data-role', [], [
      `${capitalized(role)}: ${code(path)} is data, written whole.`,
      words ? `The ${words} file is ${role}.` : undefined,
      `Why the repository has ${code(path)}: it is ${role}.`,
    ]);
  }
  const ext = (path.split('.').pop() ?? '').toLowerCase();
  if (/^(json|json5|jsonc|webmanifest)$/.test(ext)) jsonItems(text, path, add);
  else if (ext === 'svg' || ext === 'xml') markupItems(text, ext, add);
  else {
    const top = text.split('\n').filter((l) => /^[A-Za-z_"'[][^\s:=]*\s*[:=[]/.test(l)).length;
    add('data-shape', [], [
      top > 1 ? `${capitalized(counted(top, 'top-level entry', 'top-level entries'))}, over ${counted(lines, 'line')}: settings as data, nothing that runs.` : undefined,
      `${capitalized(counted(lines, 'line'))} of ${ext.toUpperCase()}, ${size} characters: settings, written as they are.`,
    ]);
  }
  add('data-size', [], [
    `It is written whole, ${size} characters in one write: data is not cut into parts.`,
    `${capitalized(size)} characters of it go in one write, since a cut would only add writes.`,
  ]);
  return items;
}

type Add = (id: string, names: string[], wordings: Array<string | undefined>) => void;

function jsonItems(text: string, path: string, add: Add): void {
  const shape = jsonShape(text);
  if (!shape) return;
  if (shape.kind === 'array') {
    add('data-shape', [], [
      `A JSON array of ${counted(shape.size, 'entry', 'entries')}${shape.nested > 0 ? `, ${shape.nested === shape.size ? 'each an object' : `${about(shape.nested)} of them objects`}` : ''}.`,
      `${capitalized(counted(shape.size, 'entry', 'entries'))} in one JSON array, nested ${counted(shape.depth, 'level')} deep.`,
    ]);
    return;
  }
  add('data-shape', [], [
    `A JSON object of ${counted(shape.size, 'top-level field')}${shape.nested > 0 ? `, ${about(shape.nested)} of them objects of their own` : ''}${shape.arrays > 0 ? ` and ${counted(shape.arrays, 'array')}` : ''}.`,
    `${capitalized(counted(shape.size, 'field'))} at the top of the JSON, nested ${counted(shape.depth, 'level')} deep at most.`,
  ]);
  // Field names in code spans: offered, and kept only where the boundary knows them (a manifest's first lines).
  const first = shape.keys.slice(0, 6);
  if (first.length >= 2) {
    add('data-keys', first, [
      `Its fields begin ${list(first.map(code))}.`,
      `${list(first.map(code))} ${first.length === 1 ? 'comes' : 'come'} first, as the format expects.`,
    ]);
  }
  if (shape.largest) {
    const { key, size } = shape.largest;
    add('data-largest', [key], [
      `The largest part is ${code(key)}, with ${counted(size, 'entry', 'entries')}.`,
      `${code(key)} holds the most: ${counted(size, 'entry', 'entries')}.`,
    ]);
  }
  if ((path.split('/').pop() ?? '') === 'package.json') {
    let v: Record<string, unknown> = {};
    try {
      v = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    const n = (k: string): number => (v[k] && typeof v[k] === 'object' ? Object.keys(v[k] as object).length : 0);
    const deps = n('dependencies');
    const dev = n('devDependencies');
    const scripts = n('scripts');
    if (deps + dev > 0) {
      add('data-deps', [], [
        `It needs ${counted(deps, 'package')} at run time${dev > 0 ? ` and ${about(dev)} more to develop it: its tests, linting, types and benchmarks` : ''}.`,
        `${capitalized(counted(deps, 'run-time dependency', 'run-time dependencies'))}${dev > 0 ? `, and ${about(dev)} for development` : ''}: what installing it brings in, and what working on it needs.`,
      ]);
    }
    if (scripts > 0) {
      add('data-scripts', [], [
        `${capitalized(counted(scripts, 'script'))} say how it is built, tested and checked: the commands a contributor runs.`,
        `How to test and lint it is in its scripts, ${about(scripts)} of them.`,
      ]);
    }
  }
}

function markupItems(text: string, ext: string, add: Add): void {
  const shape = markupShape(text);
  const said = shape.tags.filter(([t]) => SVG_WORDS[t]).slice(0, 4).map(([t, n]) => `${about(n)} ${n === 1 ? SVG_WORDS[t]![0] : SVG_WORDS[t]![1]}`);
  if (ext === 'svg') {
    add('data-shape', [], [
      said.length > 0 ? `An SVG drawing: ${list(said)}.` : undefined,
      said.length > 0 ? `Vector shapes make it up, ${list(said)}, in ${counted(shape.elements, 'element')} all told.` : undefined,
    ]);
  } else {
    const top = shape.tags.slice(0, 3).map(([t, n]) => `${about(n)} ${code(t)}`);
    add('data-shape', [], [`An XML document of ${counted(shape.elements, 'element')}${top.length > 0 ? `, most of them ${list(top)}` : ''}.`]);
  }
  if (shape.editor) {
    add('data-editor', [], [
      `It was drawn in ${shape.editor}: the file is the editor's export, not written by hand.`,
      `An export from ${shape.editor}; it is kept as the editor wrote it.`,
    ]);
  }
  if (shape.fills > 1) add('data-colours', [], [`${capitalized(counted(shape.fills, 'fill colour'))} set its look.`, `Its colours: ${counted(shape.fills, 'distinct fill')}.`]);
  // A label with a fallback is one label written twice: as HTML and as plain text.
  const labels = Math.max(shape.tags.find(([t]) => t === 'text')?.[1] ?? 0, shape.tags.find(([t]) => t === 'foreignObject')?.[1] ?? 0);
  if (labels > 0 && ext === 'svg') {
    add('data-labels', [], [
      `Its words are ${counted(labels, 'label')} set in the drawing${shape.tags.some(([t]) => t === 'switch') ? ', each as HTML with a plain-text fallback for viewers without it' : ''}.`,
      `The text of the figure sits in ${counted(labels, 'label')}, placed over the shapes.`,
    ]);
  }
}
