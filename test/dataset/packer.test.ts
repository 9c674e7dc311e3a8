import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Step } from '../../src/agents/types.ts';
import { codePoints, Packer, type PackedRecord, type PackerOptions } from '../../src/dataset/packer.ts';
import { loadTokenizer } from '../../src/dataset/tokenizer.ts';
import { Replayer } from '../../src/run/replay.ts';
import { tempDir } from '../support/tmp.ts';

const P = 'grounded@3';
const tok = loadTokenizer('llama-3');
const brief: Step = { role: 'planner', kind: 'observation', tool: 'brief', text: '# demo\nA tool that greets 世界 🌍.\n\nfiles:\nsrc/a.ts\nsrc/b.ts\n', train: false, policy: P };
const planThink: Step = { role: 'planner', kind: 'think', text: 'Greeting first, then the wider module 🚀.', train: true, policy: P };
const plan: Step = { role: 'planner', kind: 'action', tool: 'plan', text: 'Milestone 1: greet.\nMilestone 2: wider.', train: true, policy: P };
const design = (path: string): Step => ({ role: 'architect', kind: 'action', tool: 'design', path, text: `${path} exports one greeting function.`, train: true, policy: 'grounded@4' });
const think = (path: string, text: string): Step => ({ role: 'coder', kind: 'think', path, text, train: true, policy: P });
const write = (path: string, text: string, mode: 'create' | 'append' = 'create'): Step => ({ role: 'coder', kind: 'action', tool: 'write', path, text, train: true, policy: P, write: { mode } });
const read = (path: string, text: string): Step => ({ role: 'coder', kind: 'observation', tool: 'read', path, text, train: false, policy: P });

function fileUnit(path: string, chunks: number, lineChars = 40): Step[] {
  const steps: Step[] = [];
  for (let i = 0; i < chunks; i++) {
    steps.push(think(path, `Part ${i} of ${path}: the greeting in 日本語 and emoji 😀 so offsets are tested.`));
    const body = Array.from({ length: 6 }, (_, j) => `export const v${i}_${j} = '${'é😀字'.repeat(lineChars / 8)}';`).join('\n') + '\n';
    steps.push(write(path, body, i === 0 ? 'create' : 'append'));
  }
  return steps;
}

function pack(units: Step[][], over: Partial<PackerOptions> = {}): PackedRecord[] {
  const records: PackedRecord[] = [];
  const packer = new Packer({
    tokenizer: tok,
    contextTokens: 600,
    tokenIds: true,
    untrained: new Map(),
    repo: { name: 'demo', origin: null, commit: null, licence: null, licence_source: null, languages: { typescript: 2 }, files: ['src/a.ts', 'src/b.ts'] },
    run: { id: 'demo-s1', seed: 1, budget: 4, fault_rate: 0, scorer: { kind: 'embedded', model: null }, search: { method: 'mcts', batch: 8 } },
    onRecord: (r) => records.push(r),
    ...over,
  });
  for (const u of units) packer.add(u);
  packer.finish();
  return records;
}

const units = (): Step[][] => [[brief, planThink, plan], [design('src/a.ts'), design('src/b.ts')], fileUnit('src/a.ts', 2), [read('src/a.ts', 'ok 👍'), ...fileUnit('src/b.ts', 9)]];

describe('packer', () => {
  it('keeps every record within the context and gives each trained tokens', () => {
    const recs = pack(units());
    expect(recs.length).toBeGreaterThan(2);
    for (const r of recs) {
      expect(r.tokens.count).toBeLessThanOrEqual(600);
      expect(r.tokens.train).toBeGreaterThan(0);
      expect(r.tokens.count).toBe(r.tokens.train + r.tokens.masked);
    }
  });

  it('gives token ids that decode to the text and per-block counts that add up', () => {
    for (const r of pack(units())) {
      expect(tok.decode(r.tokens.ids!)).toBe(r.text);
      expect(r.tokens.blocks.reduce((a, b) => a + b, 0)).toBe(r.tokens.count);
    }
  });

  it('tokenizes block by block exactly as the whole text (Llama-3 splits before each header)', () => {
    for (const r of pack(units())) expect(tok.encode(r.text)).toEqual(r.tokens.ids);
  });

  it('masks exactly the tokens of observations and of the repeated context', () => {
    for (const r of pack(units())) {
      const masked = r.tokens.mask.map(([a, b]) => tok.decode(r.tokens.ids!.slice(a, b))).join('');
      const expected = [...r.context, ...r.steps.filter((s) => !s.train)].map((s) => s.text);
      for (const t of expected) expect(masked).toContain(t);
      const trained = r.steps.filter((s) => s.train).map((s) => s.text);
      for (const t of trained) expect(masked).not.toContain(t);
    }
  });

  it('keeps a unit in one record when it fits, and splits a longer one between a write and the next thinks', () => {
    const recs = pack(units());
    const where = (path: string) => new Set(recs.filter((r) => r.steps.some((s) => s.path === path && s.tool === 'write')).map((r) => r.chunk.index));
    expect(where('src/a.ts').size).toBe(1);
    expect(where('src/b.ts').size).toBeGreaterThan(1);
    for (const r of recs) expect(r.steps[r.steps.length - 1]!.kind).not.toBe('think');
  });

  it('opens later records with the brief and the plan, and with the file design when inside a file', () => {
    const recs = pack(units());
    expect(recs[0]!.context).toEqual([]);
    for (const r of recs.slice(1)) expect(r.context.slice(0, 3).map((s) => s.tool ?? s.kind)).toEqual(['brief', 'think', 'plan']);
    const insideB = recs.filter((r) => r.steps[0]!.path === 'src/b.ts' && r.steps[0]!.kind === 'think' && r.chunk.index > 0);
    expect(insideB.length).toBeGreaterThan(0);
    for (const r of insideB.slice(1)) expect(r.context.some((s) => s.tool === 'design' && s.path === 'src/b.ts')).toBe(true);
  });

  it('names the policies of each record, every revision used in it', () => {
    const recs = pack(units());
    expect(recs[0]!.run.policies).toEqual({ planner: [P], architect: ['grounded@4'], coder: [P] });
  });

  it('cuts a write too long for any record into appends that replay to the same file', () => {
    const big = Array.from({ length: 400 }, (_, i) => `line ${i} ${'字'.repeat(i % 7)}`).join('\n') + '\n';
    const recs = pack([[brief, plan], [think('big.txt', 'The long file.'), write('big.txt', big)]]);
    const writes = recs.flatMap((r) => r.steps).filter((s) => s.tool === 'write');
    expect(writes.length).toBeGreaterThan(2);
    expect(writes.slice(1).every((s) => s.write?.mode === 'append')).toBe(true);
    const replay = new Replayer();
    for (const r of recs) for (const s of r.steps) replay.apply(s);
    expect(replay.files.get('big.txt')).toBe(big);
    for (const r of recs) expect(r.tokens.count).toBeLessThanOrEqual(600);
  });

  it('cuts an observation too long for any record into consecutive observations of the same text', () => {
    const long = Array.from({ length: 300 }, (_, i) => `finding ${i}: 字 ${'x'.repeat(i % 13)}`).join('\n') + '\n';
    const recs = pack([[brief, plan], [think('src/a.ts', 'Check it.'), { role: 'tester', kind: 'observation', tool: 'check', path: 'src/a.ts', text: long, train: false, policy: P }, think('src/a.ts', 'Fine.'), write('src/a.ts', 'x\n')]]);
    const obs = recs.flatMap((r) => r.steps).filter((s) => s.kind === 'observation' && s.tool === 'check');
    expect(obs.length).toBeGreaterThan(1);
    expect(obs.map((s) => s.text).join('')).toBe(long);
    for (const r of recs) expect(r.tokens.count).toBeLessThanOrEqual(600);
  });

  it('cuts a plan too long for any record into consecutive plan actions of the same text', () => {
    const longPlan: Step = { ...plan, text: Array.from({ length: 400 }, (_, i) => `Milestone ${i}: src/m${i}.ts 字\n`).join('') };
    const recs = pack([[brief, planThink, longPlan], fileUnit('src/a.ts', 1)]);
    const plans = recs.flatMap((r) => r.steps).filter((s) => s.tool === 'plan');
    expect(plans.length).toBeGreaterThan(1);
    expect(plans.map((s) => s.text).join('')).toBe(longPlan.text);
    for (const r of recs) expect(r.tokens.count).toBeLessThanOrEqual(600);
  });

  it('shows an untrained file as a stand-in line while the step keeps its text for the replay', () => {
    const lock = '{\n  "lockfileVersion": 3\n}\n'.repeat(50);
    const recs = pack([[brief, plan], [think('package-lock.json', 'Pin the versions.'), write('package-lock.json', lock)], fileUnit('src/a.ts', 1)], { untrained: new Map([['package-lock.json', 'lock-file']]) });
    const w = recs.flatMap((r) => r.steps).find((s) => s.path === 'package-lock.json' && s.tool === 'write')!;
    expect(w.text).toBe(lock);
    expect(w.train).toBe(false);
    expect(w.untrained).toBe('lock-file');
    const text = recs.map((r) => r.text).join('');
    expect(text).toContain('[lock-file: 150 lines, 1350 characters; replayed, not trained on]');
    expect(text).not.toContain('lockfileVersion');
  });

  it('gives code-point spans that Python slices to exactly the masked blocks', () => {
    const recs = pack(units());
    const dir = tempDir('retrace-packer-');
    const file = join(dir, 'recs.json');
    writeFileSync(file, JSON.stringify(recs.map((r) => ({ text: r.text, mask: r.mask, masked: [...r.context, ...r.steps.filter((s) => !s.train)].map((s) => s.text), chars: r.stats.chars }))));
    const script = [
      'import json,sys',
      'out=[]',
      'for r in json.load(open(sys.argv[1], encoding="utf-8")):',
      '    assert len(r["text"]) == r["chars"], (len(r["text"]), r["chars"])',
      '    spans = [r["text"][a:b] for a, b in r["mask"]]',
      '    assert all(s.startswith("### ") and s.endswith("\\n\\n") for s in spans), spans',
      '    joined = "".join(spans)',
      '    assert all(t in joined for t in r["masked"])',
      '    out.append(len(spans))',
      'print(json.dumps(out))',
    ].join('\n');
    writeFileSync(join(dir, 'check.py'), script);
    const out = execFileSync('python3', [join(dir, 'check.py'), file], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual(recs.map((r) => r.mask.length));
    expect(readFileSync(file, 'utf8')).toContain('😀');
  });

  it('counts code points, not UTF-16 units', () => {
    expect(codePoints('a😀字')).toBe(3);
    expect('a😀字'.length).toBe(4);
  });
});
