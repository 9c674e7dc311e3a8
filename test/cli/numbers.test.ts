/**
 * The service commands' numeric options and early usage checks, parsed by the real command tree
 * in process (a spawned process per case costs seconds on a loaded machine; test/cli/exit-codes
 * checks that such errors become exit 2 in a real process): a value that is not the number asked
 * for is an argument error naming the option, a bad combination is bad input (exit 2), and both
 * are found before anything connects.
 */
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { isBadInput } from '../../src/cli/bad-input.ts';
import { buildProgram } from '../../src/cli/program.ts';
import { tempDir } from '../support/tmp.ts';

function quiet(cmd: Command): Command {
  cmd.exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  for (const sub of cmd.commands) quiet(sub);
  return cmd;
}

async function parseError(...args: string[]): Promise<unknown> {
  try {
    await quiet(buildProgram()).parseAsync(['node', 'retrace', ...args]);
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('numeric options of the service commands', () => {
  it.each([
    ['agent', 'coder', '--ack-wait', 'soon'],
    ['agent', 'coder', '--concurrency', '0'],
    ['agent', 'coder', '--max-deliver', '-1'],
    ['search-service', '--max-deliver', '2.5'],
    ['search-service', '--score-timeout', '-1'],
    ['search-service', '--ack-wait', '1e400'],
    ['scorer-node', '--order', 'four'],
    ['scorer-node', '--batch-size', ''],
    ['graph', '.', '--workers', 'many'],
    ['--outage-ms', 'forever', 'runs'],
  ].map((args) => [args.join(' '), args] as const))('%s: refused as an argument', async (_name, args) => {
    const err = await parseError(...args);
    expect(err).toBeInstanceOf(CommanderError);
    expect((err as CommanderError).code).toBe('commander.invalidArgument');
    expect((err as CommanderError).message).toMatch(/is invalid\. (expected a whole number >= \d|a whole number of milliseconds)/);
  });
});

describe('usage errors found before anything connects', () => {
  const dir = tempDir('retrace-numbers-');
  // No server listens here: each error must come before a connection is tried.
  const nats = ['--nats', 'nats://127.0.0.1:9'];
  it.each([
    ['graph', join(dir, 'missing')],
    ['graph-service', join(dir, 'missing'), ...nats],
    ['scorer-node', '--backend', 'openai', ...nats],
    ['scorer-node', '--backend', 'openai', '--model', 'm', ...nats],
    ['scorer-node', '--backend', 'tpu', ...nats],
    ['scorer-node', '--backend', 'openai', '--model', 'm', '--endpoint', 'http://127.0.0.1:9/v1', '--mode', 'guess', ...nats],
    ['search-service', '--corpus-scoring', 'elsewhere', ...nats],
  ].map((args) => [args.join(' '), args] as const))('%s: bad input', async (_name, args) => {
    const err = await parseError(...args);
    expect(err).toBeInstanceOf(Error);
    expect(isBadInput(err), String(err)).toBe(true);
  });
});
