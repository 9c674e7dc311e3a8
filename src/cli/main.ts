/**
 * Process entry of `retrace`: parses argv, turns thrown errors into one line and an exit code.
 * Exit codes, for every command: 0 done; 1 an unexpected error; 2 bad input (src/cli/bad-input.ts,
 * and every argument error commander finds); commands add their own above 2 (`retrace run`).
 */
import { Command, CommanderError } from 'commander';
import { isBadInput } from './bad-input.ts';
import { buildProgram } from './program.ts';

const EXIT_ERROR = 1;
const EXIT_INPUT = 2;

/**
 * A reader that goes away (`retrace trace run.jsonl | head`) wants nothing more: the command
 * ends there, quietly and successfully, like the Unix tools it is piped into.
 */
function endQuietlyWhenStdoutCloses(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

/** Commander's own exits (help, version, argument errors) are thrown here instead, in every subcommand. */
function throwInsteadOfExiting(cmd: Command): void {
  cmd.exitOverride();
  for (const sub of cmd.commands) throwInsteadOfExiting(sub);
}

/** The exit code of an error that ended a command. */
function exitCodeOf(err: unknown): number {
  // Help and --version exit 0; every other commander exit is an argument it could not take.
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT_INPUT;
  return isBadInput(err) ? EXIT_INPUT : EXIT_ERROR;
}

async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  throwInsteadOfExiting(program);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    // Commander has already said what was wrong.
    if (!(err instanceof CommanderError)) process.stderr.write(`retrace: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = exitCodeOf(err);
  }
}

endQuietlyWhenStdoutCloses();
await main(process.argv);
// Every command releases what it holds before it returns; should something still hold the event
// loop (a bug), the process must not hang for it: exit, saying so.
setTimeout(() => {
  process.stderr.write('retrace: the command finished, but something still held the process; exiting\n');
  process.exit();
}, 10_000).unref();
