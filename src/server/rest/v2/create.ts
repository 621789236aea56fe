/**
 * REST v2 `collections/create` (reference §7.1):
 * - quick form (`dimension`): `id` Int64 (or VarChar via `idType`) primary key + `vector`
 *   FloatVector, dynamic field on, an AUTOINDEX index with `metricType` (COSINE), then load;
 * - schema form (`schema.fields`): create; with `indexParams`, create those indexes and load.
 */
import { DataType, dataTypeFromName, type DataType as DataTypeT } from '../../../core/enums.js';
import { errors } from '../../../core/errors.js';
import { functionTypeFromName } from '../../../schema/functions.js';
import type { FunctionSchema, ScalarValue } from '../../../schema/types.js';
import type { CreateCollectionRequest, FieldSpecInput } from '../../../service/types.js';
import type { Args } from '../args.js';
import { restErrors } from '../errors.js';
import { empty, type RestCall, type V2Result } from '../route.js';
import { createIndexes } from './indexes.js';
import { consistencyOfName } from './levels.js';

function dataTypeOf(name: string, what: string): DataTypeT {
  const t = dataTypeFromName(name);
  if (t === undefined || t === DataType.None) throw errors.invalidParameter(`${what}: unknown data type`, { actual: name });
  return t;
}

function intOf(v: unknown, what: string): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  if (!Number.isInteger(n)) throw errors.invalidParameter(what, { expected: 'an integer', actual: String(v) });
  return n;
}

function defaultValueOf(v: unknown, what: string): ScalarValue | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return v;
  throw errors.invalidParameter(`${what}: defaultValue must be a scalar`, { actual: typeof v });
}

function fieldSpec(f: Args, i: number): FieldSpecInput {
  const name = f.str('fieldName');
  const params = f.stringRecord('elementTypeParams');
  const spec: FieldSpecInput = {
    name,
    dataType: dataTypeOf(f.str('dataType'), `fields[${i}]`),
    description: f.optStr('description') ?? '',
    isPrimaryKey: f.optBool('isPrimary') ?? false,
    isPartitionKey: f.optBool('isPartitionKey') ?? false,
    isClusteringKey: f.optBool('isClusteringKey') ?? false,
    nullable: f.optBool('nullable') ?? false,
    typeParams: params,
  };
  const externalField = f.optStr('externalField');
  if (externalField !== undefined && externalField !== '') spec.externalField = externalField;
  const defaultValue = defaultValueOf(f.raw('defaultValue'), name);
  if (defaultValue !== null) spec.defaultValue = defaultValue;
  const element = f.optStr('elementDataType');
  if (element !== undefined && element !== '') spec.elementType = dataTypeOf(element, `${name}.elementDataType`);
  const dim = intOf(params['dim'], `${name}.dim`);
  if (dim !== undefined) spec.dim = dim;
  const maxLength = intOf(params['max_length'], `${name}.max_length`);
  if (maxLength !== undefined) spec.maxLength = maxLength;
  const maxCapacity = intOf(params['max_capacity'], `${name}.max_capacity`);
  if (maxCapacity !== undefined) spec.maxCapacity = maxCapacity;
  return spec;
}

/** `schema.functions[i]`: {name, type ("BM25", ...), inputFieldNames, outputFieldNames, params, description}. */
function functionSpec(f: Args, i: number): FunctionSchema {
  const typeName = f.str('type');
  const type = functionTypeFromName(typeName);
  if (type === undefined) throw errors.invalidParameter(`functions[${i}]: unknown function type`, { actual: typeName });
  return {
    name: f.str('name'),
    description: f.optStr('description') ?? '',
    type,
    inputFieldNames: f.strList('inputFieldNames'),
    outputFieldNames: f.strList('outputFieldNames'),
    params: f.stringRecord('params'),
  };
}

/** `params`: shardsNum, partitionsNum, consistencyLevel, ttlSeconds, enableDynamicField; the rest become properties. */
function applyParams(req: CreateCollectionRequest, params: Args | undefined): void {
  if (params === undefined) return;
  const shards = intOf(params.raw('shardsNum'), 'params.shardsNum');
  if (shards !== undefined) req.shardsNum = shards;
  const partitions = intOf(params.raw('partitionsNum'), 'params.partitionsNum');
  if (partitions !== undefined) req.numPartitions = partitions;
  const level = consistencyOfName(params.optStr('consistencyLevel'));
  if (level !== undefined) req.consistencyLevel = level;
  const ttl = intOf(params.raw('ttlSeconds'), 'params.ttlSeconds');
  if (ttl !== undefined) req.properties = { ...req.properties, 'collection.ttl.seconds': String(ttl) };
  const dynamic = params.raw('enableDynamicField');
  if (dynamic !== undefined) req.enableDynamicField = dynamic === true || dynamic === 'true';
}

function quickFields(call: RestCall, dim: number): { fields: FieldSpecInput[]; vectorName: string } {
  const a = call.args;
  const idType = a.optStr('idType') ?? 'Int64';
  const pkType = dataTypeOf(idType, 'idType');
  if (pkType !== DataType.Int64 && pkType !== DataType.VarChar) {
    throw errors.invalidParameter('idType', { expected: 'Int64|VarChar', actual: idType });
  }
  const vectorName = a.optStr('vectorFieldName') || 'vector';
  const pk: FieldSpecInput = { name: a.optStr('primaryFieldName') || 'id', dataType: pkType, isPrimaryKey: true, autoId: a.optBool('autoID') ?? false };
  if (pkType === DataType.VarChar) pk.maxLength = intOf(a.optObject('params')?.raw('max_length'), 'params.max_length') ?? 65535;
  return { fields: [pk, { name: vectorName, dataType: DataType.FloatVector, dim }], vectorName };
}

async function createQuick(call: RestCall, dim: number): Promise<V2Result> {
  const collectionName = call.args.str('collectionName');
  const { fields, vectorName } = quickFields(call, dim);
  const req: CreateCollectionRequest = {
    dbName: call.dbName, collectionName, fields, enableDynamicField: true, description: call.args.optStr('description') ?? '',
  };
  applyParams(req, call.args.optObject('params'));
  await call.api.createCollection(req);
  const metric = call.args.optStr('metricType') || 'COSINE';
  await call.api.createIndex({ dbName: call.dbName, collectionName, fieldName: vectorName, params: { index_type: 'AUTOINDEX', metric_type: metric } });
  await call.api.loadCollection({ dbName: call.dbName, collectionName });
  return empty();
}

async function createWithSchema(call: RestCall, schema: Args): Promise<V2Result> {
  const collectionName = call.args.str('collectionName');
  const fields = schema.objects('fields', true).map(fieldSpec);
  const autoId = schema.optBool('autoID') ?? schema.optBool('autoId') ?? false;
  for (const f of fields) if (f.isPrimaryKey) f.autoId = autoId;
  const req: CreateCollectionRequest = {
    dbName: call.dbName,
    collectionName,
    fields,
    description: call.args.optStr('description') ?? '',
    enableDynamicField: schema.optBool('enableDynamicField') ?? schema.optBool('enabledDynamicField') ?? false,
    functions: schema.objects('functions', false).map(functionSpec),
  };
  const externalSource = schema.optStr('externalSource');
  if (externalSource !== undefined && externalSource !== '') req.externalSource = externalSource;
  const externalSpec = schema.optStr('externalSpec');
  if (externalSpec !== undefined && externalSpec !== '') req.externalSpec = externalSpec;
  applyParams(req, call.args.optObject('params'));
  await call.api.createCollection(req);
  const indexParams = call.args.objects('indexParams', false);
  if (indexParams.length === 0) return empty();
  await createIndexes(call, collectionName, indexParams);
  await call.api.loadCollection({ dbName: call.dbName, collectionName });
  return empty();
}

export async function createCollection(call: RestCall): Promise<V2Result> {
  call.args.str('collectionName');
  const schema = call.args.optObject('schema');
  if (schema !== undefined) return createWithSchema(call, schema);
  const dim = call.args.optInt('dimension');
  if (dim === undefined) throw restErrors.missingRequired('dimension');
  return createQuick(call, dim);
}
