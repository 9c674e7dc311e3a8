/** Prompt templates written for the tests, and a directory to hold them. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../../support/tmp.ts';

/** A file-intent template that the fake model still reads (its Task line and facts block). */
export const CUSTOM_FILE_INTENT = [
  'A shorter coder.',
  '--- system',
  'You are a terse coder.',
  '{{> rules}}',
  '--- user',
  'Task: file-intent',
  'Write {{path}}{{#inPieces}} in {{chunks}} pieces{{/inPieces}}.',
  '{{> facts}}',
  'Answer {"thought": string}.',
  '',
].join('\n');

/** A temporary directory holding `files` (name -> text), removed after the test file. */
export function dirWith(files: Record<string, string>): string {
  const dir = tempDir('retrace-prompts-');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
