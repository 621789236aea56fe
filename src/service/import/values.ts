/**
 * File values -> the row values `rowsToBatch` takes, per field type, as Milvus's import readers
 * accept them: JSON, sparse and `$meta` values may come as JSON text (Parquet, CSV); float16 /
 * bfloat16 vectors as numbers or as their little-endian bytes (what the Node SDK's BulkWriter
 * writes); Parquet LIST values arrive already unwrapped. Errors name the field; the caller adds
 * the file and the row.
 */
import { DataType } from '../../core/enums.js';
import { importErrors } from '../../core/errors.js';
import { parseJsonBody } from '../../core/json-lossless.js';
import { functionOutputFields } from '../../schema/build.js';
import type { CollectionSchema, FieldSchema } from '../../schema/types.js';
import { DYNAMIC_FIELD_NAME } from '../../schema/types.js';

/** A value error inside one row: the job's reason names file, row and field from it. */
export class RowValueError extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

const JSON_TEXT = new Set<DataType>([DataType.JSON, DataType.SparseFloatVector]);
const HALF = new Set<DataType>([DataType.Float16Vector, DataType.BFloat16Vector]);

function parseText(field: string, text: string): unknown {
  try {
    return parseJsonBody(text);
  } catch {
    throw new RowValueError(field, `invalid JSON text ${text.length > 40 ? `${JSON.stringify(text.slice(0, 37))}...` : JSON.stringify(text)}`);
  }
}

/** How one file's rows are normalised for a schema (built once per file). */
export class RowNormalizer {
  private readonly fields: Map<string, FieldSchema>;
  private readonly outputs: Set<string>;

  constructor(private readonly schema: CollectionSchema) {
    this.fields = new Map(schema.fields.filter((f) => !f.isDynamic).map((f) => [f.name, f]));
    this.outputs = functionOutputFields(schema);
  }

  /** Refuses columns Milvus refuses in import files (function outputs), before any row is read. */
  checkColumns(file: string, names: readonly string[]): void {
    for (const n of names) {
      if (this.outputs.has(n)) {
        throw importErrors.failed(`file ${file}: the field '${n}' is the output of a function, no need to provide it`);
      }
      if (!this.fields.has(n) && n !== DYNAMIC_FIELD_NAME && !this.schema.enableDynamicField) {
        throw importErrors.failed(`file ${file}: the field '${n}' is not in the collection schema and the dynamic field is disabled`);
      }
    }
  }

  /** Normalises `row` in place and returns it. */
  row(row: Record<string, unknown>): Record<string, unknown> {
    for (const key of Object.keys(row)) {
      const v = row[key];
      if (v === null || v === undefined) continue;
      if (key === DYNAMIC_FIELD_NAME) {
        row[key] = typeof v === 'string' ? (v.trim() === '' ? {} : parseText(key, v)) : v;
        continue;
      }
      const f = this.fields.get(key);
      if (f !== undefined) row[key] = this.value(f, v);
    }
    return row;
  }

  private value(f: FieldSchema, v: unknown): unknown {
    if (JSON_TEXT.has(f.dataType) && typeof v === 'string') return parseText(f.name, v);
    if (HALF.has(f.dataType)) return halfVector(f, v);
    return v;
  }
}

/** 2 × dim integers 0..255 are the vector's bytes (BulkWriter's layout); dim numbers are values. */
function halfVector(f: FieldSchema, v: unknown): unknown {
  const dim = f.dim ?? 0;
  if (!Array.isArray(v) || v.length !== dim * 2) return v;
  const out = new Uint8Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const x: unknown = v[i];
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > 255) return v;
    out[i] = x;
  }
  return out;
}
