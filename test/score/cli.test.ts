import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsBus } from '../../src/bus/mod.ts';
import { ScoringClient } from '../../src/search/score/client.ts';
import { natsServerAvailable, startNatsServer, type NatsServerHandle } from '../support/nats-server.ts';

describe.skipIf(!natsServerAvailable())('retrace scorer-node (a separate process on NATS)', () => {
  let nats: NatsServerHandle;
  let child: ChildProcess;
  let stderr = '';
  beforeAll(async () => {
    nats = await startNatsServer({ jetstream: false });
    child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'scorer-node', '--backend', 'embedded', '--nats', nats.url, '--order', '3', '--train', 'src/search/score'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const deadline = Date.now() + 20_000;
    while (!/serving retrace\.score\.embedded-kn3/.test(stderr)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`scorer-node did not start:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  afterAll(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await nats.stop();
  });

  it('serves scores, then stops cleanly on SIGTERM', async () => {
    expect(stderr).toMatch(/trained embedded-kn3 on \d+ files/);
    const bus = await NatsBus.connect({ servers: nats.url });
    try {
      const client = new ScoringClient({ bus, model: 'embedded-kn3', timeoutMs: 10_000 });
      const [r] = await client.scoreBatch([{ context: 'import { tokenize } from', target: " './tokenize.ts';\n" }]);
      expect(r!.tokens.join('')).toBe(" './tokenize.ts';\n");
      expect(r!.logprob).toBeLessThan(0);
      expect(r!.logprob / r!.tokens.length).toBeGreaterThan(-3);
    } finally {
      await bus.close();
    }
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
