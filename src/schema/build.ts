/**
 * Building and validating a collection schema (Milvus proxy createCollectionTask.PreExecute and
 * rootcoord checks): names, one Int64/VarChar primary key, autoID only there, field and vector
 * field counts, dims, VarChar/Array params, nullable/default rules, partition and clustering keys.
 * Field IDs start at 100 in spec order; with the dynamic field a hidden `$meta` JSON field follows.
 */
import type { CollectionSchema, FieldSchema, FunctionSchema } from './types.js';
import { DYNAMIC_FIELD_NAME, FIRST_FIELD_ID } from './types.js';
import { DataType, isVectorType } from '../core/enums.js';
import { errors } from '../core/errors.js';
import { limits } from '../core/limits.js';
import { FunctionType, requireImplementedFunction } from './functions.js';
import { checkBm25Function } from './bm25.js';
import { validateName } from './names.js';
import { buildField, typeLabel, type FieldSpec } from './field.js';
import { checkTextFields } from './text.js';
import { checkExternalSchema, isExternal } from './external.js';
import { buildStructFields, isStructVectorMember, type StructFieldSpec } from './struct.js';

export { validateName } from './names.js';
export type { NameKind } from './names.js';
export type { FieldSpec } from './field.js';
export type { StructFieldSpec } from './struct.js';

export interface CollectionSpec {
  name: string;
  description?: string;
  fields: FieldSpec[];
  enableDynamicField?: boolean;
  /** Deprecated collection-level flag: applies to the primary key. */
  autoId?: boolean;
  functions?: FunctionSchema[];
  /** Array-of-Struct fields (schema/struct.ts). */
  structFields?: StructFieldSpec[];
  /** External collections (schema/external.ts). */
  externalSource?: string;
  externalSpec?: string;
}

const invalid = (what: string) => errors.invalidParameter(what);

const CLUSTERING_KEY_TYPES: ReadonlySet<DataType> = new Set([
  DataType.Int8, DataType.Int16, DataType.Int32, DataType.Int64, DataType.Float, DataType.Double, DataType.VarChar,
]);

export function buildCollectionSchema(spec: CollectionSpec): CollectionSchema {
  validateName('collection', spec.name);
  if (!Array.isArray(spec.fields)) throw invalid('schema fields must be a list');
  if (spec.fields.length > limits.maxFieldsPerCollection) {
    throw invalid(`maximum field's number should be limited to ${limits.maxFieldsPerCollection}`);
  }
  const fields = spec.fields.map((f, i) => buildField(f, FIRST_FIELD_ID + i));
  checkDuplicateNames(fields);
  checkExternalSchema({ ...spec, functionCount: spec.functions?.length ?? 0, structCount: spec.structFields?.length ?? 0 }, fields, FIRST_FIELD_ID + fields.length);
  checkPrimaryKey(fields, spec.autoId === true);
  const structs = buildStructFields(spec.structFields ?? [], FIRST_FIELD_ID + fields.length, new Set(fields.map((f) => f.name)));
  fields.push(...structs.members);
  checkVectorFields(fields);
  checkPartitionKey(fields);
  checkClusteringKey(spec.name, fields);
  checkTextFields(fields);
  const functions = buildFunctions(spec.functions ?? [], fields);
  const enableDynamicField = spec.enableDynamicField === true;
  if (enableDynamicField) fields.push(dynamicFieldSchema(FIRST_FIELD_ID + fields.length + structs.structs.length));
  const schema: CollectionSchema = { name: spec.name, description: spec.description ?? '', fields, enableDynamicField, functions };
  if (structs.structs.length > 0) schema.structFields = structs.structs;
  if (isExternal(spec)) {
    schema.externalSource = spec.externalSource!;
    schema.externalSpec = spec.externalSpec ?? '';
  }
  return schema;
}

function dynamicFieldSchema(fieldId: number): FieldSchema {
  return {
    fieldId, name: DYNAMIC_FIELD_NAME, description: 'dynamic schema', dataType: DataType.JSON,
    isPrimaryKey: false, autoId: false, isPartitionKey: false, isClusteringKey: false, isDynamic: true,
    nullable: false, defaultValue: null, dim: null, maxLength: null, maxCapacity: null, elementType: null,
    typeParams: {},
  };
}

function checkDuplicateNames(fields: FieldSchema[]): void {
  const seen = new Set<string>();
  for (const f of fields) {
    if (seen.has(f.name)) throw invalid(`duplicated field name ${f.name} found`);
    seen.add(f.name);
  }
}

function checkPrimaryKey(fields: FieldSchema[], collectionAutoId: boolean): void {
  const pks = fields.filter((f) => f.isPrimaryKey);
  const [pk, second] = pks;
  if (pk === undefined) throw invalid('primary key is not specified');
  if (second !== undefined) throw invalid(`there are more than one primary key, field name = ${pk.name}, ${second.name}`);
  if (pk.dataType !== DataType.Int64 && pk.dataType !== DataType.VarChar) {
    throw invalid(`the data type of primary key should be Int64 or VarChar, field name = ${pk.name}`);
  }
  if (collectionAutoId) pk.autoId = true;
}

function checkVectorFields(fields: FieldSchema[]): void {
  const n = fields.filter((f) => isVectorType(f.dataType) || isStructVectorMember(f)).length;
  if (n === 0) throw invalid('schema does not contain vector field');
  if (n > limits.maxVectorFieldsPerCollection) {
    throw invalid(`maximum vector field's number should be limited to ${limits.maxVectorFieldsPerCollection}`);
  }
}

function checkPartitionKey(fields: FieldSchema[]): void {
  let key: FieldSchema | undefined;
  for (const f of fields) {
    if (!f.isPartitionKey) continue;
    if (key !== undefined) throw invalid(`there are more than one partition key, field name = ${key.name}, ${f.name}`);
    if (f.isPrimaryKey) throw invalid(`the partition key field must not be primary field, field name = ${f.name}`);
    if (f.dataType !== DataType.Int64 && f.dataType !== DataType.VarChar) {
      throw invalid(`the data type of partition key should be Int64 or VarChar, field name = ${f.name}`);
    }
    key = f;
  }
}

function checkClusteringKey(collection: string, fields: FieldSchema[]): void {
  let key: FieldSchema | undefined;
  for (const f of fields) {
    if (!f.isClusteringKey) continue;
    if (isVectorType(f.dataType)) {
      throw errors.illegalSchema(`vector clustering key not allowed, collection = ${collection}, field name = ${f.name}`);
    }
    if (!CLUSTERING_KEY_TYPES.has(f.dataType)) {
      throw errors.illegalSchema(`clustering key field ${f.name} has unsupported data type ${typeLabel(f.dataType)}`);
    }
    if (key !== undefined) throw errors.illegalSchema(`there are more than one clustering key, field name = ${key.name}, ${f.name}`);
    key = f;
  }
}

function checkFunctionFields(fn: FunctionSchema, byName: ReadonlyMap<string, FieldSchema>): void {
  if (fn.inputFieldNames.length === 0) throw invalid(`function input field names cannot be empty, function: ${fn.name}`);
  if (fn.outputFieldNames.length === 0) throw invalid(`function output field names cannot be empty, function: ${fn.name}`);
  const seenIn = new Set<string>();
  for (const n of fn.inputFieldNames) {
    if (n === '') throw invalid(`function input field name cannot be empty string, function: ${fn.name}`);
    if (seenIn.has(n)) throw invalid(`duplicate function input field: function ${fn.name}, field ${n}`);
    seenIn.add(n);
    const f = byName.get(n);
    if (f === undefined) throw invalid(`function input field not found: ${n}`);
    if (f.nullable) throw invalid(`function input field cannot be nullable: function ${fn.name}, field ${n}`);
  }
  const seenOut = new Set<string>();
  for (const n of fn.outputFieldNames) {
    if (n === '') throw invalid(`function output field name cannot be empty string, function: ${fn.name}`);
    if (seenOut.has(n)) throw invalid(`duplicate function output field: function ${fn.name}, field ${n}`);
    seenOut.add(n);
    if (seenIn.has(n)) throw invalid(`a single field cannot be both input and output in the same function, function: ${fn.name}, field: ${n}`);
    const f = byName.get(n);
    if (f === undefined) throw invalid(`function output field not found: ${n}`);
    if (f.isPrimaryKey) throw invalid(`function output field cannot be primary key: function ${fn.name}, field ${n}`);
    if (f.isPartitionKey || f.isClusteringKey) throw invalid(`function output field cannot be partition key or clustering key: function ${fn.name}, field ${n}`);
    if (f.nullable) throw invalid(`function output field cannot be nullable: function ${fn.name}, field ${n}`);
  }
}

/**
 * Milvus's function checks (proxy validateFunction), then the type's own (BM25: schema/bm25.ts).
 * `checkType` decides which types are accepted: on create, only those Sextant computes.
 */
export function buildFunctions(
  specs: FunctionSchema[], fields: FieldSchema[],
  checkType: (fn: FunctionSchema, byName: ReadonlyMap<string, FieldSchema>) => void = requireImplementedFunction,
): FunctionSchema[] {
  const byName = new Map(fields.map((f) => [f.name, f]));
  const names = new Set<string>();
  const outputs = new Set<string>();
  return specs.map((fn) => {
    if (typeof fn.name !== 'string' || fn.name.length === 0) throw invalid('function name cannot be empty');
    if (names.has(fn.name)) throw invalid(`duplicate function name: ${fn.name}`);
    names.add(fn.name);
    checkFunctionFields(fn, byName);
    for (const n of fn.outputFieldNames) {
      if (outputs.has(n)) throw invalid(`duplicate function output field: function ${fn.name}, field ${n}`);
      outputs.add(n);
    }
    checkType(fn, byName);
    if (fn.type === FunctionType.BM25) checkBm25Function(fn, byName);
    return {
      name: fn.name, description: fn.description ?? '', type: fn.type,
      inputFieldNames: [...fn.inputFieldNames], outputFieldNames: [...fn.outputFieldNames], params: { ...fn.params },
    };
  });
}

/** Names of fields a function computes: never sent on insert. */
export function functionOutputFields(schema: CollectionSchema): Set<string> {
  const out = new Set<string>();
  for (const fn of schema.functions) for (const n of fn.outputFieldNames) out.add(n);
  return out;
}
