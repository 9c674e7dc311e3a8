/**
 * The tester writes a repository's test file as the coder writes code: chunk by chunk (its cases),
 * each after reasoning refined by the search, inside the knowledge boundary; the file replays
 * byte for byte.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJob } from '../../src/run/run-job.ts';
import { computeStats } from '../../src/stats/mod.ts';
import type { Step } from '../../src/agents/types.ts';
import { tempDir } from '../support/tmp.ts';

const stack = `/** A last-in, first-out stack of numbers. */
export class Stack {
  private items: number[] = [];

  push(value: number): void {
    this.items.push(value);
  }

  pop(): number | undefined {
    return this.items.pop();
  }

  peek(): number | undefined {
    return this.items[this.items.length - 1];
  }

  get size(): number {
    return this.items.length;
  }
}
`;

const stackTest = `import { describe, expect, it } from 'vitest';
import { Stack } from '../src/stack.ts';

describe('Stack', () => {
  it('starts empty', () => {
    const s = new Stack();
    expect(s.size).toBe(0);
    expect(s.pop()).toBeUndefined();
    expect(s.peek()).toBeUndefined();
  });

  it('gives back the last value pushed first', () => {
    const s = new Stack();
    s.push(1);
    s.push(2);
    s.push(3);
    expect(s.pop()).toBe(3);
    expect(s.pop()).toBe(2);
    expect(s.pop()).toBe(1);
    expect(s.pop()).toBeUndefined();
  });

  it('peeks without taking', () => {
    const s = new Stack();
    s.push(7);
    expect(s.peek()).toBe(7);
    expect(s.peek()).toBe(7);
    expect(s.size).toBe(1);
  });

  it('counts what it holds', () => {
    const s = new Stack();
    for (let i = 0; i < 10; i++) s.push(i);
    expect(s.size).toBe(10);
    for (let i = 0; i < 4; i++) s.pop();
    expect(s.size).toBe(6);
  });

  it('takes any number, negative and fractional ones too', () => {
    const s = new Stack();
    s.push(-1.5);
    s.push(0);
    expect(s.pop()).toBe(0);
    expect(s.pop()).toBe(-1.5);
  });

  it('keeps two stacks apart', () => {
    const a = new Stack();
    const b = new Stack();
    a.push(1);
    b.push(2);
    expect(a.pop()).toBe(1);
    expect(b.pop()).toBe(2);
    expect(a.size + b.size).toBe(0);
  });

  it('can be filled again after it was emptied', () => {
    const s = new Stack();
    s.push(4);
    s.pop();
    expect(s.size).toBe(0);
    s.push(5);
    s.push(6);
    expect(s.peek()).toBe(6);
    expect(s.size).toBe(2);
  });

  it('holds many values in order', () => {
    const s = new Stack();
    const values = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5];
    for (const v of values) s.push(v);
    const popped: number[] = [];
    while (s.size > 0) popped.push(s.pop()!);
    expect(popped).toEqual([...values].reverse());
  });

  it('does not change when an empty stack is popped', () => {
    const s = new Stack();
    expect(s.pop()).toBeUndefined();
    expect(s.pop()).toBeUndefined();
    s.push(8);
    expect(s.size).toBe(1);
    expect(s.peek()).toBe(8);
  });
});
`;

function repo(): string {
  const root = tempDir();
  const files = {
    'package.json': '{ "name": "stack", "version": "1.0.0", "type": "module" }\n',
    'src/stack.ts': stack,
    'test/stack.test.ts': stackTest,
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('the tester writes test files chunk by chunk', () => {
  it('writes its cases one chunk at a time, with refined reasoning before them, inside the boundary', async () => {
    const root = repo();
    const out = join(tempDir(), 'data.jsonl');
    const run = await runJob({ repoPath: root, out, seed: 1, budget: 8, faultRate: 0, resume: false });
    expect(run.failures).toEqual([]);
    expect(run.verify![0]).toMatchObject({ ok: true });

    const steps = readFileSync(out, 'utf8').trim().split('\n').flatMap((l) => (JSON.parse(l) as { steps: Step[] }).steps);
    const path = 'test/stack.test.ts';
    const writes = steps.filter((s) => s.tool === 'write' && s.path === path);
    expect(writes.length).toBeGreaterThanOrEqual(3);
    expect(writes.every((s) => s.role === 'tester' && s.train)).toBe(true);
    expect(writes.map((s) => s.write!.mode)).toEqual(['create', ...writes.slice(1).map(() => 'append')]);
    expect(writes.map((s) => s.text).join('')).toBe(stackTest);
    // Each case is written whole, in one chunk.
    for (const name of ['starts empty', 'gives back the last value pushed first', 'keeps two stacks apart']) {
      expect(writes.filter((s) => s.text.includes(`it('${name}'`)), name).toHaveLength(1);
    }

    // Reasoning between the writes: the tester's thinks about the file, the searched ones with their statistics.
    let between: Step[] = [];
    const reasoned: number[] = [];
    for (const s of steps) {
      if (s.tool === 'write' && s.path === path) {
        reasoned.push(between.filter((x) => x.kind === 'think' && x.role === 'tester' && x.path === path).length);
        between = [];
      } else if (s.tool === 'write') between = [];
      else between.push(s);
    }
    expect(reasoned.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
    const searched = steps.filter((s) => s.role === 'tester' && s.path === path && s.search);
    expect(searched.length).toBeGreaterThanOrEqual(1);
    for (const s of searched) expect(s.search!.scorerCalls).toBeLessThanOrEqual(8);

    const t = (await computeStats([out])).total;
    const b = t.boundary.segments;
    expect({ copy: b.copyLeaks, ngram: b.ngramCopies, literal: b.literalLeaks, name: b.nameViolations }).toEqual({ copy: 0, ngram: 0, literal: 0, name: 0 });
    expect(t.testFiles.writes).toBe(writes.length);
    expect(t.testFiles.reasoningPerCode!).toBeGreaterThan(0.05);
  }, 120_000);
});
