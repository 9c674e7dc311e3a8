/**
 * What counts as bad input — an argument, an option, a file or a spec the user gave that the
 * command cannot take — and so ends the command with exit code 2 instead of 1 (src/cli/main.ts
 * decides once, for every command). A command throws one of these and needs no handler of its own.
 */
import { PolicyConfigError } from '../agents/openai/errors.ts';
import { PolicyParamsError, UnknownPolicyError } from '../agents/policy.ts';
import { RepoUnavailableError } from '../agents/workspace.ts';
import { CardInputError } from '../dataset/card.ts';
import { DatasetReadError } from '../dataset/io/errors.ts';
import { OutputSettingsError } from '../dataset/output.ts';
import { TokenizerError } from '../dataset/tokenizer.ts';
import { DatasetFormatError } from '../dataset/verify.ts';
import { UnknownFileError } from '../graph/mod.ts';
import { RepoPathError } from '../paths/repo-path.ts';
import { CheckpointMismatchError } from '../run/checkpoint.ts';
import { ReplayError } from '../run/replay.ts';
import { InputError, MissingAgentsError } from '../run/run-job.ts';
import { DatasetInputError } from '../stats/mod.ts';
import { TraceFormatError } from '../trace/mod.ts';

/** A command line the command cannot act on: a missing or conflicting option, an unknown name. */
export class UsageError extends Error {
  override name = 'UsageError';
}

const BAD_INPUT: ReadonlyArray<abstract new (...args: never[]) => Error> = [
  UsageError,
  InputError,
  MissingAgentsError,
  CheckpointMismatchError,
  RepoUnavailableError,
  RepoPathError,
  ReplayError,
  DatasetInputError,
  DatasetFormatError,
  DatasetReadError,
  CardInputError,
  OutputSettingsError,
  TokenizerError,
  TraceFormatError,
  UnknownFileError,
  UnknownPolicyError,
  PolicyParamsError,
  PolicyConfigError,
];

/** Whether `err` is the user's input at fault (exit 2), not the program or its surroundings (exit 1). */
export function isBadInput(err: unknown): boolean {
  if (BAD_INPUT.some((kind) => err instanceof kind)) return true;
  // A file named on the command line that is not there.
  return (err as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}
