/**
 * Parquet input through `@shanghaikid/parquetjs` (pure JS; it is installed as a dependency of the
 * Milvus Node SDK). Loaded lazily so CSV and JSON lines work without it.
 */
import { UsageError } from '../args.js';
import type { Row } from '../backend.js';
import type { FileRow, FileRows } from './rows.js';

interface Cursor { next(): Promise<unknown> }
interface Reader { getRowCount(): { toNumber?: () => number } | number; getCursor(): Cursor; close(): Promise<void> }
interface ParquetModule { ParquetReader: { openFile(path: string): Promise<Reader> } }

async function loadModule(): Promise<ParquetModule> {
  try {
    const m = (await import('@shanghaikid/parquetjs')) as unknown as { default?: ParquetModule } & ParquetModule;
    return m.ParquetReader !== undefined ? m : (m.default as ParquetModule);
  } catch (e) {
    throw new UsageError(`Parquet input needs @shanghaikid/parquetjs, which could not be loaded: ${(e as Error).message}`);
  }
}

export async function openParquet(path: string, name: string, toRow: (o: Record<string, unknown>, row: number) => Row): Promise<FileRows> {
  const { ParquetReader } = await loadModule();
  let reader: Reader;
  try {
    reader = await ParquetReader.openFile(path);
  } catch (e) {
    throw new UsageError(`${name}: not a readable Parquet file (${(e as Error).message})`);
  }
  const count = reader.getRowCount();
  const total = typeof count === 'number' ? count : Number(count.toNumber?.() ?? count);
  let done = 0;
  async function* rows(): AsyncGenerator<FileRow> {
    const cursor = reader.getCursor();
    try {
      for (;;) {
        const rec = await cursor.next();
        if (rec === null || rec === undefined) break;
        done++;
        yield { line: done, row: toRow(rec as Record<string, unknown>, done) };
      }
    } finally {
      await reader.close();
    }
  }
  return { name, unit: 'row', total, done: () => done, rows };
}
