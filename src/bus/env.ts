/**
 * NATS connection settings from the environment, so secrets stay out of argv and process lists:
 * RETRACE_NATS_USER / RETRACE_NATS_PASSWORD / RETRACE_NATS_TOKEN / RETRACE_NATS_CREDS (a .creds
 * file) / RETRACE_NATS_NKEY (a file holding an NKey user seed) / RETRACE_NATS_CA (a CA file for
 * TLS) / RETRACE_NATS_REPLICAS (replicas of the streams and buckets created, 3 on a 3-node
 * cluster) / RETRACE_NATS_INBOX (the inbox prefix: `_INBOX_<user>` by default with a user name, so
 * an NKey or .creds user whose permissions allow it only its own inbox names it here). Credentials
 * in the URLs work too.
 */
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { NatsBus, type NatsBusOptions } from './nats.ts';

export async function connectWithEnv(urls: string[], log?: Logger, name?: string, env: NodeJS.ProcessEnv = process.env): Promise<NatsBus> {
  const opts: NatsBusOptions = { servers: urls };
  if (env.RETRACE_NATS_USER) opts.user = env.RETRACE_NATS_USER;
  if (env.RETRACE_NATS_PASSWORD) opts.pass = env.RETRACE_NATS_PASSWORD;
  if (env.RETRACE_NATS_TOKEN) opts.token = env.RETRACE_NATS_TOKEN;
  if (env.RETRACE_NATS_CREDS) opts.credsFile = env.RETRACE_NATS_CREDS;
  if (env.RETRACE_NATS_NKEY) opts.nkeySeed = readFileSync(env.RETRACE_NATS_NKEY, 'utf8');
  if (env.RETRACE_NATS_REPLICAS) opts.replicas = Number(env.RETRACE_NATS_REPLICAS);
  if (env.RETRACE_NATS_INBOX) opts.inboxPrefix = env.RETRACE_NATS_INBOX;
  if (env.RETRACE_NATS_CA) opts.tls = { caFile: env.RETRACE_NATS_CA };
  if (log) opts.logger = log;
  if (name) opts.name = name;
  return NatsBus.connect(opts);
}
