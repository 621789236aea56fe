/**
 * Where /api/v1 bodies differ from the gRPC messages (reference §7.2): the collection schema is a
 * JSON object instead of bytes, search vectors are plain lists instead of a placeholder group, and
 * inserted columns are raw arrays under `field` instead of typed FieldData.
 */
import { errors } from '../../../core/errors.js';
import { insertOptions, rowsToBatch } from '../../../schema/rows.js';
import type { MilvusApi } from '../../../service/api.js';
import { mutationResultToWire } from '../../grpc/codec/results.js';
import { isWire, list, num, str, type Wire } from '../../grpc/codec/wire.js';
import { encodeMessage } from '../../grpc/proto.js';
import { isJsonObject } from '../args.js';
import { restErrors } from '../errors.js';

/** `schema` as JSON -> the serialized `schema.CollectionSchema` the gRPC decoder reads. */
export function prepareCreateCollection(body: Wire): Wire {
  const schema = body['schema'];
  if (!isJsonObject(schema)) throw restErrors.missingRequired('schema');
  const named = { name: body['collection_name'], ...schema };
  let bytes: Uint8Array;
  try {
    bytes = encodeMessage('milvus.proto.schema.CollectionSchema', named);
  } catch (e) {
    throw errors.invalidParameter('schema', { reason: e instanceof Error ? e.message : String(e) });
  }
  return { ...body, schema: Buffer.from(bytes) };
}

function floatBytes(v: unknown, i: number): Buffer {
  const xs = list(v, `vectors[${i}]`);
  const b = Buffer.alloc(xs.length * 4);
  for (let j = 0; j < xs.length; j++) b.writeFloatLE(num(xs[j], `vectors[${i}][${j}]`), j * 4);
  return b;
}

function binaryBytes(v: unknown, i: number): Buffer {
  return Buffer.from(list(v, `binary_vectors[${i}]`).map((x, j) => num(x, `binary_vectors[${i}][${j}]`)));
}

/** `vectors` (float lists) or `binary_vectors` (byte lists) -> a placeholder group. */
export function prepareSearch(body: Wire): Wire {
  const floats = body['vectors'];
  const binary = body['binary_vectors'];
  const isBinary = floats === undefined && binary !== undefined;
  const vectors = list(isBinary ? binary : floats, isBinary ? 'binary_vectors' : 'vectors');
  if (vectors.length === 0) throw restErrors.missingRequired('vectors');
  const values = vectors.map((v, i) => (isBinary ? binaryBytes(v, i) : floatBytes(v, i)));
  const group = encodeMessage('milvus.proto.common.PlaceholderGroup', { placeholders: [{ tag: '$0', type: isBinary ? 100 : 101, values }] });
  return { ...body, placeholder_group: Buffer.from(group), nq: vectors.length };
}

/** `fields_data: [{field_name, type, field: [...]}]` -> rows -> the same conversion as every insert. */
export async function insertFromV1(api: MilvusApi, body: Wire): Promise<Wire> {
  const collectionName = str(body['collection_name'], 'collection_name');
  if (collectionName === '') throw restErrors.missingRequired('collection_name');
  const dbName = str(body['db_name'], 'db_name') || undefined;
  const columns = list(body['fields_data'], 'fields_data');
  if (columns.length === 0) throw restErrors.missingRequired('fields_data');
  const numRows = num(body['num_rows'], 'num_rows') || list(isWire(columns[0]) ? columns[0]['field'] : undefined, 'field').length;
  if (!Number.isSafeInteger(numRows) || numRows < 0) throw errors.invalidParameter('num_rows', { expected: 'a non-negative integer', actual: numRows });
  // Every column's length is checked before the rows are allocated: num_rows alone must not size anything.
  const named = columns.map((c) => {
    if (!isWire(c)) throw restErrors.notJson('fields_data: expected objects');
    const name = str(c['field_name'], 'field_name');
    const values = list(c['field'], `${name}.field`);
    if (values.length !== numRows) {
      throw errors.invalidParameter(`the length of field ${name} does not match num_rows`, { expected: numRows, actual: values.length });
    }
    return { name, values };
  });
  const rows: Record<string, unknown>[] = Array.from({ length: numRows }, () => ({}));
  for (const { name, values } of named) for (let i = 0; i < numRows; i++) rows[i]![name] = values[i];
  const s = { dbName, collectionName };
  const desc = await api.describeCollection(s);
  const batch = rowsToBatch(desc.schema, rows, insertOptions(desc.properties, false));
  const partitionName = str(body['partition_name'], 'partition_name');
  const r = await api.insert({ ...s, numRows: batch.numRows, columns: batch.columns, ...(partitionName ? { partitionName } : {}) });
  return mutationResultToWire(r);
}
