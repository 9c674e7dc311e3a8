/**
 * The option every NATS-speaking command takes: `--nats URL` (repeatable, or comma-separated).
 * Credentials come from the URL or the environment (see src/bus/env.ts), never from argv flags.
 */
import type { Command } from 'commander';
import { connectWithEnv } from '../bus/env.ts';

export function addNatsOptions(cmd: Command, required = true): Command {
  const opt = '--nats <url>';
  const text = 'NATS server URL (repeat for a cluster; credentials may ride in the URL)';
  const collect = (v: string, prev: string[] = []) => [...prev, ...v.split(',').filter(Boolean)];
  return required ? cmd.requiredOption(opt, text, collect) : cmd.option(opt, text, collect);
}

export const connectFromOptions = connectWithEnv;
