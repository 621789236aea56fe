/**
 * `order_by_fields` for query and search (Milvus 2.6): sort keys given as `field:asc,other:desc` (the
 * Node SDK's wire form, in query_params / search_params) or as a JSON list of `{field, order}` (the
 * form pymilvus documents). Scalar fields (Bool, integers, Float, Double, VarChar, Timestamptz) and
 * keys of the dynamic field sort; JSON fields, arrays and vectors do not. NULL (and a missing dynamic
 * key) sorts first; ties keep their previous order (stable), as Milvus's sort.SliceStable does.
 */
import { DataType, dataTypeName } from '../core/enums.js';
import { errors } from '../core/errors.js';
import type { RowRefs, ScopedChunk } from '../engine/read.js';
import { gatherColumn } from '../engine/read.js';
import type { Column } from '../schema/column.js';
import { dynamicField, fieldByName, type CollectionSchema, type FieldSchema, type JsonValue } from '../schema/types.js';

export interface OrderKey {
  field: FieldSchema;
  /** A key of the dynamic field (its top-level name), or null for a schema field. */
  dynamicKey: string | null;
  ascending: boolean;
}

const SORTABLE = new Set<number>([
  DataType.Bool, DataType.Int8, DataType.Int16, DataType.Int32, DataType.Int64,
  DataType.Float, DataType.Double, DataType.VarChar, DataType.Timestamptz,
]);

function entriesOf(raw: string): { field: string; order: string }[] {
  const text = raw.trim();
  if (text.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw errors.invalidParameter('order_by_fields', { expected: 'field:asc,... or a JSON list', actual: text.slice(0, 64) });
    }
    if (!Array.isArray(parsed)) throw errors.invalidParameter('order_by_fields should be a list');
    return parsed.map((e: unknown) => {
      if (typeof e === 'string') return entryOf(e);
      if (typeof e !== 'object' || e === null || !('field' in e)) throw errors.invalidParameter("missing 'field' key in order_by_fields entry");
      const { field, order } = e as { field: unknown; order?: unknown };
      return { field: String(field), order: order === undefined || order === null ? 'asc' : String(order) };
    });
  }
  return text.split(',').map(entryOf);
}

function entryOf(s: string): { field: string; order: string } {
  const at = s.lastIndexOf(':');
  return at < 0 ? { field: s.trim(), order: 'asc' } : { field: s.slice(0, at).trim(), order: s.slice(at + 1).trim() };
}

/** Parse and check the sort keys against the schema; an absent or empty value is no ordering. */
export function parseOrderBy(schema: CollectionSchema, raw: string | undefined): OrderKey[] {
  if (raw === undefined || raw.trim() === '') return [];
  return entriesOf(raw).map(({ field: name, order }) => {
    if (name === '') throw errors.invalidParameter('empty field name in order_by_fields');
    const dir = order.toLowerCase();
    if (!['asc', 'desc', 'ascending', 'descending'].includes(dir)) {
      throw errors.invalidParameter(`invalid order direction '${order}' for field '${name}' (must be 'asc', 'desc', 'ascending', or 'descending')`);
    }
    const ascending = dir.startsWith('asc');
    const field = fieldByName(schema, name);
    if (field === undefined || field.isDynamic) {
      const dyn = dynamicField(schema);
      if (dyn === undefined || field?.isDynamic === true) throw errors.invalidParameter(`order_by field '${name}' does not exist in collection schema`);
      return { field: dyn, dynamicKey: name, ascending };
    }
    if (field.dataType === DataType.JSON) {
      throw errors.invalidParameter(`order_by is not supported for JSON field '${name}', use dynamic field with JSON path instead`);
    }
    if (!SORTABLE.has(field.dataType)) throw errors.invalidParameter(`order_by field '${name}' has unsortable type ${dataTypeName(field.dataType) ?? field.dataType}`);
    return { field, dynamicKey: null, ascending };
  });
}

type SortValue = number | bigint | string | boolean | null;

function valuesOf(column: Column, dynamicKey: string | null): SortValue[] {
  const n = column.data.length;
  const out = new Array<SortValue>(n);
  for (let i = 0; i < n; i++) {
    if (column.valid !== null && column.valid[i] === 0) { out[i] = null; continue; }
    switch (column.kind) {
      case 'bool': out[i] = column.data[i] === 1; break;
      case 'int8': case 'int16': case 'int32': case 'float': case 'double': out[i] = column.data[i]!; break;
      case 'int64': out[i] = column.data[i]!; break;
      case 'varchar': out[i] = column.data[i]!; break;
      case 'json': out[i] = dynamicValue(column.data[i]!, dynamicKey); break;
      default: out[i] = null;
    }
  }
  return out;
}

function dynamicValue(v: JsonValue, key: string | null): SortValue {
  if (key === null || v === null || typeof v !== 'object' || Array.isArray(v)) return null;
  const x = v[key];
  return typeof x === 'number' || typeof x === 'string' || typeof x === 'boolean' ? x : null;
}

/** Two non-null values. */
function compareValues(a: Exclude<SortValue, null>, b: Exclude<SortValue, null>): number {
  if (typeof a === typeof b || (typeof a !== 'string' && typeof b !== 'string' && typeof a !== 'boolean' && typeof b !== 'boolean')) {
    return a < b ? -1 : a > b ? 1 : 0;
  }
  // Mixed kinds under one dynamic key: compare their JSON texts, as Milvus falls back to.
  const sa = JSON.stringify(typeof a === 'bigint' ? String(a) : a);
  const sb = JSON.stringify(typeof b === 'bigint' ? String(b) : b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** The order (indexes into refs) that sorts the rows by the keys; stable. */
export function orderPermutation(scope: readonly ScopedChunk[], keys: readonly OrderKey[], refs: RowRefs): Int32Array {
  const n = refs.chunk.length;
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  if (keys.length === 0 || n < 2) return perm;
  const values = keys.map((k) => valuesOf(gatherColumn(scope, k.field, refs), k.dynamicKey));
  const sorted = Array.from(perm).sort((i, j) => {
    for (let k = 0; k < keys.length; k++) {
      const a = values[k]![i]!;
      const b = values[k]![j]!;
      if (a === null || b === null) {
        if (a !== b) return a === null ? -1 : 1; // NULLS FIRST in either direction
        continue;
      }
      const c = compareValues(a, b);
      if (c !== 0) return keys[k]!.ascending ? c : -c;
    }
    return i - j;
  });
  return Int32Array.from(sorted);
}

export function permuteRefs(refs: RowRefs, perm: Int32Array): RowRefs {
  return { chunk: Int32Array.from(perm, (i) => refs.chunk[i]!), row: Int32Array.from(perm, (i) => refs.row[i]!) };
}
