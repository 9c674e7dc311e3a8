import { describe, expect, it } from 'vitest';
import { tokenize } from '../../src/search/score/tokenize.ts';
import { realCode } from './support/real-code.ts';

describe('tokenize', () => {
  it('is lossless on real source files', () => {
    for (const file of realCode(30)) expect(tokenize(file.text).join('')).toBe(file.text);
  });

  it('keeps identifiers, numbers, strings, operators, blanks and newlines with indentation', () => {
    expect(tokenize('if (a_1 !== 0x1F) {\n    return "x y";\n}')).toEqual([
      'if', ' ', '(', 'a_1', ' ', '!==', ' ', '0x1F', ')', ' ', '{', '\n    ', 'return', ' ', '"', 'x', ' ', 'y', '"', ';', '\n', '}',
    ]);
  });

  it('reads decimals and arrows, and keeps CRLF and tabs', () => {
    expect(tokenize('x => 3.14\r\n\tf?.(y)...z')).toEqual(['x', ' ', '=>', ' ', '3.14', '\r\n\t', 'f', '?.', '(', 'y', ')', '...', 'z']);
  });

  it('treats non-ASCII letters as identifier characters', () => {
    expect(tokenize('größe = café;')).toEqual(['größe', ' ', '=', ' ', 'café', ';']);
  });
});
