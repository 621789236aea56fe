/**
 * `insertTyped`: the embedded client's lean insert (issue 13, durable ingest). Each field's values go
 * in as one typed array (a vector field's rows one after another; an Int64 field as a BigInt64Array;
 * VarChar as strings), so nothing is built per row: no row objects, no number[] vectors, no BigInt
 * per key. Same service call as `insert`, so the same checks, WAL record and acknowledgement (the call
 * resolves once the record is fsync'd); errors are thrown as a MilvusError with the Milvus code.
 * The arrays are read until the call resolves: do not change them before that.
 */
import { columnKindFor, type Column } from '../schema/column.js';
import type { FieldSchema } from '../schema/types.js';
import { type ClientContext, scoped } from './context.js';
import { clientError } from './status.js';

/** A field's values: the typed array of its column kind (Bool as 0/1 bytes), or strings for VarChar. */
export type TypedFieldData =
  | Uint8Array | Int8Array | Int16Array | Int32Array | BigInt64Array | Float32Array | Float64Array | Uint16Array | string[];

export interface TypedInsertReq {
  collection_name: string;
  db_name?: string;
  partition_name?: string;
  num_rows: number;
  /** Values by field name; fields left out are NULL / their default, or auto IDs for an autoID key. */
  fields: Record<string, TypedFieldData>;
}

export interface TypedInsertResult {
  insert_cnt: number;
  /** The rows' primary keys (given or assigned): a BigInt64Array for an Int64 key, strings for VarChar. */
  ids: BigInt64Array | string[];
  timestamp: bigint;
}

const ARRAY_OF = {
  bool: Uint8Array, int8: Int8Array, int16: Int16Array, int32: Int32Array, int64: BigInt64Array, float: Float32Array,
  double: Float64Array, floatVector: Float32Array, float16Vector: Uint16Array, bfloat16Vector: Uint16Array,
  int8Vector: Int8Array, binaryVector: Uint8Array,
} as const;

/** The column of `f` over `data` (no copy); the service validates rows, dims and values. */
function columnOf(f: FieldSchema, data: TypedFieldData): Column {
  const kind = columnKindFor(f.dataType);
  if (kind === 'varchar') {
    if (!Array.isArray(data)) throw clientError(`insertTyped: field ${f.name} takes a string[]`);
    return { kind, data, valid: null };
  }
  if (kind === 'json' || kind === 'array' || kind === 'sparseVector') throw clientError(`insertTyped: field ${f.name} (data type ${f.dataType}) is not supported here; use insert`);
  const want = ARRAY_OF[kind];
  if (!(data instanceof want)) throw clientError(`insertTyped: field ${f.name} takes a ${want.name}`);
  if (kind === 'floatVector' || kind === 'float16Vector' || kind === 'bfloat16Vector' || kind === 'int8Vector' || kind === 'binaryVector') {
    return { kind, dim: f.dim ?? 0, data, valid: null } as Column;
  }
  return { kind, data, valid: null } as Column;
}

export async function insertTyped(ctx: ClientContext, req: TypedInsertReq): Promise<TypedInsertResult> {
  const s = scoped(ctx, req);
  const { schema } = await ctx.service.describeCollection(s);
  const columns = new Map<string, Column>();
  for (const [name, data] of Object.entries(req.fields)) {
    const f = schema.fields.find((x) => x.name === name);
    if (f === undefined) throw clientError(`insertTyped: the collection has no field ${name}`);
    columns.set(name, columnOf(f, data));
  }
  const r = await ctx.service.insert({
    ...s, numRows: req.num_rows, columns, ...(req.partition_name ? { partitionName: req.partition_name } : {}),
  });
  return { insert_cnt: r.insertCount, ids: r.ids.data, timestamp: r.timestamp };
}
