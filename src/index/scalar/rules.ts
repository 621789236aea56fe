/**
 * Which scalar index type fits which field, with Milvus's messages (its indexparamcheck checkers),
 * and what each type's index answers. JSON fields take an index per path (`json_path`) holding the
 * values of one `json_cast_type`.
 */
import { DataType, dataTypeName } from '../../core/enums.js';
import { errors } from '../../core/errors.js';
import type { IndexKeyKind } from '../../expr/scalar-index.js';
import type { FieldSchema } from '../../schema/types.js';
import type { SortedCaps } from './sorted.js';

export const SCALAR_INDEX_TYPES: ReadonlySet<string> = new Set(['INVERTED', 'STL_SORT', 'TRIE', 'BITMAP', 'AUTOINDEX', 'HYBRID', 'NGRAM', 'RTREE']);

/** Cast types of a JSON path index (Milvus's validJSONCastTypes; the array casts are accepted, not used by the planner). */
const JSON_CAST_TYPES = ['BOOL', 'DOUBLE', 'VARCHAR', 'ARRAY_BOOL', 'ARRAY_DOUBLE', 'ARRAY_VARCHAR', 'JSON'];
const STL_SORT_JSON_CAST_TYPES = ['DOUBLE', 'VARCHAR'];

const isInt = (t: DataType): boolean => t === DataType.Int8 || t === DataType.Int16 || t === DataType.Int32 || t === DataType.Int64;
const isArith = (t: DataType): boolean => isInt(t) || t === DataType.Float || t === DataType.Double;
const isString = (t: DataType): boolean => t === DataType.VarChar;
const typeName = (t: number): string => dataTypeName(t) ?? String(t);

function checkBitmap(f: FieldSchema): void {
  if (f.isPrimaryKey) throw errors.invalidParameter('create bitmap index on primary key not supported');
  const t = f.dataType;
  if (t !== DataType.Bool && !isInt(t) && !isString(t) && t !== DataType.Array) {
    throw errors.invalidParameter('bitmap index are only supported on bool, int, string and array field');
  }
  const e = f.elementType ?? DataType.None;
  if (t === DataType.Array && e !== DataType.Bool && !isInt(e) && !isString(e)) {
    throw errors.invalidParameter('bitmap index are only supported on bool, int, string for array field');
  }
}

function checkJsonParams(indexType: string, params: Record<string, string>): void {
  const cast = params['json_cast_type'];
  if (indexType === 'NGRAM') {
    if (cast === undefined) throw errors.missingParameterMsg('JSON field with ngram index must specify json_cast_type');
    if (cast.trim().toUpperCase() !== 'VARCHAR') throw errors.invalidParameter(`JSON field with ngram index only supports VARCHAR cast type, got: ${cast.trim().toUpperCase()}`);
  } else {
    if (cast === undefined) throw errors.missingParameterMsg('json index must specify cast type', 'json_cast_type');
    const upper = cast.toUpperCase();
    if (indexType === 'STL_SORT' && !STL_SORT_JSON_CAST_TYPES.includes(upper)) throw errors.invalidParameter(`json_cast_type ${cast} is not supported for STL_SORT index`);
    if (!JSON_CAST_TYPES.includes(upper)) throw errors.invalidParameter(`json_cast_type ${cast} is not supported`);
    const fn = params['json_cast_function'];
    if (fn !== undefined) {
      if (fn.toUpperCase() !== 'STRING_TO_DOUBLE') throw errors.invalidParameter(`json_cast_function ${fn} is not supported`);
      if (upper !== 'DOUBLE') throw errors.invalidParameter(`json_cast_function ${fn} is not supported for json_cast_type ${cast}`);
    }
  }
  if (params['json_path'] === undefined) throw errors.missingParameterMsg('json index must specify json path', 'json_path');
}

function checkNgram(params: Record<string, string>): void {
  const minS = params['min_gram'];
  const maxS = params['max_gram'];
  if (minS === undefined || maxS === undefined) throw errors.missingParameterMsg('Ngram index must specify both min_gram and max_gram');
  const min = /^[+-]?\d+$/.test(minS.trim()) ? Number(minS) : NaN;
  if (Number.isNaN(min)) throw errors.invalidParameter(`min_gram for Ngram index must be an integer, got: ${minS}`);
  const max = /^[+-]?\d+$/.test(maxS.trim()) ? Number(maxS) : NaN;
  if (Number.isNaN(max)) throw errors.invalidParameter(`max_gram for Ngram index must be an integer, got: ${maxS}`);
  if (min <= 0 || max <= 0 || min > max) throw errors.invalidParameter(`invalid min_gram or max_gram value for Ngram index, min_gram: ${min}, max_gram: ${max}`);
}

/** Milvus's checks for a scalar index of `indexType` on field `f` (throws its errors). */
export function validateScalarIndex(indexType: string, f: FieldSchema, params: Record<string, string>): void {
  const t = f.dataType;
  switch (indexType) {
    case 'STL_SORT':
      if (t !== DataType.JSON && !isArith(t) && !isString(t) && t !== DataType.Timestamptz) {
        throw errors.invalidParameter(`STL_SORT are only supported on numeric, varchar, timestamptz, date or time field, got ${typeName(t)}`);
      }
      break;
    case 'TRIE':
      if (!isString(t)) throw errors.invalidParameter('TRIE are only supported on varchar field');
      break;
    case 'BITMAP': checkBitmap(f); break;
    case 'NGRAM':
      if (!isString(t) && t !== DataType.JSON) throw errors.invalidParameter('Ngram index can only be created on VARCHAR or JSON field');
      checkNgram(params);
      break;
    case 'RTREE':
      if (t !== DataType.Geometry) throw errors.invalidParameter(`RTREE index can only be built on geometry field, got ${typeName(t)}`);
      break;
    case 'INVERTED': case 'AUTOINDEX': case 'HYBRID':
      if (t !== DataType.Bool && !isArith(t) && !isString(t) && t !== DataType.Array && t !== DataType.JSON && t !== DataType.Timestamptz) {
        throw errors.invalidParameter(`INVERTED are not supported on ${typeName(t)} field`);
      }
      break;
    default: throw errors.indexNotSupported(indexType);
  }
  if (t === DataType.JSON) checkJsonParams(indexType, params);
}

export function sortedCaps(indexType: string): SortedCaps {
  return { indexType, prefixes: true, ranges: true };
}

/** The key kind of a plain column type (an Array's element type). */
export function keyKindOf(t: DataType): IndexKeyKind | undefined {
  if (t === DataType.Bool) return 'bool';
  if (t === DataType.Int64 || t === DataType.Timestamptz) return 'i64';
  if (isString(t)) return 'str';
  if (isArith(t)) return 'num';
  return undefined;
}

/** The key kind of a JSON path index's cast type (undefined: kept but not used by the planner). */
export function keyKindOfCast(cast: string): IndexKeyKind | undefined {
  switch (cast.toUpperCase()) {
    case 'DOUBLE': return 'num';
    case 'VARCHAR': return 'str';
    case 'BOOL': return 'bool';
    default: return undefined;
  }
}
