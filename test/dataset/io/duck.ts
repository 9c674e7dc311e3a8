/** DuckDB in memory, as an independent reader of the Parquet shards: rows as plain JS values. */
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll } from 'vitest';

const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
afterAll(() => {
  connection.closeSync();
  instance.closeSync();
});

export async function duck(sql: string): Promise<Array<Record<string, unknown>>> {
  return (await connection.runAndReadAll(sql)).getRowObjectsJS() as Array<Record<string, unknown>>;
}
