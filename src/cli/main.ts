/** Process entry of `retrace`: parses argv, turns thrown errors into one line and an exit code. */
import { CommanderError } from 'commander';
import { buildProgram } from './program.ts';

async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    process.stderr.write(`retrace: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}

await main(process.argv);
// Every command releases what it holds before it returns; should something still hold the event
// loop (a bug), the process must not hang for it: exit, saying so.
setTimeout(() => {
  process.stderr.write('retrace: the command finished, but something still held the process; exiting\n');
  process.exit();
}, 10_000).unref();
