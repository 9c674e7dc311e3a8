/**
 * The parse worker: loads its own grammars, parses the batches it is sent and posts back the
 * extracted facts (plain data only; trees never leave the thread). Started by pool.ts through
 * worker-entry.cjs.
 *
 * Batches are queued and handled one per turn of the event loop: tree memory is freed by
 * finalizers that run only when the loop turns (parse-file.ts), and a port drains every queued
 * message in one go, so handling batches straight from the message event would never let it turn
 * while the pool keeps the queue full.
 */
import { parentPort } from 'node:worker_threads';
import { FileParser } from './parse-file.ts';
import type { ParseBatch, ParseBatchResult } from './pool-protocol.ts';

const port = parentPort;
if (!port) throw new Error('worker.ts must run in a worker thread');
const parser = new FileParser();
const queue: ParseBatch[] = [];
let scheduled = false;

function handleNext(): void {
  scheduled = false;
  const batch = queue.shift();
  if (!batch) return;
  const result: ParseBatchResult = {
    id: batch.id,
    results: batch.files.map((f) => ({ path: f.path, facts: parser.parse(f.language, f.text) })),
  };
  port!.postMessage(result);
  parser.releaseTrees();
  schedule();
}

function schedule(): void {
  if (!scheduled && queue.length > 0) {
    scheduled = true;
    setImmediate(handleNext);
  }
}

port.on('message', (batch: ParseBatch) => {
  queue.push(batch);
  schedule();
});
port.postMessage({ ready: true });
