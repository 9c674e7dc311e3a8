/**
 * A Knowledge built on another (`extend`) and one told of names by reference (`addNameSet`)
 * know exactly what one Knowledge told everything directly knows: the same answer to any code.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Knowledge } from '../../src/boundary/mod.ts';

const lib = join(import.meta.dirname, '../../node_modules/commander/lib');
const brief = readFileSync(join(lib, 'option.js'), 'utf8');
const read = readFileSync(join(lib, 'argument.js'), 'utf8');
const target = readFileSync(join(lib, 'help.js'), 'utf8');
const names = ['Help', 'Option', 'visibleCommands', 'padWidth', 'wrap', 'notDefinedAnywhere'];

describe('layered knowledge', () => {
  it('answers any code as the same texts and names told to one Knowledge', () => {
    const flat = new Knowledge('javascript').addText(brief).addText(read).addNames(names);
    const base = new Knowledge(null).addText(brief);
    const layered = base.extend('javascript').addText(read).addNameSet(new Set(names.slice(0, 3))).addNames(names.slice(3));
    for (const code of [target, read, 'const x = 12345; padWidth(visibleCommands("--help"));']) {
      expect(layered.answer(code)).toEqual(flat.answer(code));
    }
    expect(new Set(layered.knownNames())).toEqual(new Set(flat.knownNames()));
    expect(layered.knownNames().size).toBe(flat.knownNames().size);
    for (const n of ['padWidth', 'Option', 'helpWidth', 'nothingLikeIt']) expect(layered.knows(n)).toBe(flat.knows(n));
  });

  it('shares its base between many, and the base learns no more once built on', () => {
    const base = new Knowledge(null).addText(brief);
    const a = base.extend('javascript').addText('const onlyInA = 1;');
    const b = base.extend('python');
    expect(a.knows('onlyInA')).toBe(true);
    expect(b.knows('onlyInA')).toBe(false);
    expect(b.knows('Option')).toBe(true);
    expect(() => base.addText('late')).toThrow(/learns no more/);
    expect(() => base.addNames(['late'])).toThrow(/learns no more/);
  });
});
