/** The structural reader of each language; JavaScript, TypeScript and TSX have their own (script.ts). */
import type { LanguageId } from '../../graph/mod.ts';
import { cFamily } from './c-family.ts';
import { go } from './go.ts';
import { java } from './java.ts';
import { python } from './python.ts';
import type { LanguageReader } from './reader.ts';
import { rust } from './rust.ts';

const readers: Partial<Record<LanguageId, LanguageReader>> = { python, go, rust, java, c: cFamily, cpp: cFamily };

export function readerFor(language: LanguageId): LanguageReader | undefined {
  return readers[language];
}

export const isScript = (language: LanguageId): boolean => language === 'javascript' || language === 'typescript' || language === 'tsx';
