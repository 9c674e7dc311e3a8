/**
 * The shipped nats-server configs are valid, and the permissions really confine each kind of
 * process to its subjects.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsBus, NoRespondersError } from '../../src/bus/mod.ts';
import { startNatsServer, type NatsServerHandle } from '../support/nats-server.ts';
import { sleep } from '../support/wait.ts';

const dir = join(import.meta.dirname, '../../services/nats');
const env = { ...process.env, RETRACE_DRIVER_PASSWORD: 'd', RETRACE_PLANNER_PASSWORD: 'p', RETRACE_ARCHITECT_PASSWORD: 'a', RETRACE_CODER_PASSWORD: 'c', RETRACE_TESTER_PASSWORD: 't', RETRACE_DEBUGGER_PASSWORD: 'b', RETRACE_GRAPH_PASSWORD: 'g', RETRACE_SCORER_PASSWORD: 's', RETRACE_SEARCH_PASSWORD: 'q' };

describe('services/nats configs', () => {
  it.each(['single.conf', 'cluster-1.conf', 'cluster-2.conf', 'cluster-3.conf'])('%s is valid', (file) => {
    const r = spawnSync('nats-server', ['-c', file, '-t'], { cwd: dir, env, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/is valid/);
  });

  describe('permissions', () => {
    let server: NatsServerHandle;
    beforeAll(async () => {
      const perms = readFileSync(join(dir, 'permissions.conf'), 'utf8').replace(/\$RETRACE_(\w+)_PASSWORD/g, (_m, who: string) => `"${who.toLowerCase()}-pw"`);
      server = await startNatsServer({ extraConfig: perms });
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('lets a scoring node answer scoring requests but not listen to graph queries', async () => {
      const scorer = await NatsBus.connect({ servers: server.url, user: 'scorer', pass: 'scorer-pw' });
      const driver = await NatsBus.connect({ servers: server.url, user: 'driver', pass: 'driver-pw' });
      scorer.reply('retrace.score.embedded', () => ({ type: 'score.result', body: 1 }));
      scorer.reply('retrace.graph.repo.deps', () => ({ type: 'graph.deps', body: [] }));
      await scorer.flush();
      await sleep(50);
      expect((await driver.request<number>('retrace.score.embedded', { type: 'score.request', body: {} })).body).toBe(1);
      await expect(driver.request('retrace.graph.repo.deps', { type: 'q', body: {} }, { timeoutMs: 1000 })).rejects.toBeInstanceOf(
        NoRespondersError,
      );
      await scorer.close().catch(() => {});
      await driver.close();
    });
  });
});
