/**
 * The trace `retrace run` writes (runJob with a trace file): its header names the spec of each
 * policy revision the roles start with, secrets left out; run again with `resume`, the run's trace
 * keeps the earlier start and adds the new one.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryBus } from '../../src/bus/mod.ts';
import { runJob } from '../../src/run/run-job.ts';
import { buildModel, readTrace, startRecorder } from '../../src/trace/mod.ts';
import { tempDir } from '../support/tmp.ts';
import { fixtureRoot } from './support/recorded-run.ts';

const dir = tempDir('retrace-run-trace-');

describe('the trace of retrace run', () => {
  it('leaves out what may be a secret in a policy spec', async () => {
    const bus = new MemoryBus();
    const file = join(dir, 'secret.jsonl');
    const spec = { id: 'openai', params: { model: 'm', apiKey: 'sk-very-secret', nested: { authToken: 't0k3n', temperature: 0.2 } } };
    const rec = await startRecorder(bus, 's1', file, { policies: { 'openai@4': spec } });
    await rec.stop();
    await bus.close();
    const { header } = await readTrace(file);
    expect(header.policies).toEqual({ 'openai@4': { id: 'openai', params: { model: 'm', apiKey: '[redacted]', nested: { authToken: '[redacted]', temperature: 0.2 } } } });
  });

  it("names its policies' specs, and a resumed run's trace holds both starts", async () => {
    const out = join(dir, 'mini.jsonl');
    const traceFile = `${out}.trace.jsonl`;
    const opts = { repoPath: fixtureRoot, out, traceFile, seed: 1, budget: 0, faultRate: 0, verify: false } as const;
    await runJob({ ...opts, resume: false });
    const first = await readTrace(traceFile);
    expect(first.header.policies).toEqual({ 'grounded@0': { id: 'grounded', params: {} } });
    const model1 = buildModel(first.header, first.records, first.starts);
    expect(model1.policies.length).toBeGreaterThan(0);
    for (const p of model1.policies) expect(p.spec).toEqual({ id: 'grounded', params: {} });

    await runJob({ ...opts, resume: true });
    const both = await readTrace(traceFile);
    expect(both.starts.map((s) => s.start)).toEqual([1, 2]);
    expect(both.records.slice(0, first.records.length)).toEqual(first.records);
    expect(both.records.length).toBeGreaterThan(first.records.length);
    const model = buildModel(both.header, both.records, both.starts);
    expect(model.starts[1]!.messages).toBe(both.records.length - first.records.length);
  }, 120_000);
});
