/** A reader that closes the pipe early (`retrace trace run.jsonl | head`) ends the command quietly, with exit 0. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryBus } from '../../src/bus/mod.ts';
import { startRecorder } from '../../src/trace/mod.ts';
import { tempDir } from '../support/tmp.ts';
import { waitFor } from '../support/wait.ts';

const bin = join(import.meta.dirname, '../../bin/retrace.js');
const MESSAGES = 3000;

/** A trace whose text timeline is far larger than a pipe's buffer. */
async function longTrace(): Promise<string> {
  const bus = new MemoryBus();
  const file = join(tempDir('retrace-epipe-'), 'long.trace.jsonl');
  const rec = await startRecorder(bus, 'long', file);
  for (let i = 0; i < MESSAGES; i++) await bus.publish('retrace.long.work.coder', { type: 'agent.work', body: { job: `coder:file-${i}.ts` }, sender: 'conductor' });
  await waitFor(() => rec.count === MESSAGES, 'every message recorded');
  await rec.stop();
  await bus.close();
  return file;
}

describe('stdout closed by its reader', () => {
  it('ends `retrace trace` with exit 0 and nothing on stderr', async () => {
    const file = await longTrace();
    const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${bin}" trace "${file}" 2>"${file}.err" | head -n 2; s=$?; cat "${file}.err" >&2; exit $s`], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stdout.split('\n')).toHaveLength(3);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
