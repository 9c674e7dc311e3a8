/**
 * Token strings interned to dense integer ids. Ids 0 and 1 are reserved: `BOS` pads the history
 * before a document's first token, `UNK` stands in the history for a token the model never saw.
 * Neither is ever trained as a prediction, so any context containing them is unseen.
 */
export const BOS = 0;
export const UNK = 1;

export class Vocabulary {
  private readonly ids = new Map<string, number>();
  private readonly strings: string[] = ['<s>', '<unk>'];

  /** Number of ids, reserved ones included. */
  get size(): number {
    return this.strings.length;
  }

  /** The id of `token`, interning it when new. */
  intern(token: string): number {
    let id = this.ids.get(token);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(token);
      this.ids.set(token, id);
    }
    return id;
  }

  /** The id of `token`, or -1 when it was never interned. */
  lookup(token: string): number {
    return this.ids.get(token) ?? -1;
  }

  token(id: number): string {
    return this.strings[id] ?? '<unk>';
  }
}
