/**
 * The one place that decides which vector field a search route uses and whether its query vectors
 * fit that field. Every door hands over what it was given: the anns field name if any, and the
 * query vectors either decoded by a wire codec (a placeholder group is typed) or as plain values
 * (JSON lists, sparse maps, byte lists) that only the chosen field can give a type to.
 */
import { DataType, isVectorType } from '../core/enums.js';
import { errors } from '../core/errors.js';
import type { Column } from '../schema/column.js';
import { columnKindFor, columnLength } from '../schema/column.js';
import type { CollectionSchema, FieldSchema } from '../schema/types.js';
import { fieldByName, primaryField } from '../schema/types.js';
import { FieldWriter } from '../schema/writer.js';
import { isStructVectorMember } from '../schema/struct.js';
import type * as T from './types.js';

/**
 * Milvus' proxy rule: a named field must exist and be a vector field; with no name, the
 * collection's only vector field, and an error when there are several (REST v2 applies the same
 * rule before it builds its placeholder group).
 */
export function annsFieldOf(schema: CollectionSchema, name: string | undefined): FieldSchema {
  if (name !== undefined && name.length > 0) {
    const f = fieldByName(schema, name);
    if (!f) throw errors.fieldNotFound(name);
    if (!isVectorType(f.dataType) && !isStructVectorMember(f)) throw errors.invalidParameter(`field ${name} is not a vector field`);
    return f;
  }
  let only: FieldSchema | undefined;
  let count = 0;
  for (const f of schema.fields) if (isVectorType(f.dataType)) { only = f; count++; }
  if (count !== 1 || only === undefined) throw errors.invalidParameter('multiple anns_fields exist, please specify a anns_field in search_params');
  return only;
}

const queryFields = new WeakMap<FieldSchema, FieldSchema>();

/** The anns field as query vectors are written: never null, no default (one copy per schema field, not per search). */
function queryFieldOf(field: FieldSchema): FieldSchema {
  let q = queryFields.get(field);
  if (q === undefined) queryFields.set(field, (q = { ...field, nullable: false, defaultValue: null }));
  return q;
}

/** Plain query values -> one column of the field's kind, with the insert path's conversions and checks. */
function columnOfValues(field: FieldSchema, values: readonly unknown[]): Column {
  if (values.length === 0) throw errors.invalidParameter('nq [0] is invalid');
  const w = new FieldWriter(queryFieldOf(field), values.length);
  for (let i = 0; i < values.length; i++) w.set(i, values[i]);
  return w.finish();
}

/** The query column of a route (not for search by ids), checked against the anns field. */
export function queryColumnOf(field: FieldSchema, req: Pick<T.SearchRequest, 'vectors' | 'data'>): Column {
  let queries: Column;
  if (req.vectors) queries = req.vectors;
  else if (req.data) queries = columnOfValues(field, req.data);
  else throw errors.missingParameter('vectors');
  if (queries.kind !== columnKindFor(field.dataType)) {
    throw errors.invalidParameter('vector type must be the same as the anns field', { field: field.name, expected: columnKindFor(field.dataType), actual: queries.kind });
  }
  if ('dim' in queries && field.dim !== null && queries.dim !== field.dim) {
    throw errors.invalidParameter('the dimension of the query vectors does not match the anns field', { field: field.name, expected: field.dim, actual: queries.dim });
  }
  return queries;
}

/** Primary keys given as plain values (search by ids), typed by the collection's primary key. */
export function primaryKeysOf(schema: CollectionSchema, ids: readonly (string | number | bigint)[]): T.PrimaryKeys {
  const pk = primaryField(schema);
  if (pk.dataType === DataType.Int64) {
    const out = new BigInt64Array(ids.length);
    ids.forEach((id, i) => {
      if (typeof id === 'bigint') out[i] = id;
      else if ((typeof id === 'number' && Number.isInteger(id)) || (typeof id === 'string' && /^[+-]?\d+$/.test(id.trim()))) out[i] = BigInt(id);
      else throw errors.invalidParameter(`the type of ids should be integer because the primary key field ${pk.name} is Int64`, { actual: String(id) });
    });
    return { kind: 'int64', data: out };
  }
  if (!ids.every((id) => typeof id === 'string')) {
    throw errors.invalidParameter(`the type of ids should be string because the primary key field ${pk.name} is VarChar`);
  }
  return { kind: 'varchar', data: ids.map(String) };
}

/** nq of a route as the request states it, or counted from what it carries. */
export function nqOf(req: T.SearchRequest): number {
  if (req.nq !== undefined && req.nq > 0) return req.nq;
  if (req.ids) return req.ids.data.length;
  if (req.idValues) return req.idValues.length;
  if (req.data) return req.data.length;
  if (req.embLists) return req.embLists.length;
  if (req.vectors) return columnLength(req.vectors);
  return req.nq ?? 0;
}
