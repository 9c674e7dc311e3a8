/** Which files are parsed, and as which grammar: by extension, the way editors decide. */
import type { LanguageId } from './types.ts';

const byExtension: Readonly<Record<string, LanguageId>> = {
  '.ts': 'typescript',
  '.mts': 'typescript',
  '.cts': 'typescript',
  '.tsx': 'tsx',
  '.js': 'javascript',
  '.mjs': 'javascript',
  '.cjs': 'javascript',
  '.jsx': 'javascript',
  '.py': 'python',
  '.pyi': 'python',
  '.go': 'go',
  '.rs': 'rust',
  '.java': 'java',
  '.c': 'c',
  '.h': 'c',
  '.cc': 'cpp',
  '.cpp': 'cpp',
  '.cxx': 'cpp',
  '.hh': 'cpp',
  '.hpp': 'cpp',
  '.hxx': 'cpp',
};

export const languages: readonly LanguageId[] = ['typescript', 'tsx', 'javascript', 'python', 'go', 'rust', 'java', 'c', 'cpp'];

export function extensionOf(path: string): string {
  const slash = path.lastIndexOf('/');
  const dot = path.lastIndexOf('.');
  return dot > slash + 1 ? path.slice(dot).toLowerCase() : '';
}

export function languageOf(path: string): LanguageId | null {
  return byExtension[extensionOf(path)] ?? null;
}

/** TS, TSX and JS share one import syntax and one resolver. */
export function isScriptLanguage(lang: LanguageId): boolean {
  return lang === 'typescript' || lang === 'tsx' || lang === 'javascript';
}
