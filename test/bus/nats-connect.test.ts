/**
 * Connecting to NATS for real: credentials accepted and refused, unreachable servers, failover
 * between URLs, requests cut off by a dying server, secrets kept out of logs, and services visible
 * to standard NATS tooling through the micro-services protocol.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger.ts';
import { BusError, ConnectFailedError, NatsBus } from '../../src/bus/mod.ts';
import { freePort, startNatsServer, type NatsServerHandle } from '../support/nats-server.ts';
import { sleep, unique, waitFor } from '../support/wait.ts';

describe('NatsBus connections', () => {
  let auth: NatsServerHandle;
  let tokenServer: NatsServerHandle;

  beforeAll(async () => {
    auth = await startNatsServer({ extraConfig: 'authorization { user: retrace, password: "s3cret-pw" }' });
    tokenServer = await startNatsServer({ extraConfig: 'authorization { token: "tok-123456" }' });
  });

  afterAll(async () => {
    await auth?.stop();
    await tokenServer?.stop();
  });

  it('connects with a user and password, and refuses wrong ones with a clear error', async () => {
    const bus = await NatsBus.connect({ servers: auth.url, user: 'retrace', pass: 's3cret-pw' });
    await bus.flush();
    await bus.close();
    const err = await NatsBus.connect({ servers: auth.url, user: 'retrace', pass: 'wrong', maxReconnectAttempts: 0 }).catch((e) => e);
    expect(err).toBeInstanceOf(ConnectFailedError);
    expect((err as ConnectFailedError).reason).toBe('authentication');
    expect((err as Error).message).toMatch(/refused the credentials/);
    expect((err as Error).message).not.toContain('wrong');
  });

  it('connects with a token, and refuses a wrong token', async () => {
    const bus = await NatsBus.connect({ servers: tokenServer.url, token: 'tok-123456' });
    await bus.close();
    const err = await NatsBus.connect({ servers: tokenServer.url, token: 'nope', maxReconnectAttempts: 0 }).catch((e) => e);
    expect((err as ConnectFailedError).reason).toBe('authentication');
  });

  it('says a server is unreachable, and fails over to the next URL', async () => {
    const dead = `nats://127.0.0.1:${await freePort()}`;
    const err = await NatsBus.connect({ servers: dead, maxReconnectAttempts: 0, timeoutMs: 1000 }).catch((e) => e);
    expect(err).toBeInstanceOf(ConnectFailedError);
    expect((err as ConnectFailedError).reason).toBe('unreachable');
    const bus = await NatsBus.connect({ servers: [dead, tokenServer.url], token: 'tok-123456' });
    expect(bus.nc.getServer()).toContain(String(tokenServer.port));
    await bus.close();
  });

  it('fails a request in flight with a bus error when the server dies', async () => {
    const server = await startNatsServer();
    const bus = await NatsBus.connect({ servers: server.url, maxReconnectAttempts: 0 });
    const s = unique('dying');
    bus.reply(`t.${s}`, async () => {
      await sleep(5000);
      return { type: 'late', body: 1 };
    });
    await bus.flush();
    const pending = bus.request(`t.${s}`, { type: 'q', body: 1 }, { timeoutMs: 3000 }).catch((e) => e);
    await sleep(100);
    await server.kill();
    const err = await pending;
    expect(err).toBeInstanceOf(BusError);
    expect(['ConnectionClosedError', 'TimeoutError']).toContain((err as Error).name);
    await bus.close().catch(() => {});
    await server.stop();
  });

  it('logs connection loss and reconnects without the password', async () => {
    const server = await startNatsServer({ extraConfig: 'authorization { user: u1, password: "pw-xyz-789" }' });
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const logger = createLogger({ destination: sink, level: 'debug' });
    const url = `nats://u1:pw-xyz-789@127.0.0.1:${server.port}`;
    const bus = await NatsBus.connect({ servers: url, logger, reconnectTimeWaitMs: 100 });
    logger.info({ url }, 'connected to %s', url);
    await server.kill();
    await server.restart();
    await waitFor(() => lines.some((l) => l.includes('NATS reconnected')), 'the reconnect to be logged', 15_000);
    expect(lines.some((l) => l.includes('NATS connection lost'))).toBe(true);
    expect(lines.join('')).not.toContain('pw-xyz-789');
    expect(lines.join('')).toContain('[redacted]');
    await bus.close();
    await server.stop();
  }, 30_000);
});

/** A throwaway CA and a server certificate for 127.0.0.1, made with openssl. */
function makeCerts(dir: string): { ca: string; cert: string; key: string } {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=retrace-test-ca');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '1', '-extfile', 'san.ext');
  return { ca: join(dir, 'ca.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server.key') };
}

describe('NatsBus over TLS and with credentials files', () => {
  let server: NatsServerHandle;
  let certDir: string;
  let certs: ReturnType<typeof makeCerts>;
  beforeAll(async () => {
    certDir = mkdtempSync(join(tmpdir(), 'retrace-tls-'));
    certs = makeCerts(certDir);
    server = await startNatsServer({ extraConfig: `tls { cert_file: "${certs.cert}", key_file: "${certs.key}" }` });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(certDir, { recursive: true, force: true });
  });

  it('connects over TLS with the CA, and refuses a server it cannot verify', async () => {
    const bus = await NatsBus.connect({ servers: server.url, tls: { caFile: certs.ca } });
    const s = unique('tls');
    bus.reply(`t.${s}`, (m) => ({ type: 'echo', body: m.body }));
    await bus.flush();
    expect((await bus.request<string>(`t.${s}`, { type: 'q', body: 'over tls' })).body).toBe('over tls');
    await bus.close();
    const err = await NatsBus.connect({ servers: server.url, tls: {}, maxReconnectAttempts: 0, timeoutMs: 2000 }).catch((e) => e);
    expect(err).toBeInstanceOf(ConnectFailedError);
    expect((err as ConnectFailedError).reason).toBe('tls');
  });

  it('says so when a credentials file cannot be read', async () => {
    const err = await NatsBus.connect({ servers: server.url, credsFile: join(certDir, 'missing.creds') }).catch((e) => e);
    expect(err).toBeInstanceOf(ConnectFailedError);
    expect((err as Error).message).toMatch(/cannot read credentials file .*missing\.creds/);
  });
});

describe('NatsBus services and standard NATS tooling', () => {
  let server: NatsServerHandle;
  beforeAll(async () => {
    server = await startNatsServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('answers $SRV.PING, $SRV.INFO and $SRV.STATS as the micro-services protocol says', async () => {
    const bus = await NatsBus.connect({ servers: server.url });
    const name = unique('graph');
    const svc = await bus.service({
      name,
      version: '0.1.0',
      endpoints: [{ name: 'deps', subject: `retrace.graph.r.${name}`, handler: () => ({ type: 'ok', body: [] }) }],
    });
    await bus.request(`retrace.graph.r.${name}`, { type: 'q', body: {} });
    const raw = await connect({ servers: server.url });
    const ping = JSON.parse(new TextDecoder().decode((await raw.request(`$SRV.PING.${name}`)).data));
    expect(ping).toMatchObject({ type: 'io.nats.micro.v1.ping_response', name, id: svc.id, version: '0.1.0' });
    const info = JSON.parse(new TextDecoder().decode((await raw.request(`$SRV.INFO.${name}`)).data));
    expect(info.endpoints.map((e: { subject: string }) => e.subject)).toEqual([`retrace.graph.r.${name}`]);
    const stats = JSON.parse(new TextDecoder().decode((await raw.request(`$SRV.STATS.${name}.${svc.id}`)).data));
    expect(stats.type).toBe('io.nats.micro.v1.stats_response');
    expect(stats.endpoints[0].num_requests).toBe(1);
    expect(stats.endpoints[0].data.numRequests).toBe(1);
    await raw.close();
    await svc.stop();
    await bus.close();
  });
});
