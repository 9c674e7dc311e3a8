/**
 * Every command exits 2 on bad input — an argument commander refuses, a usage error, a bad file
 * or spec found deep inside — and 1 on an unexpected error; help and --version exit 0.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../support/nats-server.ts';
import { tempDir } from '../support/tmp.ts';

const bin = join(import.meta.dirname, '../../bin/retrace.js');

function retrace(...args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stderr: r.stderr };
}

describe('exit codes', { timeout: 120_000 }, () => {
  it('are 2 for arguments commander refuses', () => {
    expect(retrace('trace', '--no-such-option').status).toBe(2);
    expect(retrace('no-such-command').status).toBe(2);
    expect(retrace('policy', 'get').status).toBe(2);
    expect(retrace('graph', '.', '--limit', '-3').status).toBe(2);
  });

  it('are 2 for usage errors and bad input found while running', async () => {
    const dir = tempDir('retrace-exit-');
    const notTrace = join(dir, 'not-a-trace.jsonl');
    writeFileSync(notTrace, 'hello\n');
    const url = `nats://127.0.0.1:${await freePort()}`;
    for (const args of [
      ['trace'],
      ['trace', notTrace, '--format', 'svg'],
      ['trace', notTrace],
      ['trace', join(dir, 'missing.jsonl')],
      ['agent', 'nobody', '--nats', url],
      ['policy', 'set', 'coder', 'not json', '--nats', url],
      ['policy', 'set', 'coder', '{"id":"grounded","params":{"temperature":1}}', '--nats', url],
    ]) {
      const r = retrace(...args);
      expect(r.status, `${args.join(' ')}\n${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/^retrace: \S/);
    }
  });

  it('are 1 for an unexpected error, 0 for help and --version', async () => {
    const unreachable = retrace('policy', 'list', '--nats', `nats://127.0.0.1:${await freePort()}`);
    expect(unreachable.status, unreachable.stderr).toBe(1);
    expect(retrace('--version').status).toBe(0);
    expect(retrace('trace', '--help').status).toBe(0);
  });
});
