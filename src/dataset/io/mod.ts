/** Dataset files: every public name of the sinks that write them and the reader that reads them. */
export { DatasetOutputError, DatasetReadError } from './errors.ts';
export { JSONL_ENDINGS } from './names.ts';
export { checkParquetDir } from './parquet-dir.ts';
export { readRecords, type ReadRecord } from './reader.ts';
export { DEFAULT_SHARD_TOKENS, openSink, type RecordSink, type SinkOptions, type SinkSummary } from './sink.ts';
