/**
 * Insert / upsert data validation and conversion under Milvus' insert rules, for row objects
 * (`rowsToBatch`, values as the Node SDK / pymilvus send them) and for columnar input that is
 * already Columns (`validateBatch`, from the gRPC codec). Both produce the same InsertBatch for the
 * same data: every field goes through one FieldWriter.
 *
 * AutoID: on insert the primary key must not be given (unless allowInsertAutoId) and is absent from
 * the batch; the engine assigns IDs. On upsert the primary key must be given even with autoID
 * (Milvus 2.4+): the batch carries it so the engine can delete those rows; whether the replacement
 * rows keep it or get fresh IDs (Milvus does the latter) is the engine's decision.
 * Function output fields (e.g. BM25 sparse vectors) must not be given and are absent from the batch.
 */
import type { CollectionSchema, FieldSchema, JsonValue } from './types.js';
import { DYNAMIC_FIELD_NAME } from './types.js';
import { columnKindFor, columnLength, type Column } from './column.js';
import { DataType } from '../core/enums.js';
import { errors, type MilvusError } from '../core/errors.js';
import { columnValueAt, shapeOf, shapeOfField } from './ops.js';
import { functionOutputFields } from './build.js';
import { isJsonObject, setOwn, toJsonValue } from './json.js';
import { FieldWriter, checkJsonSize } from './writer.js';
import { describe, invalidAt, type Where } from './where.js';
import { checkStructRows, splitStructRow } from './struct.js';

export interface InsertBatch {
  numRows: number;
  /** Keyed by field name; '$meta' holds the dynamic JSON column when the dynamic field is enabled. */
  columns: Map<string, Column>;
}

export interface InsertOptions {
  isUpsert: boolean;
  /** Collection property `allow_insert_auto_id=true`: an autoID primary key may be supplied. */
  allowInsertAutoId?: boolean;
  /** The collection's `timezone` (IANA): Timestamptz text without an offset is read in it (default UTC). */
  timezone?: string;
}

/** The options a collection's properties imply (`allow_insert_auto_id`, `timezone`). */
export function insertOptions(properties: Readonly<Record<string, string>>, isUpsert: boolean): InsertOptions {
  const timezone = properties['timezone'];
  return { isUpsert, allowInsertAutoId: properties['allow_insert_auto_id'] === 'true', ...(timezone !== undefined ? { timezone } : {}) };
}

type Plan = 'write' | 'skip';

const at = (field: string, row: number): Where => ({ field, row });

function checkNumRows(n: number): void {
  if (!Number.isInteger(n) || n <= 0) {
    throw errors.invalidParameter('num_rows should be greater than 0', { expected: 'num_rows > 0', actual: n });
  }
}

function unexpectedField(name: string, row: number): MilvusError {
  return invalidAt(at(name, row), `Attempt to insert an unexpected field \`${name}\` to collection without enabling dynamic field`);
}

function unexpectedFunctionOutput(name: string, row: number): MilvusError {
  return invalidAt(at(name, row), `Attempt to insert an unexpected function output field \`${name}\` to collection`);
}

function autoIdGiven(name: string, row: number): MilvusError {
  return invalidAt(at(name, row), `can not assign primary field data when auto id enabled ${name}`);
}

/**
 * Decide whether a schema field is written. `given(f)` returns the first row that supplies a value
 * for `f` (-1 when none does); it throws for values that must not be supplied.
 */
function planField(f: FieldSchema, outputs: Set<string>, opts: InsertOptions, given: (f: FieldSchema) => number): Plan {
  if (f.isDynamic) return 'skip';
  if (outputs.has(f.name)) {
    const row = given(f);
    if (row >= 0) throw unexpectedFunctionOutput(f.name, row);
    return 'skip';
  }
  if (f.isPrimaryKey && f.autoId && !opts.isUpsert) {
    const row = given(f);
    if (opts.allowInsertAutoId === true) return row >= 0 ? 'write' : 'skip';
    if (row >= 0) throw autoIdGiven(f.name, row);
    return 'skip';
  }
  return 'write';
}

// ---------------------------------------------------------------- rows

function asRow(r: unknown, i: number): Record<string, unknown> {
  if (typeof r !== 'object' || r === null || Array.isArray(r) || ArrayBuffer.isView(r)) {
    throw errors.invalidParameter(`row ${i} must be an object mapping field names to values, got ${describe(r)}`, { row: i });
  }
  return r as Record<string, unknown>;
}

/** Convert SDK-style row objects into a validated InsertBatch. */
export function rowsToBatch(schema: CollectionSchema, rowsIn: Record<string, unknown>[], opts: InsertOptions): InsertBatch {
  if (!Array.isArray(rowsIn)) throw errors.invalidParameter('insert data must be a list of rows');
  const n = rowsIn.length;
  checkNumRows(n);
  const rows = rowsIn.map((r, i) => splitStructRow(schema, asRow(r, i)));
  const outputs = functionOutputFields(schema);
  const firstGiven = (f: FieldSchema): number => rows.findIndex((r) => r[f.name] !== undefined && r[f.name] !== null);
  const columns = new Map<string, Column>();
  for (const f of schema.fields) {
    if (planField(f, outputs, opts, firstGiven) === 'skip') continue;
    const w = new FieldWriter(f, n, opts.timezone);
    for (let i = 0; i < n; i++) {
      const v = rows[i]?.[f.name];
      if (v === undefined || v === null) {
        if (!w.setNull(i)) {
          throw invalidAt(at(f.name, i),
            `Insert missed an field \`${f.name}\` to collection without set nullable==true or set default_value`);
        }
      } else w.set(i, v);
    }
    columns.set(f.name, w.finish());
  }
  const meta = dynamicFromRows(schema, rows);
  if (meta !== null) columns.set(DYNAMIC_FIELD_NAME, meta);
  return { numRows: n, columns };
}

/**
 * Rows of a merge-mode upsert (`partial_update`): only the fields some row names become columns
 * (the primary key always, and `$meta` when the dynamic field is on), as the Node SDK sends them.
 */
export function rowsToPartialBatch(schema: CollectionSchema, rowsIn: Record<string, unknown>[], opts: InsertOptions): InsertBatch {
  const named = new Set<string>();
  if (Array.isArray(rowsIn)) for (const r of rowsIn) if (typeof r === 'object' && r !== null) for (const k of Object.keys(r)) named.add(k);
  const fields = schema.fields.filter((f) => f.isPrimaryKey || f.isDynamic || named.has(f.name));
  return rowsToBatch({ ...schema, fields, functions: [] }, rowsIn, { ...opts, isUpsert: true });
}

/** Unknown keys go to `$meta` (merged over a row's explicit `$meta` object), or are refused. */
function dynamicFromRows(schema: CollectionSchema, rows: Record<string, unknown>[]): Column | null {
  const statics = new Set(schema.fields.filter((f) => !f.isDynamic).map((f) => f.name));
  const data: JsonValue[] = new Array<JsonValue>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] ?? {};
    const extra: Record<string, unknown> = {};
    let explicit: Record<string, unknown> | null = null;
    for (const key of Object.keys(row)) {
      if (statics.has(key)) continue;
      if (!schema.enableDynamicField) throw unexpectedField(key, i);
      const v = row[key];
      if (key !== DYNAMIC_FIELD_NAME) { if (v !== undefined) setOwn(extra, key, v); continue; }
      if (v === undefined || v === null) continue;
      if (typeof v !== 'object' || Array.isArray(v) || ArrayBuffer.isView(v)) {
        throw invalidAt(at(DYNAMIC_FIELD_NAME, i), `the dynamic field ${DYNAMIC_FIELD_NAME} must be a JSON object, got ${describe(v)}`);
      }
      explicit = v as Record<string, unknown>;
    }
    if (!schema.enableDynamicField) continue;
    data[i] = dynamicObject(explicit === null ? extra : { ...explicit, ...extra }, statics, i);
  }
  return schema.enableDynamicField ? { kind: 'json', data, valid: null } : null;
}

function dynamicObject(v: unknown, statics: Set<string>, row: number): JsonValue {
  const w = at(DYNAMIC_FIELD_NAME, row);
  const j = toJsonValue(v, w);
  if (!isJsonObject(j)) throw invalidAt(w, `insert invalid dynamic data, milvus only support json map, got ${describe(j)}`);
  for (const key of Object.keys(j)) {
    if (key === DYNAMIC_FIELD_NAME) throw invalidAt(w, `cannot set json key to: ${DYNAMIC_FIELD_NAME}`);
    if (statics.has(key)) throw invalidAt(w, `dynamic field name cannot include the static field name: ${key}`);
  }
  checkJsonSize(j, true, w);
  return j;
}

// ---------------------------------------------------------------- columns

/** Validate columnar input (row-dense Columns, NULL rows marked in `valid`) into an InsertBatch. */
export function validateBatch(schema: CollectionSchema, input: InsertBatch, opts: InsertOptions): InsertBatch {
  const n = input.numRows;
  checkNumRows(n);
  const byName = new Map(schema.fields.map((f) => [f.name, f]));
  for (const [name, c] of input.columns) {
    const f = byName.get(name);
    const undivided = f?.dim == null ? undefined : denseLengthNotDividing(c, f.dim);
    if (undivided !== undefined) throw invalidAt(at(name, -1), undivided);
    checkAligned(name, c, n);
  }
  const unknown: [string, Column][] = [];
  for (const [name, c] of input.columns) {
    if (name === DYNAMIC_FIELD_NAME && !schema.enableDynamicField) {
      throw invalidAt(at(name, -1), `without dynamic schema enabled, the field name cannot be set to ${DYNAMIC_FIELD_NAME}`);
    }
    if (byName.has(name)) continue;
    if (!schema.enableDynamicField) throw unexpectedField(name, -1);
    unknown.push([name, c]);
  }
  const outputs = functionOutputFields(schema);
  const firstGiven = (f: FieldSchema): number => (input.columns.has(f.name) ? 0 : -1);
  const columns = new Map<string, Column>();
  for (const f of schema.fields) {
    if (planField(f, outputs, opts, firstGiven) === 'skip') continue;
    columns.set(f.name, validateColumn(f, input.columns.get(f.name), n, opts.timezone));
  }
  if (schema.enableDynamicField) columns.set(DYNAMIC_FIELD_NAME, dynamicFromColumns(schema, input, unknown));
  checkStructRows(schema, columns, n);
  return { numRows: n, columns };
}

function checkAligned(name: string, c: Column, n: number): void {
  const len = columnLength(c);
  const bad = !Number.isInteger(len) ? len : c.valid !== null && c.valid.length !== n ? c.valid.length : len;
  if (bad !== n) {
    throw errors.invalidParameter(`the num_rows (${bad}) of field (${name}) is not equal to passed num_rows (${n})`,
      { field: name, expected: n, actual: bad });
  }
}

const SMALL_INTS = new Set(['int8', 'int16', 'int32']);

/**
 * Milvus measures dense vector data against the schema's dim, whatever dim the request states
 * (pymilvus states the last row's), before it counts rows: data whose length does not divide it is
 * refused in Milvus's words, e.g. `the length(13) of float data should divide the dim(8)`.
 * Undefined when it divides (or the column is not a dense vector).
 */
function denseLengthNotDividing(c: Column, schemaDim: number): string | undefined {
  if (c.kind !== 'floatVector' && c.kind !== 'binaryVector' && c.kind !== 'float16Vector'
    && c.kind !== 'bfloat16Vector' && c.kind !== 'int8Vector') return undefined;
  // Elements given (bits for binary vectors); a nullable column holds zeros in its null rows.
  let elements = c.kind === 'binaryVector' ? c.data.length * 8 : c.data.length;
  if (c.valid !== null) {
    let rows = 0;
    for (let i = 0; i < c.valid.length; i++) rows += c.valid[i]!;
    elements = rows * c.dim;
  }
  if (elements % schemaDim === 0) return undefined;
  switch (c.kind) {
    case 'floatVector': return `the length(${elements}) of float data should divide the dim(${schemaDim})`;
    case 'binaryVector': return `the num(${elements}) of all bits should divide the dim(${schemaDim})`;
    case 'float16Vector': return `the length(${elements * 2}) of float16 data should divide the dim(${schemaDim})`;
    case 'bfloat16Vector': return `the length(${elements * 2}) of bfloat16 data should divide the dim(${schemaDim})`;
    case 'int8Vector': return `the length(${elements}) of int8 data should divide the dim(${schemaDim})`;
  }
}

function checkShape(f: FieldSchema, want: ReturnType<typeof shapeOf>, c: Column): void {
  const got = shapeOf(c);
  const w = at(f.name, -1);
  // Timestamptz text from the wire (`string_data`) is read here, where the collection's zone is known.
  const kindOk = got.kind === want.kind || (SMALL_INTS.has(got.kind) && SMALL_INTS.has(want.kind))
    || (f.dataType === DataType.Timestamptz && got.kind === 'varchar');
  if (!kindOk) throw invalidAt(w, `field ${f.name} expects ${want.kind} data, got ${got.kind}`);
  if (got.dim !== want.dim) throw invalidAt(w, `the dim (${got.dim}) of field data(${f.name}) is not equal to schema dim (${want.dim})`);
  // DataType.None: the wire left the element type to the schema (pymilvus); each element is checked as written.
  if (got.elementType !== want.elementType && got.elementType !== DataType.None) {
    throw invalidAt(w, `array field ${f.name} expects element type ${want.elementType}, got ${got.elementType}`);
  }
}

function validateColumn(f: FieldSchema, c: Column | undefined, n: number, timezone: string | undefined): Column {
  if (c !== undefined) {
    checkShape(f, shapeOfField(f), c);
    const taken = takenAsIs(f, c);
    if (taken !== null) return taken;
  }
  const w = new FieldWriter(f, n, timezone);
  if (c === undefined) {
    for (let i = 0; i < n; i++) {
      if (!w.setNull(i)) throw invalidAt(at(f.name, -1), `fieldSchema(${f.name}) has no corresponding fieldData pass in`);
    }
    return w.finish();
  }
  for (let i = 0; i < n; i++) {
    const v = columnValueAt(c, i);
    if (v !== null) { w.set(i, v); continue; }
    if (!w.setNull(i)) {
      throw invalidAt(at(f.name, i), `field ${f.name} is not nullable and has no default value, but row ${i} is null`);
    }
  }
  return w.finish();
}

/**
 * A typed column of exactly the field's kind with every row present whose values pass the field's
 * checks as they are (finite floats, 0/1 bools; integers fit by their type): used without a copy and
 * without a value per row. Null when the rows need the general path (which also words any error).
 */
function takenAsIs(f: FieldSchema, c: Column): Column | null {
  if (c.valid !== null || f.nullable || c.kind !== columnKindFor(f.dataType)) return null;
  switch (c.kind) {
    case 'int8': case 'int16': case 'int32': case 'int8Vector': case 'binaryVector': return c;
    case 'int64': return f.dataType === DataType.Timestamptz ? null : c;
    case 'float': case 'double': case 'floatVector': return allFinite(c.data) ? c : null;
    case 'bool': return allBits(c.data) ? c : null;
    default: return null;
  }
}

function allFinite(a: Float32Array | Float64Array): boolean {
  let bad = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    if (x - x !== 0) bad++; // NaN and infinities
  }
  return bad === 0;
}

function allBits(a: Uint8Array): boolean {
  let or = 0;
  for (let i = 0; i < a.length; i++) or |= a[i]!;
  return or <= 1;
}

/** `$meta` objects from the `$meta` column (or `{}`), with unknown columns folded in as keys. */
function dynamicFromColumns(schema: CollectionSchema, input: InsertBatch, unknown: [string, Column][]): Column {
  const statics = new Set(schema.fields.filter((f) => !f.isDynamic).map((f) => f.name));
  const metaCol = input.columns.get(DYNAMIC_FIELD_NAME);
  if (metaCol !== undefined && metaCol.kind !== 'json') {
    throw invalidAt(at(DYNAMIC_FIELD_NAME, -1), `the dynamic field ${DYNAMIC_FIELD_NAME} expects json data, got ${metaCol.kind}`);
  }
  const data = new Array<JsonValue>(input.numRows);
  for (let i = 0; i < input.numRows; i++) {
    const base = metaCol === undefined ? null : columnValueAt(metaCol, i);
    if (base !== null && !(typeof base === 'object' && !Array.isArray(base))) {
      throw invalidAt(at(DYNAMIC_FIELD_NAME, i), `insert invalid dynamic data, milvus only support json map, got ${describe(base)}`);
    }
    const obj: Record<string, unknown> = base === null ? {} : { ...(base as Record<string, unknown>) };
    for (const [name, c] of unknown) {
      const v = columnValueAt(c, i);
      if (v !== null) setOwn(obj, name, plainValue(v, at(name, i)));
    }
    data[i] = dynamicObject(obj, statics, i);
  }
  return { kind: 'json', data, valid: null };
}

/** A column value as a JSON-able JS value (for unknown columns folded into `$meta`). */
function plainValue(v: unknown, w: Where): unknown {
  if (typeof v === 'bigint') {
    if (Number.isSafeInteger(Number(v))) return Number(v);
    return v.toString();
  }
  if (v instanceof BigInt64Array) throw invalidAt(w, 'unsupported dynamic value');
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as Float32Array);
  if (Array.isArray(v)) return v.map((x: unknown) => plainValue(x, w));
  if (typeof v === 'object' && v !== null && 'indices' in v && 'values' in v) {
    const s = v as { indices: Uint32Array; values: Float32Array };
    const out: Record<string, number> = {};
    for (let k = 0; k < s.indices.length; k++) out[String(s.indices[k])] = s.values[k] ?? 0;
    return out;
  }
  return v;
}
