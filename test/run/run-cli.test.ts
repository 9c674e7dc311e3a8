/**
 * `retrace run` and `retrace verify` as a user runs them: real processes, a fixture and a real
 * package from node_modules, bad input, a tampered dataset, and a run killed with SIGKILL that
 * resumes to the very bytes of an uninterrupted run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DatasetRecordV2 } from '../../src/dataset/record.ts';
import { startNatsServer } from '../support/nats-server.ts';
import { waitFor } from '../support/wait.ts';

const repoRoot = join(import.meta.dirname, '../..');
const bin = join(repoRoot, 'bin/retrace.js');
const fixture = join(repoRoot, 'test/agents/fixtures/mini');
const tmp = mkdtempSync(join(tmpdir(), 'retrace-run-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// A missing graph service or agent is waited for as long as an outage may last (60 s by default):
// here two seconds, so the tests of what is missing end soon.
function retrace(...args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: tmp, timeout: 240_000, env: { ...process.env, RETRACE_OUTAGE_MS: '2000' } });
}

const records = (file: string): DatasetRecordV2[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as DatasetRecordV2);

describe('retrace run', () => {
  it('writes a dataset that verifies, with the same fields in every record', () => {
    const out = join(tmp, 'mini.jsonl');
    const r = retrace('run', fixture, '-o', out, '--budget', '4', '--context-tokens', '600', '--fault-rate', '0.5', '--json');
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ files: 7, failures: [] });
    expect(summary.verify[0]).toMatchObject({ ok: true, identical: 7 });
    const recs = records(out);
    expect(recs.length).toBeGreaterThan(1);
    const keys = JSON.stringify(Object.keys(recs[0]!));
    for (const [i, rec] of recs.entries()) {
      expect(JSON.stringify(Object.keys(rec))).toBe(keys);
      expect(rec.chunk.index).toBe(i);
      // Masked spans are exactly the context and the untrained steps' blocks: observations, faulty drafts.
      const points = [...rec.text];
      for (const [a, b] of rec.mask) expect(points.slice(a, b).join('')).toMatch(/^### \w+ (observation|action write|think|action plan)/);
      const untrained = rec.steps.filter((s) => !s.train);
      expect(untrained.every((s) => s.kind === 'observation' || s.untrained === 'faulty-draft')).toBe(true);
      expect(rec.mask.length).toBeLessThanOrEqual(untrained.length + (rec.context.length > 0 ? 1 : 0));
      if (untrained.length > 0 || rec.context.length > 0) expect(rec.mask.length).toBeGreaterThan(0);
      expect(rec.tokens.count).toBeLessThanOrEqual(600);
      expect(rec.tokens.train).toBeGreaterThan(0);
      if (i > 0) expect(rec.context[0]?.tool).toBe('brief');
    }
    expect(recs.map((x) => x.steps.length).reduce((a, b) => a + b, 0)).toBe(summary.steps);
    const v = retrace('verify', out, '--repo', fixture);
    expect(v.status).toBe(0);
    expect(v.stdout).toMatch(/ok, 7 files identical/);
  });

  it('rebuilds a real package from node_modules byte for byte', () => {
    const out = join(tmp, 'plimit.jsonl');
    const r = retrace('run', join(repoRoot, 'node_modules/p-limit'), '-o', out, '--budget', '4', '--json');
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.verify[0].ok).toBe(true);
    expect(summary.files).toBeGreaterThan(2);
  });

  it('fails clearly on bad input', () => {
    const missing = retrace('run', join(tmp, 'nope'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/no such repository/);
    writeFileSync(join(tmp, 'afile'), 'x');
    const file = retrace('run', join(tmp, 'afile'));
    expect(file.status).toBe(2);
    expect(file.stderr).toMatch(/not a directory/);
    mkdirSync(join(tmp, 'empty'));
    const empty = retrace('run', join(tmp, 'empty'));
    expect(empty.status).toBe(2);
    expect(empty.stderr).toMatch(/no files to rebuild/);
    const badRate = retrace('run', fixture, '--fault-rate', '2');
    expect(badRate.status).toBe(2);
    const badPolicy = retrace('run', fixture, '--policy', 'wizard=grounded');
    expect(badPolicy.status).toBe(2);
    expect(badPolicy.stderr).toMatch(/unknown role "wizard"/);
    const badName = retrace('run', fixture, '-o', join(tmp, 'data.zst'));
    expect(badName.status).toBe(2);
    expect(badName.stderr).toMatch(/data\.zst: a JSONL dataset's name ends in \.jsonl, \.jsonl\.gz, \.jsonl\.zst/);
    expect(existsSync(join(tmp, 'data.zst'))).toBe(false);
    const badTokenizer = retrace('run', fixture, '-o', join(tmp, 't.jsonl'), '--tokenizer', join(tmp, 'no-tokenizer'));
    expect(badTokenizer.status).toBe(2);
    expect(badTokenizer.stderr).toMatch(/not a known name \(llama-3\) nor an existing tokenizer\.json/);
    expect(existsSync(join(tmp, 't.jsonl'))).toBe(false);
    mkdirSync(join(tmp, 'taken'));
    writeFileSync(join(tmp, 'taken', 'notes.txt'), 'mine\n');
    const foreignDir = retrace('run', fixture, '--format', 'parquet', '-o', join(tmp, 'taken'));
    expect(foreignDir.status).toBe(2);
    expect(foreignDir.stderr).toMatch(/holds files that are not a dataset's \(notes\.txt\)/);
    expect(retrace('run', fixture, '--context-tokens', '10').status).toBe(2);
    const nothing = retrace('run');
    expect(nothing.status).toBe(2);
    expect(nothing.stderr).toMatch(/give the repository's path, or --graph NAME/);
    const graphAlone = retrace('run', '--graph', 'mini');
    expect(graphAlone.status).toBe(2);
    expect(graphAlone.stderr).toMatch(/--graph names a graph service on NATS: it needs --nats/);
  }, 120_000);

  it('says when the graph service named does not answer', async () => {
    const server = await startNatsServer();
    try {
      const r = retrace('run', '--graph', 'nobody', '--nats', server.url, '-o', join(tmp, 'nograph.jsonl'));
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/graph service "nobody" did not answer/);
    } finally {
      await server.stop();
    }
  });

  it('says when no agents answer on the bus, and exits instead of hanging', async () => {
    const server = await startNatsServer();
    try {
      const r = retrace('run', fixture, '--nats', server.url, '-o', join(tmp, 'noagents.jsonl'));
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/no planner, architect, coder, tester, debugger agent answers on the bus/);
    } finally {
      await server.stop();
    }
  });

  it('verify reports a tampered dataset, and refuses a file that is not a dataset', () => {
    const out = join(tmp, 'tamper.jsonl');
    expect(retrace('run', fixture, '-o', out, '--budget', '0').status).toBe(0);
    const [rec] = records(out);
    const write = rec!.steps.find((s) => s.tool === 'write' && s.path === 'src/math.ts' && s.write?.mode === 'create')!;
    write.text = write.text.replace('mean', 'avg');
    writeFileSync(out, JSON.stringify(rec) + '\n');
    const v = retrace('verify', out, '--repo', fixture);
    expect(v.status).toBe(4);
    expect(v.stdout).toMatch(/different: src\/math\.ts/);
    writeFileSync(join(tmp, 'junk.jsonl'), 'not json\n');
    const junk = retrace('verify', join(tmp, 'junk.jsonl'), '--repo', fixture);
    expect(junk.status).toBe(2);
    expect(junk.stderr).toMatch(/not JSON/);
  });

  it('resumes a run killed with SIGKILL to the bytes of an uninterrupted run', async () => {
    const pkg = join(repoRoot, 'node_modules/commander');
    const full = join(tmp, 'full.jsonl');
    expect(retrace('run', pkg, '-o', full, '--budget', '4', '--seed', '9').status).toBe(0);

    const cut = join(tmp, 'cut.jsonl');
    const child = spawn(process.execPath, [bin, 'run', pkg, '-o', cut, '--budget', '4', '--seed', '9'], { cwd: tmp, stdio: 'ignore' });
    const exited = new Promise((r) => child.once('exit', r));
    const lines = () => (existsSync(`${cut}.checkpoint`) ? readFileSync(`${cut}.checkpoint`, 'utf8').split('\n').filter(Boolean).length : 0);
    await waitFor(() => lines() >= 12 || child.exitCode !== null, 'the run to be under way', 60_000);
    expect(child.exitCode).toBeNull(); // still running: the kill interrupts it
    child.kill('SIGKILL');
    await exited;
    const saved = lines() - 1;
    const resumed = retrace('run', pkg, '-o', cut, '--budget', '4', '--seed', '9', '--resume', '--json');
    expect(resumed.status, resumed.stderr).toBe(0);
    const summary = JSON.parse(resumed.stdout);
    expect(summary.resumedResults).toBeGreaterThanOrEqual(saved - 1);
    expect(summary.resumedResults).toBeGreaterThan(0);
    expect(readFileSync(cut).equals(readFileSync(full))).toBe(true);
    expect(existsSync(`${cut}.checkpoint`)).toBe(false);
    // Three runs of a real package (two whole): minutes on a busy 2-core machine.
  }, 300_000);
});
