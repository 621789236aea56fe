/**
 * Upsert in merge mode (Milvus 2.6 `partial_update`, and `field_ops` ARRAY_APPEND / ARRAY_REMOVE).
 * The stored rows of the given primary keys are read (strongly: every acknowledged write), the given
 * fields replace theirs (or are appended to / removed from an array), the dynamic field's keys are
 * merged, and the result is one full batch that the ordinary upsert writes (delete + insert). A
 * primary key with no stored row is an insert: a field left out must be nullable or have a default.
 */
import { errors } from '../core/errors.js';
import type { CollectionRuntime } from '../engine/collection.js';
import { DEFAULT_PARTITION } from '../engine/engine.js';
import type { PartitionRuntime } from '../engine/partition.js';
import { gatherColumn, matchRows } from '../engine/read.js';
import type { ScopedChunk } from '../engine/read.js';
import { compileFilter } from '../expr/index.js';
import { functionOutputFields } from '../schema/build.js';
import type { Column } from '../schema/column.js';
import { columnLength } from '../schema/column.js';
import { columnValueAt } from '../schema/ops.js';
import { insertOptions, validateBatch } from '../schema/rows.js';
import type { ArrayElement, CollectionSchema, FieldSchema, JsonValue } from '../schema/types.js';
import { DataType, dataTypeName } from '../core/enums.js';
import { DYNAMIC_FIELD_NAME } from '../schema/types.js';
import { FieldWriter } from '../schema/writer.js';
import { isPartitionKeyMode, requirePartition } from './resolve.js';
import { unloadedOf } from './load-fields.js';
import type * as T from './types.js';

type ArrayOp = 'ARRAY_APPEND' | 'ARRAY_REMOVE';

const FIELD_OP_NAMES: readonly T.FieldPartialUpdateOpType[] = ['REPLACE', 'ARRAY_APPEND', 'ARRAY_REMOVE'];

/**
 * `field_ops` as a codec received them: a list of `{<nameKey>, op}` with the op by name or by its
 * `schema.FieldPartialUpdateOp.OpType` number (gRPC decodes enums as numbers, the SDK and REST send names).
 */
export function fieldOpsFromWire(raw: unknown, nameKey: string): T.FieldPartialUpdateOp[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw errors.invalidParameter('field_ops must be a list of {field_name, op}');
  return raw.map((o: unknown) => {
    const r = (typeof o === 'object' && o !== null ? o : {}) as Record<string, unknown>;
    const v = r['op'] ?? 0;
    const op = typeof v === 'number' ? FIELD_OP_NAMES[v] : FIELD_OP_NAMES.find((x) => x === v);
    if (op === undefined) throw errors.invalidParameter(`unsupported partial update op: ${String(v)}`);
    const name = r[nameKey];
    return { fieldName: typeof name === 'string' ? name : '', op };
  });
}

/** Whether an upsert runs in merge mode: asked for, or implied by a non-REPLACE field op (Milvus's auto-promotion). */
export function isPartialUpsert(req: T.InsertRequest): boolean {
  return req.partialUpdate === true || (req.fieldOps ?? []).some((o) => o.op !== 'REPLACE');
}

/** `field_ops` checked as Milvus's resolveFieldPartialUpdateOps does; the array ops by field name. */
export function resolveFieldOps(schema: CollectionSchema, req: T.InsertRequest): Map<string, ArrayOp> {
  const out = new Map<string, ArrayOp>();
  const seen = new Set<string>();
  for (const o of req.fieldOps ?? []) {
    const name = o.fieldName;
    if (name.length === 0) throw errors.missingParameterMsg('FieldPartialUpdateOp.field_name is required');
    if (seen.has(name)) throw errors.invalidParameter(`duplicate partial-update op for field "${name}"`);
    seen.add(name);
    if (o.op === 'REPLACE') continue;
    const f = schema.fields.find((x) => x.name === name);
    if (f === undefined) throw errors.invalidParameter(`field "${name}" not found in collection schema`);
    if (f.isPrimaryKey) throw errors.invalidParameter(`field "${name}" is the primary key and cannot carry a partial-update op`);
    if (f.dataType !== DataType.Array) {
      throw errors.invalidParameter(`op ${o.op} requires Array field, but field "${name}" is ${dataTypeName(f.dataType) ?? f.dataType}`);
    }
    const given = req.columns.get(name);
    if (given === undefined) throw errors.invalidParameter(`partial-update op targets field "${name}" not present in fields_data`);
    if (given.kind !== 'array') throw errors.invalidParameter(`partial-update op field "${name}" payload is not an Array`);
    if (o.op === 'ARRAY_APPEND') checkPayloadCapacity(f, given);
    out.set(name, o.op);
  }
  return out;
}

function checkPayloadCapacity(f: FieldSchema, given: Column & { kind: 'array' }): void {
  const cap = f.maxCapacity;
  if (cap === null) return;
  for (let i = 0; i < given.data.length; i++) {
    const len = given.valid !== null && given.valid[i] === 0 ? 0 : given.data[i]!.length;
    if (len > cap) {
      throw errors.invalidParameter(`ARRAY_APPEND payload for field "${f.name}" row ${i} has length ${len} exceeding max_capacity ${cap}`);
    }
  }
}

/** The rows of the upsert's scope (as Milvus reads them: the named partition, `_default`, or every partition with a partition key). */
function scopeOf(c: CollectionRuntime, req: T.InsertRequest): PartitionRuntime[] {
  if (isPartitionKeyMode(c)) return [...c.partitions.values()];
  return [requirePartition(c, req.partitionName !== undefined && req.partitionName.length > 0 ? req.partitionName : DEFAULT_PARTITION)];
}

function pkKey(v: unknown): string {
  return typeof v === 'bigint' ? v.toString() : String(v);
}

interface Stored {
  chunks: ScopedChunk[];
  refs: ReturnType<typeof matchRows>;
  /** Row of `refs` holding each primary key. */
  at: Map<string, number>;
}

function readStored(c: CollectionRuntime, req: T.InsertRequest, pkCol: Column): Stored {
  const parts = scopeOf(c, req);
  if (!parts.every((p) => p.loaded)) throw errors.collectionNotLoaded(c.name);
  // The stored rows are read whole: a field not loaded could not be kept.
  const gone = unloadedOf(c);
  if (gone.size > 0) throw errors.invalidParameter(`partial update needs every field loaded, but field ${[...gone][0]!} is not loaded`);
  const n = columnLength(pkCol);
  const pks: unknown[] = new Array<unknown>(n);
  for (let i = 0; i < n; i++) pks[i] = columnValueAt(pkCol, i);
  const plan = compileFilter(`${c.pkField.name} in {__pks}`, c.meta.schema, { __pks: pks });
  const chunks = c.chunksOf(parts);
  const refs = matchRows(chunks, plan);
  const at = new Map<string, number>();
  for (let i = 0; i < refs.chunk.length; i++) at.set(pkKey(chunks[refs.chunk[i]!]!.chunk.pk(refs.row[i]!)), i);
  return { chunks, refs, at };
}

/** The given columns, validated against the fields they name only (the pk and the dynamic field always). */
function validateGiven(c: CollectionRuntime, req: T.InsertRequest): Map<string, Column> {
  const schema = c.meta.schema;
  const outputs = functionOutputFields(schema);
  const fields = schema.fields.filter((f) => !outputs.has(f.name) && (f.isPrimaryKey || f.isDynamic || req.columns.has(f.name)));
  const sub: CollectionSchema = { ...schema, fields, functions: [] };
  const given = new Map(req.columns);
  for (const name of outputs) given.delete(name);
  return validateBatch(sub, { numRows: req.numRows, columns: given }, insertOptions(c.meta.properties, true)).columns;
}

/** The full upsert request a merge-mode upsert stands for: every field of every row. */
export function mergePartialUpsert(c: CollectionRuntime, req: T.InsertRequest): T.InsertRequest {
  const schema = c.meta.schema;
  const ops = resolveFieldOps(schema, req);
  const pkField = c.pkField;
  if (!req.columns.has(pkField.name)) throw errors.invalidParameter(`must assign pk when upsert, primary field: ${pkField.name}`);
  const given = validateGiven(c, req);
  const n = req.numRows;
  const pkCol = given.get(pkField.name)!;
  const stored = readStored(c, req, pkCol);
  // For each request row, its stored row (index into stored.refs) or -1 for a new primary key.
  const old = new Int32Array(n);
  let newRows = 0;
  for (let i = 0; i < n; i++) {
    const at = stored.at.get(pkKey(columnValueAt(pkCol, i)));
    old[i] = at ?? -1;
    if (at === undefined) newRows++;
  }
  const outputs = functionOutputFields(schema);
  const columns = new Map<string, Column>();
  for (const f of schema.fields) {
    if (outputs.has(f.name)) continue;
    const g = given.get(f.isDynamic ? DYNAMIC_FIELD_NAME : f.name);
    if (g === undefined && newRows > 0 && !f.nullable && f.defaultValue === null) {
      throw errors.invalidParameter(`fieldSchema(${f.name}) has no corresponding fieldData pass in`);
    }
    const storedCol = stored.refs.chunk.length > 0 ? gatherColumn(stored.chunks, f, stored.refs) : null;
    const name = f.isDynamic ? DYNAMIC_FIELD_NAME : f.name;
    columns.set(name, mergeField(f, n, old, storedCol, g, ops.get(f.name)));
  }
  const out: T.InsertRequest = { ...req, numRows: n, columns, partialUpdate: false };
  delete out.fieldOps;
  return out;
}

/** One field of the merged batch: given values, stored values, the dynamic keys merged, or an array op applied. */
function mergeField(f: FieldSchema, n: number, old: Int32Array, storedCol: Column | null, g: Column | undefined, op: ArrayOp | undefined): Column {
  const w = new FieldWriter(f, n);
  for (let i = 0; i < n; i++) {
    const o = old[i]!;
    const before = o >= 0 && storedCol !== null ? columnValueAt(storedCol, o) : null;
    let v: unknown;
    if (g === undefined) v = before;
    else if (o < 0) v = columnValueAt(g, i);
    else if (f.isDynamic) v = mergeDynamic(before, columnValueAt(g, i));
    else if (op !== undefined) v = applyArrayOp(f, i, before, columnValueAt(g, i), op);
    else v = columnValueAt(g, i);
    if (v === null) {
      if (!w.setNull(i)) throw errors.invalidParameter(`field ${f.name} is not nullable and has no default value, but row ${i} is null`);
    } else {
      w.set(i, v);
    }
  }
  return w.finish();
}

/** Stored dynamic keys kept, the given ones added or replaced (Milvus 2.6 merge mode). */
function mergeDynamic(before: unknown, given: unknown): JsonValue {
  const base = isObject(before) ? before : {};
  const add = isObject(given) ? given : {};
  const out: { [k: string]: JsonValue } = {};
  for (const [k, v] of Object.entries(base)) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  for (const [k, v] of Object.entries(add)) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

function isObject(v: unknown): v is { [k: string]: JsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * ARRAY_APPEND: the stored elements, then the given ones (duplicates and order kept; a NULL stored
 * row takes the given elements). ARRAY_REMOVE: the stored elements minus every one equal to a given
 * element (NaN equals nothing). A NULL payload changes nothing.
 */
function applyArrayOp(f: FieldSchema, row: number, before: unknown, given: unknown, op: ArrayOp): ArrayElement[] | null {
  const base = Array.isArray(before) ? (before as ArrayElement[]) : null;
  if (!Array.isArray(given)) return base;
  const payload = given as ArrayElement[];
  if (op === 'ARRAY_REMOVE') {
    if (base === null) return null;
    const drop = new Set<ArrayElement>(payload);
    return base.filter((e) => !drop.has(e) || (typeof e === 'number' && Number.isNaN(e)));
  }
  const merged = base === null ? payload.slice() : base.concat(payload);
  const cap = f.maxCapacity;
  if (cap !== null && merged.length > cap) {
    throw errors.invalidParameter(`ARRAY_APPEND on field "${f.name}" row ${row} gives length ${merged.length} exceeding max_capacity ${cap}`);
  }
  return merged;
}
