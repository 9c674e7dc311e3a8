/**
 * Starts a real nats-server for tests: a free loopback port, JetStream with its store in a temp
 * dir, an 8 MiB max payload; `stop()` kills it and removes the dir, `restart()` brings it back on
 * the same port and store (for crash/recovery tests). Needs `nats-server` on PATH
 * (Debian: `apt-get install -y nats-server`).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface NatsServerOptions {
  /** Extra lines for the server config (e.g. an `authorization { ... }` block). */
  extraConfig?: string;
  jetstream?: boolean;
}

export interface NatsServerHandle {
  url: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
  /** SIGKILL: an abrupt crash, nothing flushed. */
  kill(): Promise<void>;
  restart(): Promise<void>;
}

export function natsServerAvailable(): boolean {
  return spawnSync('nats-server', ['--version']).status === 0;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, log: () => string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nats-server exited with ${child.exitCode}:\n${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = tcpConnect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nats-server did not listen on ${port} within ${timeoutMs} ms:\n${log()}`);
}

export async function startNatsServer(opts: NatsServerOptions = {}): Promise<NatsServerHandle> {
  if (!natsServerAvailable()) {
    throw new Error('nats-server is not on PATH: install it (Debian: apt-get install -y nats-server)');
  }
  const dir = mkdtempSync(join(tmpdir(), 'retrace-nats-'));
  const port = await freePort();
  const conf = join(dir, 'nats.conf');
  const js = opts.jetstream ?? true;
  writeFileSync(
    conf,
    [
      `listen: 127.0.0.1:${port}`,
      'max_payload: 8MB',
      js ? `jetstream { store_dir: "${join(dir, 'js')}", max_memory_store: 256MB, max_file_store: 1GB }` : '',
      opts.extraConfig ?? '',
    ].join('\n'),
  );
  let child: ChildProcess;
  let output = '';
  const launch = async () => {
    output = '';
    child = spawn('nats-server', ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    await waitForPort(port, child, () => output);
  };
  const halt = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
  };
  await launch();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    dir,
    kill: () => halt('SIGKILL'),
    restart: async () => {
      await halt('SIGTERM');
      await launch();
    },
    stop: async () => {
      await halt('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
