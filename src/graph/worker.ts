/**
 * The parse worker: loads its own grammars, parses the batches it is sent and posts back the
 * extracted facts (plain data only; trees never leave the thread). Started by pool.ts through
 * worker-entry.cjs.
 */
import { parentPort } from 'node:worker_threads';
import { FileParser } from './parse-file.ts';
import type { ParseBatch, ParseBatchResult } from './pool-protocol.ts';

const port = parentPort;
if (!port) throw new Error('worker.ts must run in a worker thread');
const parser = new FileParser();

port.on('message', (batch: ParseBatch) => {
  const result: ParseBatchResult = {
    id: batch.id,
    results: batch.files.map((f) => ({ path: f.path, facts: parser.parse(f.language, f.text) })),
  };
  port.postMessage(result);
});
port.postMessage({ ready: true });
