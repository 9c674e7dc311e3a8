/**
 * Connection options every NATS-speaking command takes: `--nats URL` (repeatable, or
 * comma-separated), credentials from the URL or from RETRACE_NATS_USER / RETRACE_NATS_PASSWORD /
 * RETRACE_NATS_TOKEN / RETRACE_NATS_CREDS, TLS CA from RETRACE_NATS_CA — secrets stay out of argv.
 */
import type { Command } from 'commander';
import { NatsBus, type NatsBusOptions } from '../bus/mod.ts';
import type { Logger } from '../log/logger.ts';

export function addNatsOptions(cmd: Command, required = true): Command {
  const opt = '--nats <url>';
  const text = 'NATS server URL (repeat for a cluster; credentials may ride in the URL)';
  const collect = (v: string, prev: string[] = []) => [...prev, ...v.split(',').filter(Boolean)];
  return required ? cmd.requiredOption(opt, text, collect) : cmd.option(opt, text, collect);
}

export async function connectFromOptions(urls: string[], log?: Logger, name?: string): Promise<NatsBus> {
  const opts: NatsBusOptions = { servers: urls };
  const env = process.env;
  if (env.RETRACE_NATS_USER) opts.user = env.RETRACE_NATS_USER;
  if (env.RETRACE_NATS_PASSWORD) opts.pass = env.RETRACE_NATS_PASSWORD;
  if (env.RETRACE_NATS_TOKEN) opts.token = env.RETRACE_NATS_TOKEN;
  if (env.RETRACE_NATS_CREDS) opts.credsFile = env.RETRACE_NATS_CREDS;
  if (env.RETRACE_NATS_CA) opts.tls = { caFile: env.RETRACE_NATS_CA };
  if (log) opts.logger = log;
  if (name) opts.name = name;
  return NatsBus.connect(opts);
}
