/** `retrace trace <file>`: each format, to stdout or a file; a bad format or file is an error. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../../src/cli/program.ts';
import { MemoryBus } from '../../src/bus/mod.ts';
import { startRecorder } from '../../src/trace/mod.ts';
import { waitFor } from '../support/wait.ts';
import { tempDir } from '../support/tmp.ts';

const dir = tempDir('retrace-trace-cli-');

async function run(args: string[]): Promise<string> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await buildProgram().exitOverride().parseAsync(['node', 'retrace', ...args]);
  } finally {
    spy.mockRestore();
    err.mockRestore();
  }
  return out;
}

async function smallTrace(): Promise<string> {
  const bus = new MemoryBus();
  const file = join(dir, 'small.jsonl');
  const rec = await startRecorder(bus, 's1', file);
  await bus.publish('retrace.s1.work.coder', { type: 'agent.work', body: { job: 'coder:x' }, sender: 'conductor' });
  await bus.publish('retrace.s1.result.coder', { type: 'agent.result', body: { job: 'coder:x', steps: [] }, sender: 'coder/a', policy: 'grounded@1' });
  await waitFor(() => rec.count === 2, 'two messages');
  await rec.stop();
  await bus.close();
  return file;
}

describe('retrace trace', () => {
  afterEach(() => vi.restoreAllMocks());

  it('prints the text timeline by default, Mermaid on request, and writes HTML to --out', async () => {
    const file = await smallTrace();
    const text = await run(['trace', file]);
    expect(text).toMatch(/^run s1 .* 2 messages · 2 agents/);
    expect(text).toMatch(/conductor -> retrace\.s1\.work\.coder agent\.work coder:x \(to coder\/a\)/);
    const mmd = await run(['trace', file, '--format', 'mermaid']);
    expect(mmd).toContain('participant C as conductor');
    expect(mmd).toMatch(/C->>A\d: agent\.work coder:x/);
    const out = join(dir, 'small.html');
    expect(await run(['trace', file, '-f', 'html', '-o', out])).toBe('');
    expect(readFileSync(out, 'utf8')).toMatch(/^<!doctype html>[\s\S]*id="retrace-trace"/);
    const chrome = JSON.parse(await run(['trace', file, '--format', 'chrome'])) as { traceEvents: Array<{ ph: string; name: string }> };
    expect(chrome.traceEvents.filter((e) => e.ph === 'X').map((e) => e.name)).toEqual(['coder:x']);
  });

  it('rejects an unknown format and a file that is not a trace', async () => {
    const file = await smallTrace();
    await expect(run(['trace', file, '--format', 'svg'])).rejects.toThrow(/unknown format "svg"/);
    const bad = join(dir, 'bad.txt');
    writeFileSync(bad, 'hello\n');
    await expect(run(['trace', bad])).rejects.toThrow(/not a retrace trace/);
  });
});
