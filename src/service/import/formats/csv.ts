/**
 * CSV under Milvus 2.5's import rules: the first record is the header of field names; `sep`
 * (option, one character, default `,`) separates cells; a cell equal to `nullkey` (option,
 * default the empty string) is NULL; quoted cells may hold the separator, `""` and newlines
 * (RFC 4180). Numbers and booleans are text; vectors, arrays, sparse vectors, JSON and `$meta`
 * are JSON text (`[0.1, 0.2]`, `{"1": 0.5}`). Columns that are not fields go to the dynamic field
 * (when enabled) as JSON values, or as text when they are not JSON.
 */
import { DataType } from '../../../core/enums.js';
import { importErrors } from '../../../core/errors.js';
import { parseJsonBody } from '../../../core/json-lossless.js';
import type { FieldSchema } from '../../../schema/types.js';
import { DYNAMIC_FIELD_NAME } from '../../../schema/types.js';
import { RowValueError } from '../values.js';
import type { ParsedFile, ReadContext, RowBatch } from './format.js';

interface CsvRecord { line: number; cells: string[] }

function separatorOf(options: Record<string, string>): string {
  const sep = options['sep'] ?? ',';
  if ([...sep].length !== 1 || sep === '\n' || sep === '\r' || sep === '"') {
    throw importErrors.failed(`invalid CSV separator ${JSON.stringify(sep)}: one character other than a newline or a quote`);
  }
  return sep;
}

/** Every record of `text`, each with the line it starts on. */
function records(text: string, sep: string, name: string): CsvRecord[] {
  const out: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let any = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') { cell += '"'; i++; } else quoted = false;
      } else {
        if (ch === '\n') line++;
        cell += ch;
      }
      continue;
    }
    if (ch === '"' && cell === '') { quoted = true; any = true; continue; }
    if (ch === sep) { cells.push(cell); cell = ''; any = true; continue; }
    if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      if (any || cell !== '') { cells.push(cell); out.push({ line: start, cells }); }
      cells = []; cell = ''; any = false; line++; start = line;
      continue;
    }
    cell += ch;
    any = true;
  }
  if (quoted) throw importErrors.failed(`file ${name}: a quoted cell opened on line ${start} is not closed`);
  if (any || cell !== '') { cells.push(cell); out.push({ line: start, cells }); }
  return out;
}

function jsonText(field: string, text: string): unknown {
  try {
    return parseJsonBody(text);
  } catch {
    throw new RowValueError(field, `invalid JSON text ${JSON.stringify(text.length > 40 ? `${text.slice(0, 37)}...` : text)}`);
  }
}

function cellValue(f: FieldSchema, text: string): unknown {
  switch (f.dataType) {
    case DataType.Bool: {
      const t = text.trim();
      if (/^(true|t|1)$/i.test(t)) return true;
      if (/^(false|f|0)$/i.test(t)) return false;
      throw new RowValueError(f.name, `expected a boolean, got ${JSON.stringify(t)}`);
    }
    case DataType.Int8: case DataType.Int16: case DataType.Int32: case DataType.Int64: {
      const t = text.trim();
      if (!/^[+-]?\d+$/.test(t)) throw new RowValueError(f.name, `expected an integer, got ${JSON.stringify(t)}`);
      return f.dataType === DataType.Int64 ? BigInt(t) : Number(t);
    }
    case DataType.Float: case DataType.Double: {
      const n = Number(text.trim());
      if (text.trim() === '' || Number.isNaN(n)) throw new RowValueError(f.name, `expected a number, got ${JSON.stringify(text)}`);
      return n;
    }
    case DataType.VarChar: case DataType.Geometry: case DataType.Timestamptz:
      return text;
    default:
      return jsonText(f.name, text);
  }
}

export function parseCsv(bytes: Uint8Array, ctx: ReadContext): ParsedFile {
  const sep = separatorOf(ctx.options);
  const nullKey = ctx.options['nullkey'] ?? '';
  let text = new TextDecoder('utf-8').decode(bytes);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const all = records(text, sep, ctx.name);
  const header = all[0];
  if (header === undefined) throw importErrors.failed(`file ${ctx.name} is empty: a CSV file needs a header line of field names`);
  const names = header.cells.map((c) => c.trim());
  const seen = new Set<string>();
  for (const n of names) {
    if (n === '') throw importErrors.failed(`file ${ctx.name}: the header has an empty column name`);
    if (seen.has(n)) throw importErrors.failed(`file ${ctx.name}: the header names column '${n}' twice`);
    seen.add(n);
  }
  const fields = new Map(ctx.schema.fields.map((f) => [f.name, f]));
  const body = all.slice(1);
  const dynamic = ctx.schema.enableDynamicField;
  function* batches(batchRows: number): Iterable<RowBatch> {
    for (let at = 0; at < body.length; at += batchRows) {
      const rows: Record<string, unknown>[] = [];
      for (const rec of body.slice(at, at + batchRows)) {
        if (rec.cells.length !== names.length) {
          throw importErrors.failed(`file ${ctx.name}: line ${rec.line} has ${rec.cells.length} cells, the header has ${names.length}`);
        }
        rows.push(rowOf(rec, names, fields, nullKey, dynamic));
      }
      yield { rows, firstRow: at + 1 };
    }
  }
  return { totalRows: body.length, columns: names, batches };
}

function rowOf(rec: CsvRecord, names: string[], fields: Map<string, FieldSchema>, nullKey: string, dynamic: boolean): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  const extra: Record<string, unknown> = {};
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const text = rec.cells[i]!;
    const f = fields.get(name);
    if (name === DYNAMIC_FIELD_NAME || f?.isDynamic === true) {
      if (text !== nullKey && text.trim() !== '') row[DYNAMIC_FIELD_NAME] = jsonText(DYNAMIC_FIELD_NAME, text);
    } else if (f !== undefined) {
      row[name] = text === nullKey ? null : cellValue(f, text);
    } else if (dynamic && text !== nullKey) {
      try { extra[name] = parseJsonBody(text); } catch { extra[name] = text; }
    }
  }
  if (Object.keys(extra).length > 0) {
    const meta = row[DYNAMIC_FIELD_NAME];
    row[DYNAMIC_FIELD_NAME] = typeof meta === 'object' && meta !== null && !Array.isArray(meta) ? { ...meta, ...extra } : extra;
  }
  return row;
}
