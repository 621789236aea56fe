/**
 * Rows from a data file (CSV with a header row, JSON lines, Parquet), converted against the
 * collection schema. Chosen by extension: .csv, .json / .jsonl / .ndjson, .parquet.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { createInterface } from 'node:readline';
import type { CollectionSchema, FieldSchema } from '../../schema/types.js';
import { functionOutputFields } from '../../schema/build.js';
import { UsageError } from '../args.js';
import type { Row } from '../backend.js';
import { CsvParser } from './csv.js';
import { dynamicFromText, fileError, fromJson, fromText } from './convert.js';
import { openParquet } from './parquet.js';
import type { FileRow, FileRows } from './rows.js';

export type { FileRow, FileRows } from './rows.js';

/** Which columns a file may have: schema fields (not the dynamic one or function outputs). */
export class Columns {
  private readonly fields = new Map<string, FieldSchema>();
  constructor(readonly schema: CollectionSchema, readonly file: string, readonly unit: 'line' | 'row') {
    const outputs = functionOutputFields(schema);
    for (const f of schema.fields) if (!f.isDynamic && !outputs.has(f.name)) this.fields.set(f.name, f);
  }
  field(name: string, line: number): FieldSchema | null {
    const f = this.fields.get(name);
    if (f !== undefined) return f;
    if (this.schema.enableDynamicField) return null;
    throw fileError({ file: this.file, line, unit: this.unit }, name, `not a field of collection ${this.schema.name} (and the dynamic field is off)`);
  }
  /** Header check: every field that needs a value has a column. */
  checkHeader(names: readonly string[], line: number): void {
    const have = new Set(names);
    for (const f of this.fields.values()) {
      const optional = f.nullable || f.defaultValue !== null || (f.isPrimaryKey && f.autoId);
      if (!optional && !have.has(f.name)) throw fileError({ file: this.file, line, unit: this.unit }, null, `missing column "${f.name}"`);
    }
    for (const n of names) this.field(n, line);
  }
}

async function* csvRows(cols: Columns, stream: ReturnType<typeof createReadStream>): AsyncGenerator<FileRow> {
  const parser = new CsvParser();
  let header: string[] | null = null;
  const file = cols.file;
  const convert = (rec: { line: number; cells: string[] }): FileRow | null => {
    if (header === null) {
      header = rec.cells.map((c) => c.trim());
      cols.checkHeader(header, rec.line);
      return null;
    }
    if (rec.cells.length !== header.length) {
      throw fileError({ file, line: rec.line, unit: 'line' }, null, `expected ${header.length} cells, got ${rec.cells.length}`);
    }
    const row: Row = {};
    for (let i = 0; i < header.length; i++) {
      const name = header[i] ?? '';
      const text = rec.cells[i] ?? '';
      const f = cols.field(name, rec.line);
      const v = f === null ? dynamicFromText(text) : fromText(f, text, { file, line: rec.line, column: name, unit: 'line' });
      if (v !== undefined) row[name] = v;
    }
    return { line: rec.line, row };
  };
  for await (const chunk of stream) {
    for (const rec of parser.push(String(chunk))) { const r = convert(rec); if (r !== null) yield r; }
  }
  let tail;
  try { tail = parser.end(); } catch (e) { throw fileError({ file, line: 0, unit: 'line' }, null, (e as Error).message); }
  for (const rec of tail) { const r = convert(rec); if (r !== null) yield r; }
}

async function* jsonlRows(cols: Columns, stream: ReturnType<typeof createReadStream>): AsyncGenerator<FileRow> {
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  let line = 0;
  for await (const text of rl) {
    line++;
    if (text.trim() === '') continue;
    let o: unknown;
    try { o = JSON.parse(text); } catch (e) {
      throw fileError({ file: cols.file, line, unit: 'line' }, null, `not valid JSON (${(e as Error).message})`);
    }
    if (typeof o !== 'object' || o === null || Array.isArray(o)) throw fileError({ file: cols.file, line, unit: 'line' }, null, 'expected a JSON object');
    yield { line, row: objectRow(cols, o as Record<string, unknown>, line, 'line') };
  }
}

/** A JSON / Parquet record: schema fields converted, other keys kept for the dynamic field. */
export function objectRow(cols: Columns, o: Record<string, unknown>, line: number, unit: 'line' | 'row'): Row {
  const row: Row = {};
  for (const [k, v] of Object.entries(o)) {
    const f = cols.field(k, line);
    row[k] = f === null ? v : fromJson(f, v, { file: cols.file, line, column: k, unit });
  }
  return row;
}

export async function openRows(path: string, schema: CollectionSchema): Promise<FileRows> {
  const name = basename(path);
  const size = (await stat(path).catch((e: Error) => { throw new UsageError(`cannot read ${path}: ${e.message}`); })).size;
  const ext = extname(path).toLowerCase();
  if (ext === '.parquet') {
    const cols = new Columns(schema, name, 'row');
    return openParquet(path, name, (o, row) => objectRow(cols, o, row, 'row'));
  }
  const kind = ext === '.csv' ? 'csv' : ext === '.json' || ext === '.jsonl' || ext === '.ndjson' ? 'jsonl' : null;
  if (kind === null) throw new UsageError(`${name}: unknown file type "${ext}" (use .csv, .jsonl, .json or .parquet)`);
  const cols = new Columns(schema, name, 'line');
  const stream = createReadStream(path, kind === 'csv' ? { encoding: 'utf8' } : {});
  return {
    name, unit: 'line', total: size,
    done: () => stream.bytesRead,
    rows: () => (kind === 'csv' ? csvRows(cols, stream) : jsonlRows(cols, stream)),
  };
}

