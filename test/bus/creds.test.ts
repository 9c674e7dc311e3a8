/**
 * `.creds` files (decentralised JWT auth, "operator mode") for real: the test makes an operator, a
 * system account, an account with JetStream and users, with NKeys and JWTs (@nats-io/jwt), and
 * starts a nats-server that trusts the operator and knows the accounts (memory resolver). A process
 * given a creds file through RETRACE_NATS_CREDS connects, serves and requests, uses a work queue;
 * a user whose JWT limits what it may publish is refused elsewhere; creds the server must refuse
 * (unknown account, JWT signed by the wrong key, seed not matching the JWT, expired JWT) fail
 * with a ConnectFailedError that names the cause and shows neither the seed nor the JWT.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import {
  createAccount,
  createOperator,
  createUser,
  encodeAccount,
  encodeOperator,
  encodeUser,
  fmtCreds,
  type KeyPair,
  type User,
} from '@nats-io/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectFailedError, NatsBus } from '../../src/bus/mod.ts';
import { connectWithEnv } from '../../src/bus/env.ts';
import type { Job } from '../../src/bus/types.ts';
import { startNatsServer, type NatsServerHandle } from '../support/nats-server.ts';
import { sleep, waitFor } from '../support/wait.ts';

const dec = new TextDecoder();
const tmp = mkdtempSync(join(tmpdir(), 'retrace-creds-'));
const operator = createOperator();
const system = createAccount();
const account = createAccount();
/** An account whose JWT gives it no JetStream. */
const noJs = createAccount();
let server: NatsServerHandle;
const buses: NatsBus[] = [];

/** Everything needed to tell that a secret leaked: the seed, the JWT and its signed parts. */
interface Creds {
  file: string;
  seed: string;
  jwt: string;
}

async function writeCreds(name: string, jwt: string, key: KeyPair): Promise<Creds> {
  const file = join(tmp, `${name}.creds`);
  writeFileSync(file, fmtCreds(jwt, key), { mode: 0o600 });
  return { file, seed: dec.decode(key.getSeed()), jwt };
}

async function userCreds(name: string, issuer: KeyPair, user: Partial<User> = {}, opts: { exp?: number } = {}): Promise<Creds> {
  const key = createUser();
  return writeCreds(name, await encodeUser(name, key, issuer, user, opts), key);
}

async function connectAs(creds: Creds, name: string): Promise<NatsBus> {
  const bus = await connectWithEnv([server.url], undefined, name, { RETRACE_NATS_CREDS: creds.file });
  buses.push(bus);
  return bus;
}

let full: Creds;
let graphOnly: Creds;

beforeAll(async () => {
  const opJwt = await encodeOperator('retrace-test-op', operator, { system_account: system.getPublicKey() });
  const sysJwt = await encodeAccount('SYS', system, {}, { signer: operator });
  // Without JetStream limits an account in operator mode has no JetStream; -1 is unlimited.
  const accJwt = await encodeAccount(
    'RETRACE',
    account,
    {
      limits: {
        subs: -1,
        data: -1,
        payload: -1,
        imports: -1,
        exports: -1,
        wildcards: true,
        conn: -1,
        leaf: -1,
        mem_storage: -1,
        disk_storage: -1,
        streams: -1,
        consumer: -1,
      },
    },
    { signer: operator },
  );
  const noJsJwt = await encodeAccount('NOJS', noJs, { limits: { subs: -1, data: -1, payload: -1, imports: -1, exports: -1, wildcards: true, conn: -1, leaf: -1 } }, { signer: operator });
  server = await startNatsServer({
    extraConfig: [
      `operator: "${opJwt}"`,
      `system_account: ${system.getPublicKey()}`,
      'resolver: MEMORY',
      `resolver_preload: {\n  ${account.getPublicKey()}: "${accJwt}"\n  ${noJs.getPublicKey()}: "${noJsJwt}"\n  ${system.getPublicKey()}: "${sysJwt}"\n}`,
    ].join('\n'),
  });
  full = await userCreds('full', account);
  graphOnly = await userCreds('graph-only', account, { pub: { allow: ['retrace.graph.>'] } });
});

afterAll(async () => {
  for (const b of buses) await b.close().catch(() => {});
  await server?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('.creds files (operator mode)', () => {
  it('says so when the account has no JetStream (its JWT has no JetStream limits)', async () => {
    const bus = await connectAs(await userCreds('no-js', noJs), 'creds-nojs');
    await expect(bus.workQueue('nojsq', { subjects: ['retrace.nojs.>'], ackWaitMs: 2000, maxDeliver: 3 })).rejects.toThrow(/account JWT needs JetStream limits/);
  });

  it('connects with RETRACE_NATS_CREDS: a request/reply round trip and a JetStream work queue', async () => {
    const served = await connectAs(full, 'creds-service');
    const caller = await connectAs(full, 'creds-caller');
    const svc = await served.service({
      name: 'creds-echo',
      version: '1.0.0',
      endpoints: [{ name: 'echo', subject: 'retrace.creds.echo', handler: (m) => ({ type: 'echo.reply', body: { got: m.body } }) }],
    });
    const reply = await caller.request<{ got: unknown }>('retrace.creds.echo', { type: 'echo.request', body: { n: 7 } });
    expect(reply.type).toBe('echo.reply');
    expect(reply.body).toEqual({ got: { n: 7 } });
    await svc.stop();

    // JetStream works for the account: the bus's work queues are streams.
    const q = await caller.workQueue('credsq', { subjects: ['retrace.work.credsq.>'], ackWaitMs: 2000, maxDeliver: 3 });
    await q.enqueue('retrace.work.credsq.job', { type: 'job', body: { id: 1 } });
    const worker = await served.workQueue('credsq', { subjects: ['retrace.work.credsq.>'], ackWaitMs: 2000, maxDeliver: 3 });
    const seen: Job<{ id: number }>[] = [];
    const consumer = worker.consume<{ id: number }>(async (job) => {
      seen.push(job);
    });
    await waitFor(() => seen.length === 1, 'the queued job');
    expect(seen[0]!.body).toEqual({ id: 1 });
    await waitFor(async () => (await q.info()).messages === 0, 'the job acked');
    await consumer.stop();
  });

  it("refuses a user publishing outside its JWT's permissions, and delivers what it may publish", async () => {
    const observer = await connectAs(full, 'creds-observer');
    const limited = await connectAs(graphOnly, 'creds-limited');
    const got: string[] = [];
    observer.subscribe('retrace.>', (m) => {
      got.push(m.subject);
    });
    await observer.flush();
    const errors: string[] = [];
    void (async () => {
      for await (const s of limited.nc.status()) if (s.type === 'error') errors.push(String((s as { error?: unknown }).error));
    })();
    await limited.publish('retrace.control.coder.drain', { type: 'control.drain', body: { forged: true } });
    await limited.flush();
    await waitFor(() => errors.length > 0, 'the permissions violation');
    expect(errors.join('\n')).toMatch(/permissions violation for publish to "retrace\.control\.coder\.drain"/i);
    await limited.publish('retrace.graph.repo1.changed', { type: 'graph.changed', body: {} });
    await waitFor(() => got.includes('retrace.graph.repo1.changed'), 'the allowed publish');
    await sleep(100);
    expect(got).not.toContain('retrace.control.coder.drain');
  });

  describe('refused creds fail with a clear ConnectFailedError that shows no secret', () => {
    async function refused(creds: Creds): Promise<ConnectFailedError> {
      const started = Date.now();
      const err = await connectWithEnv([server.url], undefined, 'creds-refused', { RETRACE_NATS_CREDS: creds.file }).catch((e: unknown) => e);
      if (err instanceof NatsBus) {
        buses.push(err);
        throw new Error('the server accepted creds it should refuse');
      }
      expect(Date.now() - started).toBeLessThan(5000);
      expect(err).toBeInstanceOf(ConnectFailedError);
      const e = err as ConnectFailedError;
      expect(e.reason).toBe('authentication');
      expect(e.message).toMatch(/refused the credentials|the user JWT expired/);
      if (/refused the credentials/.test(e.message)) expect(e.message).toContain(server.url);
      // Neither the seed nor any part of the JWT (the header is the same for every NATS JWT, so
      // only the claims and the signature are checked), not even in the error as printed.
      const [, claims, signature] = creds.jwt.split('.');
      for (const shown of [e.message, inspect(e, { depth: 5 })]) {
        expect(shown).not.toContain(creds.seed);
        expect(shown).not.toContain(creds.seed.slice(2, 20));
        expect(shown).not.toContain(creds.jwt);
        expect(shown).not.toContain(claims!.slice(0, 24));
        expect(shown).not.toContain(signature!.slice(0, 24));
      }
      return e;
    }

    it('no creds at all: the server is in operator mode', async () => {
      const err = await NatsBus.connect({ servers: server.url, maxReconnectAttempts: 0 }).catch((e: unknown) => e);
      if (err instanceof NatsBus) buses.push(err);
      expect(err).toBeInstanceOf(ConnectFailedError);
      expect((err as ConnectFailedError).reason).toBe('authentication');
    });

    it('a user of an account the server does not know', async () => {
      const stranger = createAccount();
      const e = await refused(await userCreds('stranger', stranger));
      expect(e.message).toMatch(/authorization violation/i);
    });

    it('a user JWT signed by the wrong key', async () => {
      // Claims that say the account issued them, signed by some other account's key.
      const key = createUser();
      const genuine = await encodeUser('forged', key, account);
      const [header, claims] = genuine.split('.');
      const forger = createAccount();
      const sig = Buffer.from(forger.sign(new TextEncoder().encode(`${header}.${claims}`))).toString('base64url');
      const e = await refused(await writeCreds('forged', `${header}.${claims}.${sig}`, key));
      expect(e.message).toMatch(/authorization violation/i);
    });

    it('a creds file whose seed is not the key the JWT was issued to', async () => {
      const jwt = await encodeUser('mismatched', createUser(), account);
      const e = await refused(await writeCreds('mismatched', jwt, createUser()));
      expect(e.message).toMatch(/authorization violation/i);
    });

    it('an expired user JWT', async () => {
      const e = await refused(await userCreds('expired', account, {}, { exp: Math.floor(Date.now() / 1000) - 60 }));
      expect(e.message).toMatch(/the user JWT expired at \d{4}-\d\d-\d\dT/);
    });

    it('a file that holds no user JWT', async () => {
      const file = join(tmp, 'not-creds.creds');
      writeFileSync(file, 'just some text\n', { mode: 0o600 });
      const e = await NatsBus.connect({ servers: server.url, credsFile: file, maxReconnectAttempts: 0 }).catch((err: unknown) => err);
      expect(e).toBeInstanceOf(ConnectFailedError);
      expect((e as Error).message).toMatch(/holds no user JWT/);
    });
  });
});
