/** Messages between the parse pool and its workers: plain data, structured-clone safe. */
import type { FileFacts, LanguageId } from './types.ts';

export interface ParseTask {
  path: string;
  language: LanguageId;
  text: string;
}

export interface ParseBatch {
  id: number;
  files: ParseTask[];
}

export interface ParseResult {
  path: string;
  facts: FileFacts;
}

export interface ParseBatchResult {
  id: number;
  results: ParseResult[];
}
