/** Writing records through a real sink and reading them back through the real reader. */
import { openSink, readRecords, type SinkOptions } from '../../../src/dataset/io/mod.ts';
import type { DatasetRecordV2 } from '../../../src/dataset/record.ts';

export async function writeAll(out: string, recs: DatasetRecordV2[], opts: SinkOptions = {}) {
  const sink = await openSink(out, opts);
  for (const r of recs) await sink.write(r);
  return sink.close();
}

export async function readAll(path: string) {
  const out = [];
  for await (const r of readRecords(path)) out.push(r);
  return out;
}
