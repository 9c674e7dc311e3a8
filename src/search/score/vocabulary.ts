/**
 * Token strings interned to dense integer ids. Ids 0 and 1 are reserved: `BOS` pads the history
 * before a document's first token, `UNK` stands in the history for a token the model never saw.
 * Neither is ever trained as a prediction, so any context containing them is unseen.
 *
 * Lookup works on a range of a larger text (`idOf(text, start, end)`): an open-addressing table of
 * ids keyed by an FNV-1a hash of the characters, compared in place, so scoring never copies a
 * known token out of its context.
 */
export const BOS = 0;
export const UNK = 1;

const EMPTY = -1;

function hashRange(text: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export class Vocabulary {
  private readonly strings: string[] = ['<s>', '<unk>'];
  private slots = new Int32Array(1 << 12).fill(EMPTY);
  private mask = (1 << 12) - 1;

  /** Number of ids, reserved ones included. */
  get size(): number {
    return this.strings.length;
  }

  /** The id of text[start, end), or -1 when it was never interned. */
  idOf(text: string, start: number, end: number): number {
    const length = end - start;
    const strings = this.strings;
    const slots = this.slots;
    let slot = hashRange(text, start, end) & this.mask;
    for (;;) {
      const id = slots[slot]!;
      if (id === EMPTY) return -1;
      const s = strings[id]!;
      if (s.length === length && text.startsWith(s, start)) return id;
      slot = (slot + 1) & this.mask;
    }
  }

  /** The id of `token`, or -1 when it was never interned. */
  lookup(token: string): number {
    return this.idOf(token, 0, token.length);
  }

  /** The id of text[start, end), interning it when new. */
  internRange(text: string, start: number, end: number): number {
    const id = this.idOf(text, start, end);
    return id >= 0 ? id : this.add(text.slice(start, end));
  }

  /** The id of `token`, interning it when new. */
  intern(token: string): number {
    const id = this.lookup(token);
    return id >= 0 ? id : this.add(token);
  }

  token(id: number): string {
    return this.strings[id] ?? '<unk>';
  }

  private add(token: string): number {
    const id = this.strings.length;
    this.strings.push(token);
    if (this.strings.length * 2 > this.slots.length) this.grow();
    else this.place(id);
    return id;
  }

  private place(id: number): void {
    const s = this.strings[id]!;
    let slot = hashRange(s, 0, s.length) & this.mask;
    while (this.slots[slot] !== EMPTY) slot = (slot + 1) & this.mask;
    this.slots[slot] = id;
  }

  private grow(): void {
    this.slots = new Int32Array(this.slots.length * 2).fill(EMPTY);
    this.mask = this.slots.length - 1;
    // Reserved ids are never looked up by text.
    for (let id = UNK + 1; id < this.strings.length; id++) this.place(id);
  }
}
