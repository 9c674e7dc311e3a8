/**
 * Model-call entries as files: `<dir>/<first two hex digits>/<key>.json`. A write goes to a
 * temporary file renamed into place, so a reader (another process, a resumed run after a crash)
 * sees a whole entry or none; a leftover temporary file is never read. The folder is made on the
 * first write, so a run that pays for nothing leaves nothing behind.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CallEntry, CallStore } from './call-cache.ts';

export class DiskCallStore implements CallStore {
  constructor(readonly where: string) {}

  async read(key: string): Promise<unknown> {
    let text: string;
    try {
      text = await readFile(this.path(key), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new Error('not JSON');
    }
  }

  async write(key: string, entry: CallEntry): Promise<void> {
    const path = this.path(key);
    await mkdir(join(this.where, key.slice(0, 2)), { recursive: true });
    const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, JSON.stringify(entry));
      await rename(tmp, path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  /** Where the entry of `key` lives (tests corrupt it there). */
  path(key: string): string {
    return join(this.where, key.slice(0, 2), `${key}.json`);
  }
}
