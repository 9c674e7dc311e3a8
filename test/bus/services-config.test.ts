/**
 * The shipped nats-server configs are valid, the single server listens and stores where its
 * environment says (single.sh's defaults otherwise), and the permissions really confine each kind
 * of process to its subjects.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsBus, NoRespondersError } from '../../src/bus/mod.ts';
import { freePort, startNatsServer, type NatsServerHandle } from '../support/nats-server.ts';
import { tempDir } from '../support/tmp.ts';
import { sleep, waitFor } from '../support/wait.ts';

const dir = join(import.meta.dirname, '../../services/nats');
const single = { RETRACE_NATS_HOST: '127.0.0.1', RETRACE_NATS_PORT: '4222', RETRACE_NATS_HTTP_PORT: '8222', RETRACE_NATS_STORE_DIR: '/var/lib/retrace/nats' };
const env = { ...process.env, ...single, RETRACE_DRIVER_PASSWORD: 'd', RETRACE_PLANNER_PASSWORD: 'p', RETRACE_ARCHITECT_PASSWORD: 'a', RETRACE_CODER_PASSWORD: 'c', RETRACE_TESTER_PASSWORD: 't', RETRACE_DEBUGGER_PASSWORD: 'b', RETRACE_GRAPH_PASSWORD: 'g', RETRACE_SCORER_PASSWORD: 's', RETRACE_SEARCH_PASSWORD: 'q' };

describe('services/nats configs', () => {
  it.each(['single.conf', 'cluster-1.conf', 'cluster-2.conf', 'cluster-3.conf'])('%s is valid', (file) => {
    const r = spawnSync('nats-server', ['-c', file, '-t'], { cwd: dir, env, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/is valid/);
  });

  it("single.sh's defaults make single.conf valid, and single.conf alone names the variable it lacks", () => {
    const { RETRACE_NATS_HOST: _h, RETRACE_NATS_PORT: _p, RETRACE_NATS_HTTP_PORT: _m, RETRACE_NATS_STORE_DIR: _s, ...bare } = process.env;
    const defaults = spawnSync(join(dir, 'single.sh'), ['-t'], { env: bare, encoding: 'utf8' });
    expect(defaults.status, defaults.stderr).toBe(0);
    const alone = spawnSync('nats-server', ['-c', 'single.conf', '-t'], { cwd: dir, env: bare, encoding: 'utf8' });
    expect(alone.status).not.toBe(0);
    expect(alone.stdout + alone.stderr).toMatch(/RETRACE_NATS_HOST/);
  });

  it('single.sh serves JetStream on the port and in the store directory its environment names', async () => {
    const port = await freePort();
    const store = tempDir('retrace-single-');
    const server = spawn(join(dir, 'single.sh'), [], { env: { ...process.env, RETRACE_NATS_PORT: String(port), RETRACE_NATS_HTTP_PORT: String(await freePort()), RETRACE_NATS_STORE_DIR: store }, stdio: 'ignore' });
    const exited = new Promise((resolve) => server.once('exit', resolve));
    try {
      let bus: NatsBus | undefined;
      await waitFor(async () => {
        bus = await NatsBus.connect({ servers: `nats://127.0.0.1:${port}` }).catch(() => undefined);
        return bus !== undefined;
      }, 'the server to listen', 15_000);
      const kv = await bus!.kv<string>('single-check');
      await kv.put('k', 'stored');
      expect((await kv.get('k'))?.value).toBe('stored');
      await bus!.close();
      expect(readdirSync(store)).toContain('jetstream');
    } finally {
      server.kill('SIGTERM');
      await exited;
    }
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
