/** One field spec -> FieldSchema, with the checks that need only the field itself. */
import type { FieldSchema, ScalarValue } from './types.js';
import { DataType, dataTypeName, isVectorType } from '../core/enums.js';
import { errors, type MilvusError } from '../core/errors.js';
import { limits } from '../core/limits.js';
import { validateName } from './names.js';
import { utf8ByteLength } from './json.js';
import { INT16_RANGE, INT32_RANGE, INT8_RANGE } from './values.js';
import { parseTimestamptz, toGeometryWkt } from './temporal.js';

export interface FieldSpec {
  name: string;
  dataType: DataType;
  description?: string;
  isPrimaryKey?: boolean;
  autoId?: boolean;
  isPartitionKey?: boolean;
  isClusteringKey?: boolean;
  nullable?: boolean;
  defaultValue?: ScalarValue | null;
  elementType?: DataType;
  /** dim, max_length, max_capacity may come here (as string or number) or as the properties below. */
  typeParams?: Record<string, string | number>;
  dim?: number;
  maxLength?: number;
  maxCapacity?: number;
  /** External collections: the external column this field maps (schema/external.ts checks it). */
  externalField?: string;
}

const invalid = (what: string): MilvusError => errors.invalidParameter(what);

/** Names Milvus keeps for system fields. */
const SYSTEM_FIELD_NAMES = new Set(['RowID', 'Timestamp', '$meta']);

const KNOWN_TYPES: ReadonlySet<number> = new Set(Object.values(DataType));

export const ARRAY_ELEMENT_TYPES: ReadonlySet<DataType> = new Set([
  DataType.Bool, DataType.Int8, DataType.Int16, DataType.Int32, DataType.Int64,
  DataType.Float, DataType.Double, DataType.VarChar,
]);

export function typeLabel(t: number): string {
  return dataTypeName(t) ?? String(t);
}

/** Read an integer type param given either as `typeParams[key]` or as a property; undefined when absent. */
function intParam(spec: FieldSpec, key: string, direct: number | undefined): number | undefined {
  const raw = spec.typeParams?.[key];
  let fromParams: number | undefined;
  if (raw !== undefined) {
    const text = String(raw).trim();
    if (!/^[+-]?\d+$/.test(text)) throw invalid(`type param ${key} of field ${spec.name} must be an integer, got ${JSON.stringify(raw)}`);
    fromParams = Number(text);
  }
  if (direct !== undefined && !Number.isInteger(direct)) {
    throw invalid(`type param ${key} of field ${spec.name} must be an integer, got ${direct}`);
  }
  if (direct !== undefined && fromParams !== undefined && direct !== fromParams) {
    throw invalid(`field ${spec.name} gives ${key} twice with different values (${direct} and ${fromParams})`);
  }
  return direct ?? fromParams;
}

function checkDataType(spec: FieldSpec): void {
  const t = spec.dataType;
  if ((t as number) === 20) throw invalid('string data type not supported yet, please use VarChar type instead');
  if (t === DataType.None) throw invalid(`data type None is not valid, field name = ${spec.name}`);
  if (!KNOWN_TYPES.has(t)) throw invalid(`field data type: ${t} is not supported, field name = ${spec.name}`);
}

function checkDim(spec: FieldSpec, dim: number | undefined): number | null {
  if (!isVectorType(spec.dataType)) return null;
  if (spec.dataType === DataType.SparseFloatVector) {
    if (dim !== undefined) throw invalid(`dim should not be specified for sparse vector field ${spec.name}`);
    return null;
  }
  if (dim === undefined) {
    throw invalid(`dimension is not defined in field type params of field ${spec.name}, check type param \`dim\` for vector field`);
  }
  if (spec.dataType === DataType.BinaryVector) {
    if (dim <= 1 || dim % 8 !== 0) {
      throw invalid(`invalid dimension: ${dim} of field ${spec.name}. binary vector dimension should be multiple of 8`);
    }
    if (dim > limits.maxDim * 8) {
      throw invalid(`invalid dimension: ${dim} of field ${spec.name}. binary vector dimension should be in range 8 ~ ${limits.maxDim * 8}`);
    }
    return dim;
  }
  if (dim < limits.minDim || dim > limits.maxDim) {
    throw invalid(`invalid dimension: ${dim} of field ${spec.name}. float vector dimension should be in range ${limits.minDim} ~ ${limits.maxDim}`);
  }
  return dim;
}

function checkMaxLength(spec: FieldSpec, maxLength: number | undefined, needed: boolean): number | null {
  if (!needed) return maxLength ?? null;
  if (maxLength === undefined) {
    throw invalid(`type param(max_length) should be specified for the field(${spec.name})`);
  }
  if (maxLength <= 0 || maxLength > limits.maxVarCharBytes) {
    throw invalid(`the maximum length specified for the field(${spec.name}) should be in (0, ${limits.maxVarCharBytes}], but got ${maxLength} instead`);
  }
  return maxLength;
}

function checkArray(spec: FieldSpec, maxCapacity: number | undefined): { elementType: DataType | null; maxCapacity: number | null } {
  if (spec.dataType !== DataType.Array) return { elementType: null, maxCapacity: null };
  const et = spec.elementType;
  if (et === undefined || !ARRAY_ELEMENT_TYPES.has(et)) {
    throw invalid(`element type ${et === undefined ? 'None' : typeLabel(et)} of array field ${spec.name} is not supported`);
  }
  if (maxCapacity === undefined) throw invalid(`type param(max_capacity) should be specified for array field ${spec.name}`);
  if (maxCapacity <= 0 || maxCapacity > limits.maxArrayCapacity) {
    throw invalid(`the maximum capacity specified for a Array should be in (0, ${limits.maxArrayCapacity}], field name = ${spec.name}`);
  }
  return { elementType: et, maxCapacity };
}

function checkNullable(spec: FieldSpec): void {
  if (spec.nullable !== true) return;
  if (spec.isPrimaryKey === true) throw invalid(`primary field not support null, field name = ${spec.name}`);
  if (spec.isPartitionKey === true) throw invalid(`partition key field not support nullable, field name = ${spec.name}`);
}

/** Validate a default value against the field type; returns it in stored form (bigint for Int64). */
function checkDefault(spec: FieldSpec, maxLength: number | null): ScalarValue | null {
  const d = spec.defaultValue;
  if (d === undefined) return null;
  if (d === null) {
    if (spec.nullable !== true) throw invalid(`default value cannot be null for a non-nullable field, field name = ${spec.name}`);
    return null;
  }
  const t = spec.dataType;
  if (spec.isPrimaryKey === true) throw invalid(`primary key can't be with default value, field name = ${spec.name}`);
  if (isVectorType(t)) throw invalid(`vector type not support default value, field name = ${spec.name}`);
  if (t === DataType.JSON || t === DataType.Array) {
    throw invalid(`${typeLabel(t)} type not support default value, field name = ${spec.name}`);
  }
  const mismatch = (): MilvusError =>
    errors.invalidParameter(`default value type mismatches field schema type, field name = ${spec.name}`,
      { expected: typeLabel(t), actual: typeof d });
  const intIn = (range: readonly [number, number]): number => {
    if (typeof d !== 'number' || !Number.isInteger(d)) throw mismatch();
    if (d < range[0] || d > range[1]) {
      throw errors.invalidParameter(`default value out of range, field name = ${spec.name}`, { expected: `[${range[0]}, ${range[1]}]`, actual: d });
    }
    return d;
  };
  switch (t) {
    case DataType.Bool: if (typeof d !== 'boolean') throw mismatch(); return d;
    case DataType.Int8: return intIn(INT8_RANGE);
    case DataType.Int16: return intIn(INT16_RANGE);
    case DataType.Int32: return intIn(INT32_RANGE);
    case DataType.Int64: return int64Default(spec.name, d, mismatch);
    case DataType.Float:
      if (typeof d !== 'number' || !Number.isFinite(Math.fround(d))) throw mismatch();
      return Math.fround(d);
    case DataType.Double: if (typeof d !== 'number' || !Number.isFinite(d)) throw mismatch(); return d;
    case DataType.VarChar: {
      if (typeof d !== 'string') throw mismatch();
      const n = utf8ByteLength(d);
      if (maxLength !== null && n > maxLength) {
        throw invalid(`the length (${n}) of string exceeds max length (${maxLength}), field name = ${spec.name}`);
      }
      return d;
    }
    case DataType.Timestamptz: return timestamptzDefault(spec.name, d, mismatch);
    case DataType.Geometry: if (typeof d !== 'string') throw mismatch(); return toGeometryWkt(d, { field: spec.name, row: -1 });
    default: throw mismatch();
  }
}

/** A Timestamptz default: an ISO 8601 string or integer microseconds; stored as bigint microseconds. */
function timestamptzDefault(name: string, d: ScalarValue, mismatch: () => MilvusError): bigint {
  if (typeof d === 'string' && !/^\s*[+-]?\d+\s*$/.test(d)) {
    const t = parseTimestamptz(d);
    if (t === null) throw invalid(`default value ${JSON.stringify(d)} is not a valid ISO 8601 timestamp, field name = ${name}`);
    return t;
  }
  return int64Default(name, d, mismatch);
}

function int64Default(name: string, d: ScalarValue, mismatch: () => MilvusError): bigint {
  let b: bigint | undefined;
  if (typeof d === 'bigint') b = d;
  else if (typeof d === 'number' && Number.isSafeInteger(d)) b = BigInt(d);
  else if (typeof d === 'string' && /^\s*[+-]?\d+\s*$/.test(d)) b = BigInt(d.trim());
  if (b === undefined) throw mismatch();
  if (b < -(1n << 63n) || b >= 1n << 63n) throw invalid(`default value out of int64 range, field name = ${name}`);
  return b;
}

function textParams(spec: FieldSpec, dim: number | null, maxLength: number | null, maxCapacity: number | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(spec.typeParams ?? {})) out[k] = String(v);
  if (dim !== null) out['dim'] = String(dim);
  if (maxLength !== null) out['max_length'] = String(maxLength);
  if (maxCapacity !== null) out['max_capacity'] = String(maxCapacity);
  return out;
}

export function buildField(spec: FieldSpec, fieldId: number): FieldSchema {
  if (SYSTEM_FIELD_NAMES.has(spec.name)) {
    throw errors.fieldNameInvalid(spec.name, `field name ${spec.name} is reserved for a system field`);
  }
  validateName('field', spec.name);
  checkDataType(spec);
  if (spec.autoId === true && spec.isPrimaryKey !== true) {
    throw invalid(`only primary field can speficy AutoID with true, field name = ${spec.name}`);
  }
  const dim = checkDim(spec, intParam(spec, 'dim', spec.dim));
  const needsLength = spec.dataType === DataType.VarChar
    || (spec.dataType === DataType.Array && spec.elementType === DataType.VarChar);
  const arr = checkArray(spec, intParam(spec, 'max_capacity', spec.maxCapacity));
  const maxLength = checkMaxLength(spec, intParam(spec, 'max_length', spec.maxLength), needsLength);
  checkNullable(spec);
  const defaultValue = checkDefault(spec, maxLength);
  return {
    fieldId,
    name: spec.name,
    description: spec.description ?? '',
    dataType: spec.dataType,
    isPrimaryKey: spec.isPrimaryKey === true,
    autoId: spec.autoId === true,
    isPartitionKey: spec.isPartitionKey === true,
    isClusteringKey: spec.isClusteringKey === true,
    isDynamic: false,
    nullable: spec.nullable === true,
    defaultValue,
    dim,
    maxLength: needsLength ? maxLength : null,
    maxCapacity: arr.maxCapacity,
    elementType: arr.elementType,
    typeParams: textParams(spec, dim, maxLength, arr.maxCapacity),
    ...(spec.externalField !== undefined && spec.externalField !== '' ? { externalField: spec.externalField } : {}),
  };
}
