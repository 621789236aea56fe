/**
 * Search inputs: `PlaceholderGroup` bytes -> a Column of nq query vectors (reference §1.7), and the
 * `ids` oneof -> PrimaryKeys. The placeholder's type names the column kind.
 */
import { errors } from '../../../core/errors.js';
import type { Column } from '../../../schema/column.js';
import type { PrimaryKeys } from '../../../service/types.js';
import { decodePlaceholderGroupBytes } from '../proto.js';
import { sparseFromBytes, uint16sFromBytes } from './vector-bytes.js';
import { int64, list, msg, num, oneofCase, str, bytes, type Wire } from './wire.js';

export const PlaceholderType = {
  None: 0, Int64: 5, VarChar: 21, BinaryVector: 100, FloatVector: 101, Float16Vector: 102,
  BFloat16Vector: 103, SparseFloatVector: 104, Int8Vector: 105,
} as const;

/** Every value must have the same byte length; returns it. */
function sameLength(values: Uint8Array[], unit: number, what: string): number {
  const first = values[0];
  if (first === undefined) throw errors.invalidParameter('placeholder group', { expected: 'at least one query', actual: 0 });
  const len = first.length;
  if (len === 0 || len % unit !== 0) throw errors.invalidParameter(`${what} query vector`, { expected: `a positive multiple of ${unit} bytes`, actual: len });
  for (const v of values) {
    if (v.length !== len) throw errors.invalidParameter(`${what} query vectors`, { expected: 'one dimension', actual: `${len} and ${v.length} bytes` });
  }
  return len;
}

function concat(values: Uint8Array[], len: number): Uint8Array {
  const out = new Uint8Array(values.length * len);
  for (let i = 0; i < values.length; i++) out.set(values[i] as Uint8Array, i * len);
  return out;
}

function floatsFrom(b: Uint8Array): Float32Array {
  const out = new Float32Array(b.length / 4);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/** Placeholder values of one type -> a column of nq rows. */
export function columnFromPlaceholderValues(type: number, values: Uint8Array[]): Column {
  switch (type) {
    case PlaceholderType.FloatVector: {
      const len = sameLength(values, 4, 'float');
      return { kind: 'floatVector', dim: len / 4, data: floatsFrom(concat(values, len)), valid: null };
    }
    case PlaceholderType.BinaryVector: {
      const len = sameLength(values, 1, 'binary');
      return { kind: 'binaryVector', dim: len * 8, data: concat(values, len), valid: null };
    }
    case PlaceholderType.Float16Vector: case PlaceholderType.BFloat16Vector: {
      const len = sameLength(values, 2, 'float16');
      const data = uint16sFromBytes(concat(values, len), 'placeholder');
      return type === PlaceholderType.Float16Vector
        ? { kind: 'float16Vector', dim: len / 2, data, valid: null }
        : { kind: 'bfloat16Vector', dim: len / 2, data, valid: null };
    }
    case PlaceholderType.Int8Vector: {
      const len = sameLength(values, 1, 'int8');
      const raw = concat(values, len);
      return { kind: 'int8Vector', dim: len, data: new Int8Array(raw.buffer, raw.byteOffset, raw.length), valid: null };
    }
    case PlaceholderType.SparseFloatVector:
      if (values.length === 0) throw errors.invalidParameter('placeholder group', { expected: 'at least one query', actual: 0 });
      return { kind: 'sparseVector', data: values.map((v) => sparseFromBytes(v, 'placeholder')), valid: null };
    case PlaceholderType.VarChar:
      return { kind: 'varchar', data: values.map((v) => Buffer.from(v).toString('utf8')), valid: null };
    default:
      throw errors.invalidParameter('placeholder type not supported', { actual: type });
  }
}

/** Embedding-list placeholder types (EmbListBinaryVector 300 ... EmbListInt8Vector 305) are the vector type + 200. */
const EMB_LIST_OFFSET = 200;

/**
 * `placeholder_group` bytes -> query vectors: one column of nq vectors, or for embedding lists
 * (struct vector members, MAX_SIM) one single-row column per query holding its whole list (the
 * service splits it by the field's dim).
 */
export function queriesFromPlaceholderGroup(b: Uint8Array): { vectors: Column } | { embLists: Column[] } {
  const { type, values } = placeholderOf(b);
  if (type >= PlaceholderType.BinaryVector + EMB_LIST_OFFSET && type <= PlaceholderType.Int8Vector + EMB_LIST_OFFSET) {
    if (type === PlaceholderType.SparseFloatVector + EMB_LIST_OFFSET) throw errors.invalidParameter('sparse embedding list search is not supported');
    if (values.length === 0) throw errors.invalidParameter('placeholder group', { expected: 'at least one query', actual: 0 });
    return { embLists: values.map((v) => columnFromPlaceholderValues(type - EMB_LIST_OFFSET, [v])) };
  }
  return { vectors: columnFromPlaceholderValues(type, values) };
}

/** `placeholder_group` bytes -> query vectors. Exactly one placeholder (`$0`) is expected. */
export function vectorsFromPlaceholderGroup(b: Uint8Array): Column {
  const { type, values } = placeholderOf(b);
  return columnFromPlaceholderValues(type, values);
}

function placeholderOf(b: Uint8Array): { type: number; values: Uint8Array[] } {
  let group: Wire;
  try {
    group = msg(decodePlaceholderGroupBytes(b), 'placeholder_group');
  } catch (e) {
    throw errors.invalidParameter('placeholder_group', { reason: e instanceof Error ? e.message : String(e) });
  }
  const placeholders = list(group['placeholders'], 'placeholders');
  if (placeholders.length !== 1) throw errors.invalidParameter('placeholder group', { expected: 'one placeholder', actual: placeholders.length });
  const ph = msg(placeholders[0], 'placeholder');
  const values = list(ph['values'], 'placeholder.values').map((v) => bytes(v, 'placeholder.values'));
  return { type: num(ph['type'], 'placeholder.type'), values };
}

/** `schema.IDs` -> PrimaryKeys (an unset oneof is an empty int64 list). */
export function primaryKeysFromWire(v: unknown): PrimaryKeys {
  const ids = msg(v, 'ids');
  if (oneofCase(ids, 'id_field') === 'str_id') {
    return { kind: 'varchar', data: list(msg(ids['str_id'], 'str_id')['data'], 'str_id').map((x) => str(x, 'str_id')) };
  }
  const raw = list(msg(ids['int_id'], 'int_id')['data'], 'int_id');
  const data = new BigInt64Array(raw.length);
  for (let i = 0; i < raw.length; i++) data[i] = int64(raw[i], 'int_id');
  return { kind: 'int64', data };
}

/** PrimaryKeys -> `schema.IDs`. */
export function primaryKeysToWire(pk: PrimaryKeys): Wire {
  if (pk.kind === 'varchar') return { str_id: { data: pk.data } };
  const out = new Array<string>(pk.data.length);
  for (let i = 0; i < pk.data.length; i++) out[i] = String(pk.data[i]);
  return { int_id: { data: out } };
}
