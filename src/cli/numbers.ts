/**
 * Commander argument parsers for numeric options: a value that is not the number asked for is an
 * argument error (exit 2, with the option named by commander), never a NaN that surfaces later.
 * Defaults given as numbers are not parsed.
 */
import { InvalidArgumentError } from 'commander';

function wholeNumber(raw: string, min: number): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`expected a whole number >= ${min}`);
  return n;
}

/** 0, 1, 2, ... */
export const nonNegativeInt = (raw: string): number => wholeNumber(raw, 0);
/** 1, 2, 3, ... */
export const positiveInt = (raw: string): number => wholeNumber(raw, 1);
