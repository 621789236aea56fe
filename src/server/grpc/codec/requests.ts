/** Decoders for the small request messages (names, partitions, aliases, indexes, load, writes). */
import { errors } from '../../../core/errors.js';
import type * as T from '../../../service/types.js';
import { dbNameOf, type CallContext } from './context.js';
import { columnsFromFieldData } from './struct-data.js';
import { templateValuesFromWire } from './template.js';
import { fieldOpsFromWire } from '../../../service/partial-upsert.js';
import { bool, int64, keyValues, list, num, optionalString, str, strings, type Wire } from './wire.js';

export function collectionScoped(req: Wire, ctx: CallContext): T.CollectionScoped {
  return { dbName: dbNameOf(req, ctx), collectionName: str(req['collection_name'], 'collection_name') };
}

/** The segment-info requests spell their names in camelCase (`dbName`, `collectionName`). */
export function segmentInfoRequest(req: Wire, ctx: CallContext): T.CollectionScoped {
  const own = str(req['dbName'], 'dbName');
  return { dbName: own !== '' ? own : dbNameOf({}, ctx), collectionName: str(req['collectionName'], 'collectionName') };
}

export function partitionRequest(req: Wire, ctx: CallContext): T.PartitionRequest {
  return { ...collectionScoped(req, ctx), partitionName: str(req['partition_name'], 'partition_name') };
}

export function aliasRequest(req: Wire, ctx: CallContext): T.AliasRequest {
  return { ...collectionScoped(req, ctx), alias: str(req['alias'], 'alias') };
}

/** `extra_params` -> flat params; the `params` JSON object is flattened, explicit keys win. */
export function createIndexRequest(req: Wire, ctx: CallContext): T.CreateIndexRequest {
  const kv = keyValues(req['extra_params'], 'extra_params');
  const params: Record<string, string> = {};
  const json = kv['params'];
  if (json !== undefined && json.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      throw errors.invalidParameter('index params', { expected: 'a JSON object', actual: json.slice(0, 64) });
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw errors.invalidParameter('index params', { expected: 'a JSON object', actual: json.slice(0, 64) });
    }
    for (const [k, v] of Object.entries(parsed)) params[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  for (const [k, v] of Object.entries(kv)) if (k !== 'params') params[k] = v;
  const out: T.CreateIndexRequest = { ...collectionScoped(req, ctx), fieldName: str(req['field_name'], 'field_name'), params };
  const indexName = optionalString(req['index_name'], 'index_name');
  if (indexName !== undefined) out.indexName = indexName;
  return out;
}

export function indexRequest(req: Wire, ctx: CallContext): T.IndexRequest {
  const out: T.IndexRequest = collectionScoped(req, ctx);
  const fieldName = optionalString(req['field_name'], 'field_name');
  if (fieldName !== undefined) out.fieldName = fieldName;
  const indexName = optionalString(req['index_name'], 'index_name');
  if (indexName !== undefined) out.indexName = indexName;
  return out;
}

export function loadRequest(req: Wire, ctx: CallContext): T.LoadRequest {
  const out: T.LoadRequest = {
    ...collectionScoped(req, ctx),
    refresh: bool(req['refresh']),
    skipLoadDynamicField: bool(req['skip_load_dynamic_field']),
  };
  const replicas = num(req['replica_number'], 'replica_number');
  if (replicas !== 0) out.replicaNumber = replicas;
  const loadFields = strings(req['load_fields'], 'load_fields');
  if (loadFields.length > 0) out.loadFields = loadFields;
  const groups = strings(req['resource_groups'], 'resource_groups');
  if (groups.length > 0) out.resourceGroups = groups;
  return out;
}

export function partitionNames(req: Wire): string[] {
  return strings(req['partition_names'], 'partition_names');
}

export function insertRequest(req: Wire, ctx: CallContext): T.InsertRequest {
  const numRows = num(req['num_rows'], 'num_rows');
  const out: T.InsertRequest = {
    ...collectionScoped(req, ctx),
    numRows,
    columns: columnsFromFieldData(req['fields_data'], numRows),
  };
  const partition = optionalString(req['partition_name'], 'partition_name');
  if (partition !== undefined) out.partitionName = partition;
  if (bool(req['partial_update'])) out.partialUpdate = true;
  const ops = fieldOpsFromWire(req['field_ops'], 'field_name');
  if (ops.length > 0) out.fieldOps = ops;
  return out;
}

export function deleteRequest(req: Wire, ctx: CallContext): T.DeleteRequest {
  const out: T.DeleteRequest = {
    ...collectionScoped(req, ctx),
    filter: str(req['expr'], 'expr'),
    templateValues: templateValuesFromWire(req['expr_template_values']),
  };
  const partition = optionalString(req['partition_name'], 'partition_name');
  if (partition !== undefined) out.partitionName = partition;
  return out;
}

export function flushStateRequest(req: Wire, ctx: CallContext): Parameters<import('../../../service/api.js').MilvusApi['getFlushState']>[0] {
  const out: { segmentIds: bigint[]; flushTs?: bigint; dbName?: string; collectionName?: string } = {
    segmentIds: list(req['segmentIDs'], 'segmentIDs').map((x) => int64(x, 'segmentIDs')),
  };
  const ts = int64(req['flush_ts'], 'flush_ts');
  if (ts !== 0n) out.flushTs = ts;
  const db = dbNameOf(req, ctx);
  if (db !== undefined) out.dbName = db;
  const coll = optionalString(req['collection_name'], 'collection_name');
  if (coll !== undefined) out.collectionName = coll;
  return out;
}

export function propertiesOf(req: Wire): T.Properties {
  return keyValues(req['properties'], 'properties');
}
