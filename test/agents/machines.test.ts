/** The role machines as pure logic: events in, snapshots out; no bus, no clock, no I/O. */
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { architectMachine } from '../../src/agents/machines/architect.ts';
import { coderMachine } from '../../src/agents/machines/coder.ts';
import { debuggerMachine } from '../../src/agents/machines/debugger.ts';
import { plannerMachine } from '../../src/agents/machines/planner.ts';
import { testerMachine } from '../../src/agents/machines/tester.ts';

const speaker = (role: 'planner' | 'architect' | 'coder' | 'tester' | 'debugger') => ({ role, policy: 'grounded@1' });

describe('role machines', () => {
  it('planner: asks for a plan, records the brief (masked), thoughts and the plan, finishes with it', () => {
    const a = createActor(plannerMachine, { input: { speaker: speaker('planner') } }).start();
    expect(a.getSnapshot().context.pending).toEqual({ kind: 'plan' });
    const plan = { overview: 'o', requirements: ['r'], milestones: [{ title: 'M1', goal: 'g', files: ['a.ts'] }] };
    a.send({ type: 'PLANNED', brief: 'README.md (first lines):\n# x', thoughts: ['t1', 't2'], plan });
    const s = a.getSnapshot();
    expect(s.status).toBe('done');
    expect(s.output!.plan).toEqual(plan);
    expect(s.output!.steps.map((x) => [x.kind, x.tool ?? null, x.train])).toEqual([
      ['observation', 'brief', false],
      ['think', null, true],
      ['think', null, true],
      ['action', 'plan', true],
    ]);
    expect(s.output!.steps[3]!.text).toContain('- a.ts');
    expect(s.output!.steps[0]!.text).toBe('README.md (first lines):\n# x');
  });

  it('architect: designs every file in turn and ignores answers for another file', () => {
    const a = createActor(architectMachine, { input: { speaker: speaker('architect'), files: ['a.ts', 'b.ts'] } }).start();
    expect(a.getSnapshot().context.pending).toEqual({ kind: 'design', path: 'a.ts' });
    const design = (path: string) => ({ path, responsibility: 'r', publicInterface: [], dependencies: [] });
    a.send({ type: 'DESIGNED', path: 'b.ts', thought: 'wrong file', design: design('b.ts') });
    expect(a.getSnapshot().context.steps).toHaveLength(0);
    a.send({ type: 'DESIGNED', path: 'a.ts', thought: 'ta', design: design('a.ts') });
    expect(a.getSnapshot().context.pending).toEqual({ kind: 'design', path: 'b.ts' });
    a.send({ type: 'DESIGNED', path: 'b.ts', thought: 'tb', design: design('b.ts') });
    const out = a.getSnapshot().output!;
    expect(out.designs.map((d) => d.path)).toEqual(['a.ts', 'b.ts']);
    expect(out.steps.map((s) => s.path)).toEqual(['a.ts', 'a.ts', 'b.ts', 'b.ts']);
  });

  it('coder: intent, reads with their source, refined reasoning, writes per chunk; a faulty draft is not trained on', () => {
    const a = createActor(coderMachine, {
      input: { speaker: speaker('coder'), path: 'src/b.ts', reads: ['src/a.ts'], chunks: 2, refine: true },
    }).start();
    expect(a.getSnapshot().context.pending).toEqual({ kind: 'intent' });
    a.send({ type: 'INTENT', text: 'now b' });
    expect(a.getSnapshot().context.pending).toEqual({ kind: 'read', path: 'src/a.ts' });
    a.send({ type: 'READ', path: 'src/a.ts', content: '(src/a.ts is not written yet; its design:)', source: 'design' });
    expect(a.getSnapshot().context.pending).toEqual({ kind: 'refine', chunk: 0 });
    a.send({ type: 'DRAFTED', chunk: 0, text: 'too early', faulty: false });
    expect(a.getSnapshot().context.pending).toEqual({ kind: 'refine', chunk: 0 });
    const stats = { method: 'mcts', scorerCalls: 8, reward: 0.1, baselineLogprob: -10, bestLogprob: -8, targetTokens: 10 };
    a.send({ type: 'REFINED', chunk: 0, steps: ['why one', 'why two'], stats });
    a.send({ type: 'DRAFTED', chunk: 0, text: 'import { a } from "./a";\n', faulty: false });
    a.send({ type: 'REFINED', chunk: 1, steps: ['why three'] });
    a.send({ type: 'DRAFTED', chunk: 1, text: 'export const b = a + 1;\n', faulty: true });
    const out = a.getSnapshot().output!;
    expect(out.content).toBe('import { a } from "./a";\nexport const b = a + 1;\n');
    expect(out.faultyChunks).toEqual([1]);
    expect(out.steps.map((s) => `${s.kind}:${s.tool ?? ''}`)).toEqual([
      'think:', 'action:read', 'observation:read', 'think:', 'think:', 'action:write', 'think:', 'action:write',
    ]);
    expect(out.steps[2]!.train).toBe(false);
    expect(out.steps[2]!.source).toBe('design');
    const writes = out.steps.filter((s) => s.tool === 'write');
    expect(writes.map((s) => [s.train, s.untrained ?? null])).toEqual([
      [true, null],
      [false, 'faulty-draft'],
    ]);
    expect(out.steps[4]!.search).toEqual(stats);
    expect(out.steps[3]!.search).toBeUndefined();
    expect(out.steps.filter((s) => s.tool === 'write').map((s) => s.write!.mode)).toEqual(['create', 'append']);
  });

  it('coder: writes a non-code file without searching', () => {
    const a = createActor(coderMachine, { input: { speaker: speaker('coder'), path: 'README.md', reads: [], chunks: 1, refine: false } }).start();
    a.send({ type: 'INTENT', text: 'the readme' });
    expect(a.getSnapshot().context.pending).toEqual({ kind: 'draft', chunk: 0 });
    a.send({ type: 'DRAFTED', chunk: 0, text: '# hi\n', faulty: false });
    expect(a.getSnapshot().status).toBe('done');
  });

  it('tester: checks, records the real output with its baseline count, reviews; fails on new findings only', () => {
    const a = createActor(testerMachine, { input: { speaker: speaker('tester'), path: 'b.ts', mode: 'check', reads: [], chunks: 0 } }).start();
    expect(a.getSnapshot().context.pending).toEqual({ kind: 'check' });
    const findings = [{ check: 'undefined-name' as const, line: 2, message: 'aa is not defined' }];
    const baseline = [{ check: 'syntax' as const, line: 1, message: 'syntax error: unexpected "CDECL"' }];
    a.send({ type: 'CHECKED', findings, baseline, output: 'undefined-name line 2: aa is not defined' });
    expect(a.getSnapshot().context.pending).toEqual({ kind: 'review', findings, baseline });
    a.send({ type: 'REVIEWED', text: 'b.ts fails' });
    const out = a.getSnapshot().output!;
    expect(out.passed).toBe(false);
    expect(out.steps.map((s) => `${s.kind}:${s.tool ?? ''}:${s.train}`)).toEqual(['action:check:true', 'observation:check:false', 'think::true']);
    expect(out.steps[1]!.check).toEqual({ findings: 2, baseline: 1 });
  });

  it('tester: findings the real file has too (the checker\'s limits) do not fail the file', () => {
    const a = createActor(testerMachine, { input: { speaker: speaker('tester'), path: 'h.h', mode: 'check', reads: [], chunks: 0 } }).start();
    const baseline = [{ check: 'syntax' as const, line: 3, message: 'syntax error: unexpected "CDECL"' }];
    a.send({ type: 'CHECKED', findings: [], baseline, output: 'h.h:3: syntax: syntax error' });
    a.send({ type: 'REVIEWED', text: 'the checker does not expand the macro; nothing to fix' });
    expect(a.getSnapshot().output!.passed).toBe(true);
  });

  it('tester: writes one of the repository tests chunk by chunk, refined reasoning before each write, then checks it', () => {
    const a = createActor(testerMachine, { input: { speaker: speaker('tester'), path: 'a.test.ts', mode: 'write-test', reads: ['a.ts'], chunks: 2 } }).start();
    expect(a.getSnapshot().context.pending).toEqual({ kind: 'testIntent' });
    a.send({ type: 'INTENT', text: 'tests a' });
    a.send({ type: 'READ', path: 'a.ts', content: 'x', source: 'file' });
    expect(a.getSnapshot().context.pending).toEqual({ kind: 'refine', chunk: 0 });
    a.send({ type: 'DRAFTED', chunk: 0, text: 'too early', faulty: false });
    expect(a.getSnapshot().context.pending).toEqual({ kind: 'refine', chunk: 0 });
    const stats = { method: 'mcts', scorerCalls: 8, reward: 0.1, baselineLogprob: -10, bestLogprob: -8, targetTokens: 10 };
    a.send({ type: 'REFINED', chunk: 0, steps: ['first the import'], stats });
    expect(a.getSnapshot().context.pending).toEqual({ kind: 'draft', chunk: 0 });
    a.send({ type: 'DRAFTED', chunk: 0, text: 'import { a } from "./a";\n', faulty: false });
    a.send({ type: 'REFINED', chunk: 1, steps: ['one case: a is one', 'it compares with one'] });
    a.send({ type: 'DRAFTED', chunk: 1, text: 'test("a", () => {});\n', faulty: false });
    expect(a.getSnapshot().context.pending).toEqual({ kind: 'check' });
    a.send({ type: 'CHECKED', findings: [], baseline: [], output: 'ok' });
    a.send({ type: 'REVIEWED', text: 'fine' });
    const out = a.getSnapshot().output!;
    expect(out.passed).toBe(true);
    expect(out.content).toBe('import { a } from "./a";\ntest("a", () => {});\n');
    expect(out.steps.map((s) => `${s.kind}:${s.tool ?? ''}`)).toEqual([
      'think:', 'action:read', 'observation:read', 'think:', 'action:write', 'think:', 'think:', 'action:write', 'action:check', 'observation:check', 'think:',
    ]);
    expect(out.steps[3]!.search).toEqual(stats);
    expect(out.steps.filter((s) => s.tool === 'write').map((s) => [s.write!.mode, s.train])).toEqual([
      ['create', true],
      ['append', true],
    ]);
    expect(out.steps.every((s) => s.path === 'a.test.ts' || s.tool === 'read')).toBe(true);
  });

  it('debugger: diagnoses, reasons about the repair, and edits', () => {
    const a = createActor(debuggerMachine, { input: { speaker: speaker('debugger'), path: 'b.ts' } }).start();
    a.send({ type: 'REPAIRED', steps: [], edit: { old: 'x', new: 'y' } });
    expect(a.getSnapshot().value).toBe('diagnosing');
    a.send({ type: 'DIAGNOSED', text: 'line 2 misspells a' });
    a.send({ type: 'REPAIRED', steps: ['use a'], edit: { old: 'aa + 1', new: 'a + 1' } });
    const out = a.getSnapshot().output!;
    expect(out.edit).toEqual({ old: 'aa + 1', new: 'a + 1' });
    expect(out.steps.at(-1)!.edit).toEqual({ old: 'aa + 1', new: 'a + 1' });
  });
});
