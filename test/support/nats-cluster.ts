/**
 * A real 3-node JetStream cluster on loopback for tests: free client, cluster and monitoring ports,
 * one config per node (`server_name`, routes to every node, its own JetStream store under one
 * temp dir). Nodes can be stopped (SIGTERM), killed (SIGKILL) and started again on the same ports
 * and store. `ready()` waits until every running node reports JetStream healthy (a meta leader is
 * elected). `stop()` stops every node and removes the dir. Needs `nats-server` on PATH.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, natsServerAvailable } from './nats-server.ts';

export interface NatsClusterOptions {
  size?: number;
  /** Extra lines for every node's config (e.g. an `authorization { ... }` block). */
  extraConfig?: string;
  /** Environment of the servers (for `$VARS` in the extra config). */
  env?: NodeJS.ProcessEnv;
}

export interface NatsNode {
  name: string;
  url: string;
  port: number;
  clusterPort: number;
  httpPort: number;
  config: string;
  pid(): number | undefined;
  running(): boolean;
  output(): string;
  start(): Promise<void>;
  /** SIGTERM, waits for the exit. */
  stop(): Promise<void>;
  /** SIGKILL: an abrupt crash. */
  kill(): Promise<void>;
}

export interface NatsClusterHandle {
  nodes: NatsNode[];
  /** Every node's client URL: give clients all of them. */
  urls: string[];
  dir: string;
  /** Resolves when every running node says JetStream is healthy. */
  ready(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

async function healthy(httpPort: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${httpPort}/healthz`, { signal: AbortSignal.timeout(1000) });
    return res.ok;
  } catch {
    return false;
  }
}

export async function startNatsCluster(opts: NatsClusterOptions = {}): Promise<NatsClusterHandle> {
  if (!natsServerAvailable()) throw new Error('nats-server is not on PATH: install it (Debian: apt-get install -y nats-server)');
  const size = opts.size ?? 3;
  const dir = mkdtempSync(join(tmpdir(), 'retrace-cluster-'));
  const ports: Array<{ port: number; clusterPort: number; httpPort: number }> = [];
  const taken = new Set<number>();
  const pick = async () => {
    for (;;) {
      const p = await freePort();
      if (!taken.has(p)) {
        taken.add(p);
        return p;
      }
    }
  };
  for (let i = 0; i < size; i++) ports.push({ port: await pick(), clusterPort: await pick(), httpPort: await pick() });
  const routes = ports.map((p) => `nats-route://127.0.0.1:${p.clusterPort}`);

  const nodes: NatsNode[] = ports.map((p, i) => {
    const name = `retrace-${i + 1}`;
    const store = join(dir, name, 'js');
    mkdirSync(store, { recursive: true });
    const config = join(dir, name, 'nats.conf');
    writeFileSync(
      config,
      [
        `server_name: ${name}`,
        `listen: 127.0.0.1:${p.port}`,
        `http: 127.0.0.1:${p.httpPort}`,
        'max_payload: 8MB',
        `jetstream { store_dir: "${store}", max_memory_store: 256MB, max_file_store: 1GB }`,
        `cluster { name: retrace-test, listen: 127.0.0.1:${p.clusterPort}, routes: [ ${routes.join(', ')} ] }`,
        opts.extraConfig ?? '',
      ].join('\n'),
    );
    let child: ChildProcess | undefined;
    let out = '';
    const halt = async (signal: NodeJS.Signals) => {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill(signal);
      await exited;
    };
    return {
      name,
      url: `nats://127.0.0.1:${p.port}`,
      ...p,
      config,
      pid: () => child?.pid,
      running: () => !!child && child.exitCode === null && child.signalCode === null,
      output: () => out,
      start: async () => {
        if (child && child.exitCode === null && child.signalCode === null) return;
        out = '';
        const c = spawn('nats-server', ['-c', config], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
        child = c;
        c.stdout!.on('data', (d) => (out += d));
        c.stderr!.on('data', (d) => (out += d));
        const deadline = Date.now() + 10_000;
        // Listening on the monitoring port means the config was taken; JetStream health comes later.
        while (!(await fetch(`http://127.0.0.1:${p.httpPort}/varz`).then((r) => r.ok, () => false))) {
          if (c.exitCode !== null) throw new Error(`${name} exited with ${c.exitCode}:\n${out}`);
          if (Date.now() > deadline) throw new Error(`${name} did not start within 10 s:\n${out}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      },
      stop: () => halt('SIGTERM'),
      kill: () => halt('SIGKILL'),
    };
  });

  const handle: NatsClusterHandle = {
    nodes,
    urls: nodes.map((n) => n.url),
    dir,
    ready: async (timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const states = await Promise.all(nodes.filter((n) => n.running()).map((n) => healthy(n.httpPort)));
        if (states.every(Boolean)) return;
        if (Date.now() > deadline) throw new Error(`the cluster's JetStream was not healthy within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stop: async () => {
      await Promise.all(nodes.map((n) => n.stop().catch(() => n.kill())));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await Promise.all(nodes.map((n) => n.start()));
    await handle.ready();
  } catch (err) {
    await handle.stop();
    throw err;
  }
  return handle;
}
