/**
 * Connecting to NATS: several servers, user/password, token, credentials file, TLS; connection
 * loss and reconnects are logged; failures become BusErrors that say what went wrong without
 * leaking secrets.
 */
import { readFileSync } from 'node:fs';
import {
  connect,
  credsAuthenticator,
  nkeyAuthenticator,
  type NatsConnection,
  type NodeConnectionOptions,
} from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { redactString } from '../log/logger.ts';
import { BusError } from './errors.ts';

export interface NatsConnectOptions {
  /** One URL or several (`nats://host:4222`); the client fails over between them. */
  servers: string | string[];
  user?: string;
  pass?: string;
  token?: string;
  /** Path of a `.creds` file (JWT + NKey seed). */
  credsFile?: string;
  /** An NKey user's seed (`SU...`): the server knows the public key, the seed signs its nonce. */
  nkeySeed?: string;
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
  /** Client name shown by the server's monitoring. */
  name?: string;
  /**
   * Where replies and JetStream deliveries come back: `_INBOX_<user>` by default when a user name
   * is given (so permissions can let each user subscribe to its own inbox only), else `_INBOX`.
   */
  inboxPrefix?: string;
  /** Reconnect attempts after a loss; -1 (forever) by default. */
  maxReconnectAttempts?: number;
  reconnectTimeWaitMs?: number;
  /** Connect timeout; 5 s by default. */
  timeoutMs?: number;
  logger?: Logger;
}

/** The server could not be reached, or refused our credentials. */
export class ConnectFailedError extends BusError {
  override name = 'ConnectFailedError';
  constructor(
    readonly servers: string[],
    readonly reason: 'unreachable' | 'authentication' | 'tls' | 'other',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

function classify(err: unknown): ConnectFailedError['reason'] {
  const text = `${(err as Error)?.name ?? ''} ${(err as Error)?.message ?? ''} ${String((err as { cause?: unknown })?.cause ?? '')}`;
  if (/authori[sz]ation|authentication|auth/i.test(text)) return 'authentication';
  if (/tls|certificate|ssl/i.test(text)) return 'tls';
  if (/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|timeout|connection refused|CONNECTION_REFUSED/i.test(text)) return 'unreachable';
  return 'other';
}

/**
 * Takes credentials out of server URLs (`nats://user:pass@host`, `nats://token@host`): the client
 * is given them as options, and URLs without secrets are what gets logged.
 */
export function splitCredentials(urls: string[]): { servers: string[]; user?: string; pass?: string; token?: string } {
  const out: { servers: string[]; user?: string; pass?: string; token?: string } = { servers: [] };
  for (const raw of urls) {
    const withScheme = /^[a-z]+:\/\//i.test(raw) ? raw : `nats://${raw}`;
    let u: URL;
    try {
      u = new URL(withScheme);
    } catch (err) {
      throw new ConnectFailedError([redactString(raw)], 'other', `not a server URL: ${redactString(raw)}`, { cause: err });
    }
    if (u.username) {
      const name = decodeURIComponent(u.username);
      if (u.password) {
        out.user ??= name;
        out.pass ??= decodeURIComponent(u.password);
      } else {
        out.token ??= name;
      }
      u.username = '';
      u.password = '';
    }
    out.servers.push(u.toString().replace(/\/$/, ''));
  }
  return out;
}

export async function connectNats(opts: NatsConnectOptions): Promise<NatsConnection> {
  const split = splitCredentials(Array.isArray(opts.servers) ? opts.servers : [opts.servers]);
  const servers = split.servers;
  if (servers.length === 0) throw new ConnectFailedError([], 'other', 'no NATS server URL given');
  opts = { ...opts };
  if (split.user !== undefined) opts.user ??= split.user;
  if (split.pass !== undefined) opts.pass ??= split.pass;
  if (split.token !== undefined) opts.token ??= split.token;
  const options: NodeConnectionOptions = {
    servers,
    maxReconnectAttempts: opts.maxReconnectAttempts ?? -1,
    reconnectTimeWait: opts.reconnectTimeWaitMs ?? 500,
    timeout: opts.timeoutMs ?? 5000,
    name: opts.name ?? 'retrace',
    // Each request would otherwise build an Error just to keep a stack for a possible failure;
    // our errors say which subject failed, which is what a caller needs.
    noAsyncTraces: true,
  };
  if (opts.user !== undefined) options.user = opts.user;
  const inboxPrefix = opts.inboxPrefix ?? (opts.user !== undefined ? userInbox(opts.user) : undefined);
  if (inboxPrefix !== undefined) options.inboxPrefix = inboxPrefix;
  if (opts.pass !== undefined) options.pass = opts.pass;
  if (opts.token !== undefined) options.token = opts.token;
  if (opts.credsFile) {
    let creds: Uint8Array;
    try {
      creds = readFileSync(opts.credsFile);
    } catch (err) {
      throw new ConnectFailedError(servers, 'authentication', `cannot read credentials file ${opts.credsFile}: ${(err as Error).message}`, { cause: err });
    }
    checkCredsExpiry(servers, opts.credsFile, creds);
    options.authenticator = credsAuthenticator(creds);
  } else if (opts.nkeySeed !== undefined) {
    const seed = opts.nkeySeed.trim();
    if (!/^SU[A-Z2-7]+$/.test(seed)) throw new ConnectFailedError(servers, 'authentication', 'the NKey seed is not a user seed (SU...)');
    options.authenticator = nkeyAuthenticator(new TextEncoder().encode(seed));
  }
  if (opts.tls) {
    const tls: NonNullable<NodeConnectionOptions['tls']> = {};
    if (opts.tls.caFile) tls.caFile = opts.tls.caFile;
    if (opts.tls.certFile) tls.certFile = opts.tls.certFile;
    if (opts.tls.keyFile) tls.keyFile = opts.tls.keyFile;
    options.tls = tls;
  }
  const shown = servers.map(redactString).join(', ');
  let nc: NatsConnection;
  try {
    nc = await connect(options);
  } catch (err) {
    const reason = classify(err);
    const what =
      reason === 'authentication'
        ? 'refused the credentials'
        : reason === 'unreachable'
          ? 'is unreachable'
          : reason === 'tls'
            ? 'failed the TLS handshake'
            : 'refused the connection';
    throw new ConnectFailedError(servers, reason, `NATS at ${shown} ${what}: ${redactString((err as Error).message)}`, {
      cause: err,
    });
  }
  watchStatus(nc, opts.logger);
  return nc;
}

/** The inbox prefix of a user: `_INBOX_<user>`, the name made a subject token. */
export function userInbox(user: string): string {
  return `_INBOX_${user.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

function watchStatus(nc: NatsConnection, log: Logger | undefined): void {
  if (!log) return;
  void (async () => {
    for await (const s of nc.status()) {
      const server = 'server' in s ? redactString(String(s.server)) : undefined;
      switch (s.type) {
        case 'disconnect':
          log.warn({ server }, 'NATS connection lost');
          break;
        case 'reconnect':
          log.info({ server }, 'NATS reconnected');
          break;
        case 'reconnecting':
          log.debug('NATS reconnecting');
          break;
        case 'error':
          log.error({ error: redactString(String((s as { error?: unknown }).error)) }, 'NATS error');
          break;
        default:
          log.debug({ status: s.type }, 'NATS status');
      }
    }
  })().catch(() => {});
}

/**
 * A user JWT that has expired is refused by the server with the same "Authorization Violation" as
 * any other bad credential: say which it is before connecting. The claims are read, not verified
 * (the server verifies them); nothing secret goes into the message.
 */
function checkCredsExpiry(servers: string[], file: string, creds: Uint8Array): void {
  const jwt = /-----BEGIN NATS USER JWT-----\s*([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/.exec(new TextDecoder().decode(creds))?.[1];
  if (!jwt) throw new ConnectFailedError(servers, 'authentication', `credentials file ${file} holds no user JWT`);
  let exp: unknown;
  try {
    exp = (JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
  } catch {
    throw new ConnectFailedError(servers, 'authentication', `credentials file ${file}: the user JWT does not decode`);
  }
  if (typeof exp === 'number' && exp * 1000 <= Date.now()) {
    throw new ConnectFailedError(servers, 'authentication', `credentials file ${file}: the user JWT expired at ${new Date(exp * 1000).toISOString()}`);
  }
}
