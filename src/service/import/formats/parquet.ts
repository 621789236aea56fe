/**
 * Parquet through `@shanghaikid/parquetjs`, the library the Node SDK's BulkWriter writes with (a
 * dependency already; pure JS, reads PLAIN / dictionary / RLE pages with snappy, gzip or brotli).
 * Columns are fields by name, as Milvus reads them; LIST columns (`{list: [{element: v}]}`, or
 * pyarrow's `item`) become plain arrays; JSON, sparse and `$meta` columns hold JSON text.
 */
import { importErrors } from '../../../core/errors.js';
import type { ParsedFile, ReadContext, RowBatch } from './format.js';

interface Cursor { next(): Promise<unknown> }
interface Reader {
  getRowCount(): { toNumber?: () => number } | number;
  getCursor(): Cursor;
  getSchema(): { fields: Record<string, unknown> };
  close(): Promise<void>;
}
interface ParquetModule { ParquetReader: { openBuffer(buffer: Buffer): Promise<Reader> } }

async function loadModule(): Promise<ParquetModule> {
  const m = (await import('@shanghaikid/parquetjs')) as unknown as { default?: ParquetModule } & ParquetModule;
  return m.ParquetReader !== undefined ? m : (m.default as ParquetModule);
}

/** `{list: [{element: v}, ...]}` (and pyarrow's `item`) -> [v, ...], recursively. */
export function unwrapLists(v: unknown): unknown {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || ArrayBuffer.isView(v)) return v;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1 && keys[0] === 'list' && Array.isArray(o['list'])) {
    return (o['list'] as unknown[]).map((e) => {
      if (typeof e === 'object' && e !== null && !Array.isArray(e)) {
        const inner = e as Record<string, unknown>;
        if ('element' in inner) return unwrapLists(inner['element']);
        if ('item' in inner) return unwrapLists(inner['item']);
      }
      return unwrapLists(e);
    });
  }
  for (const k of keys) o[k] = unwrapLists(o[k]);
  return o;
}

export async function parseParquet(bytes: Uint8Array, ctx: ReadContext): Promise<ParsedFile> {
  const { ParquetReader } = await loadModule();
  let reader: Reader;
  try {
    reader = await ParquetReader.openBuffer(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    throw importErrors.failed(`file ${ctx.name} is not a readable Parquet file: ${e instanceof Error ? e.message : String(e)}`);
  }
  const count = reader.getRowCount();
  const totalRows = typeof count === 'number' ? count : Number(count.toNumber?.() ?? count);
  const columns = Object.keys(reader.getSchema().fields);
  async function* batches(batchRows: number): AsyncGenerator<RowBatch> {
    const cursor = reader.getCursor();
    let rows: Record<string, unknown>[] = [];
    let first = 1;
    let n = 0;
    try {
      for (;;) {
        let rec: unknown;
        try {
          rec = await cursor.next();
        } catch (e) {
          throw importErrors.failed(`file ${ctx.name}: reading row ${n + 1}: ${e instanceof Error ? e.message : String(e)}`);
        }
        if (rec === null || rec === undefined) break;
        rows.push(unwrapLists(rec) as Record<string, unknown>);
        n++;
        if (rows.length >= batchRows) {
          yield { rows, firstRow: first };
          first = n + 1;
          rows = [];
        }
      }
      if (rows.length > 0) yield { rows, firstRow: first };
    } finally {
      await reader.close();
    }
  }
  return { totalRows, columns, batches };
}
