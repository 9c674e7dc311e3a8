/**
 * `retrace scorer-node --backend sglang`: a scoring node (a separate process on a real
 * nats-server) that scores on an SGLang server (the fake, speaking the /generate wire), reached
 * through the ScoringClient as any other node.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsBus } from '../../src/bus/mod.ts';
import { ScoringClient } from '../../src/search/score/client.ts';
import { natsServerAvailable, startNatsServer, type NatsServerHandle } from '../support/nats-server.ts';
import { FakeSglang, sglangExpected } from './support/fake-sglang.ts';

describe.skipIf(!natsServerAvailable())('retrace scorer-node --backend sglang', () => {
  let nats: NatsServerHandle;
  let server: FakeSglang;
  let child: ChildProcess;
  let stderr = '';
  beforeAll(async () => {
    nats = await startNatsServer({ jetstream: false });
    server = await FakeSglang.start({ model: 'coder-1b' });
    child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'scorer-node', '--backend', 'sglang', '--model', 'coder-1b', '--endpoint', server.url, '--nats', nats.url], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const deadline = Date.now() + 30_000;
    while (!/serving retrace\.score\.coder-1b/.test(stderr)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`scorer-node did not start:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 40_000);
  afterAll(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await server.close();
    await nats.stop();
  });

  it('answers with the SGLang server\'s log-probs, one /generate per chunk of items', async () => {
    const bus = await NatsBus.connect({ servers: nats.url });
    try {
      const client = new ScoringClient({ bus, model: 'coder-1b', timeoutMs: 20_000 });
      const items = [{ context: 'import { tokenize } from', target: " './tokenize.ts';\n" }, { context: 'let n = 0;\n', target: 'n += 1;\n' }];
      const results = await client.scoreBatch(items);
      results.forEach((r, k) => expect(r.logprob).toBeCloseTo(sglangExpected(items[k]!.context, items[k]!.target).logprob, 9));
      expect(server.count('generate')).toBe(1);
    } finally {
      await bus.close();
    }
  }, 40_000);
});
