import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Knowledge, SequenceGuard } from '../../src/boundary/mod.ts';
import { GroundedProposer } from '../../src/search/mod.ts';
import { stringContent } from '../../src/search/facts/string-content.ts';
import { isDataPath } from '../../src/search/facts/data.ts';
import type { LanguageId } from '../../src/graph/mod.ts';

function proposals(p: GroundedProposer, target: string, seeds = 8, k = 16): string[] {
  const out = new Set<string>();
  for (let seed = 0; seed < seeds; seed++) for (const s of p.proposeSync({ target, context: '', steps: [], k, seed })) out.add(s.text);
  return [...out];
}

/** Every step passes the boundary whose answer is `target`, with `known` the text written before. */
function guardFor(target: string, known: string, language: LanguageId | null): SequenceGuard {
  return new SequenceGuard(new Knowledge(language).addText(known).answer(target));
}

const family = '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}';
const wave = '\u{1F44B}\u{1F3FD}';
const flag = '\u{1F1EB}\u{1F1F7}';
const keycap = '1\uFE0F\u20E3';

describe('what a long string holds', () => {
  it('counts emoji as a reader sees them and their hard cases: joined sequences, skin tones, flags, keycaps', () => {
    const c = stringContent(`${family}${wave}${flag}${keycap}\u{1F600}\u2764\uFE0F`);
    expect(c.graphemes).toBe(6);
    expect(c.emoji).toBe(4);
    expect(c.joined).toBe(1);
    expect(c.skinTones).toBe(1);
    expect(c.flags).toBe(1);
    expect(c.keycaps).toBe(1);
    expect(c.emojiBlocks).toContain('Emoticons');
  });

  it('names the scripts of letters outside ASCII', () => {
    expect(stringContent('Привет, мир').scripts).toEqual(['Cyrillic']);
  });

  it('says what a long emoji string covers, in words, without quoting it', () => {
    const preceding = "const emoji = z.string().emoji();\nemoji.parse(\n";
    const body = Array.from({ length: 600 }, (_, i) => [family, wave, flag, '\u{1F600}', '\u{1F680}', '\u{1F9E1}'][i % 6]).join('');
    const target = `  "${body}"\n);\n`;
    const p = new GroundedProposer({ language: 'typescript', preceding, knownIdentifiers: new Set(['z', 'emoji', 'parse', 'string']) });
    const said = proposals(p, target);
    expect(said.some((s) => /zero-width joiners/.test(s) && /skin-tone/.test(s))).toBe(true);
    expect(said.some((s) => /Unicode blocks/.test(s))).toBe(true);
    const guard = guardFor(target, preceding, 'typescript');
    for (const s of said) expect(guard.admits([s]), s).toBe(true);
  });
});

describe('data written whole', () => {
  it('takes structured data that is trained on, not lock files', () => {
    expect(isDataPath('docs/figure.svg', '<svg></svg>')).toBe(true);
    expect(isDataPath('package.json', '{}')).toBe(true);
    expect(isDataPath('package-lock.json', '{}')).toBe(false);
    expect(isDataPath('src/a.ts', 'x')).toBe(false);
  });

  it("says an SVG figure's shapes, labels and role from its content, inside the boundary", () => {
    const shapes = Array.from({ length: 6 }, (_, i) => `<g><rect x="${i * 10}" y="0" width="9" height="9" fill="#${i}${i}${i}"/><switch><foreignObject><div>Plugin ${i}</div></foreignObject><text>Plugin ${i}</text></switch></g>`).join('\n');
    const target = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 60 10">\n${shapes}\n<path d="M0 0L60 10"/>\n</svg>\n`;
    const p = new GroundedProposer({ path: 'docs/resources/context.svg', preceding: '', knownIdentifiers: new Set() });
    const said = proposals(p, target);
    expect(said.some((s) => /An SVG drawing: .*rectangles/.test(s) || /Vector shapes make it up/.test(s))).toBe(true);
    expect(said.some((s) => /six labels/.test(s))).toBe(true);
    expect(said.some((s) => /a figure the documentation shows/.test(s))).toBe(true);
    const guard = guardFor(target, '', null);
    for (const s of said) expect(guard.admits([s]), s).toBe(true);
  });

  it("says a real package manifest's dependencies and scripts by their counts", () => {
    const target = readFileSync('node_modules/zod/package.json', 'utf8');
    const p = new GroundedProposer({ path: 'package.json', preceding: '', knownIdentifiers: new Set() });
    const said = proposals(p, target);
    expect(said.some((s) => /the package manifest/.test(s))).toBe(true);
    expect(said.some((s) => /A JSON object of .*top-level fields/.test(s))).toBe(true);
    const guard = guardFor(target, '', null);
    for (const s of said) expect(guard.admits([s]), s).toBe(true);
  });
});

describe('what a target awaits and what its long comment covers', () => {
  it("words an async case's awaits by what it awaits, where those names are known", () => {
    const preceding = "const { test } = require('node:test')\nconst Fastify = require('..')\n";
    const target = "test('ready then inject', async (t) => {\n  const app = Fastify()\n  await app.ready()\n  const res = await app.inject({ url: '/' })\n  t.assert.strictEqual(res.statusCode, 200)\n})\n";
    const p = new GroundedProposer({ language: 'javascript', preceding, knownIdentifiers: new Set(['test', 'Fastify', 'ready', 'inject', 'strictEqual']) });
    const said = proposals(p, target);
    expect(said.some((s) => /\bready\b.*\binject\b/.test(s) && /await/i.test(s))).toBe(true);
  });

  it('says which known names a long doc comment explains and how many paragraphs it runs to', () => {
    const preceding = 'package codec\n\n// Marshaler is implemented by types that encode themselves.\ntype Marshaler interface{ MarshalText() ([]byte, error) }\n\n';
    const target = `// Encode writes v.\n//\n// A value that implements Marshaler is encoded by its MarshalText method.\n//\n// Other values are encoded field by field.\n//\n// Nil pointers are encoded as null.\n// Channels cannot be encoded.\n// Cycles are not followed.\n// Maps are sorted by key.\nfunc Encode(v any) ([]byte, error) {\n\treturn nil, nil\n}\n`;
    const p = new GroundedProposer({ language: 'go', preceding, knownIdentifiers: new Set(['Marshaler', 'MarshalText', 'Encode']) });
    const said = proposals(p, target);
    expect(said.some((s) => /`MarshalText`/.test(s) && /comment/.test(s))).toBe(true);
    expect(said.some((s) => /four paragraphs/.test(s))).toBe(true);
  });
});
