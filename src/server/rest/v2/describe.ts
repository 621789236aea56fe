/**
 * `collections/describe` data: the service's CollectionDescription in Milvus' REST v2 shape. Catalog
 * IDs are plain JSON numbers (they are small); only entity data follows Accept-Type-Allow-Int64.
 */
import { ConsistencyLevel, dataTypeName, type LoadStateName } from '../../../core/enums.js';
import type { FieldSchema } from '../../../schema/types.js';
import type { CollectionDescription, IndexDescription } from '../../../service/types.js';

const consistencyNames = new Map<number, string>(Object.entries(ConsistencyLevel).map(([k, v]) => [v, k]));

export function consistencyName(level: number): string {
  return consistencyNames.get(level) ?? 'Bounded';
}

function fieldParams(f: FieldSchema): { key: string; value: string }[] {
  const params = { ...f.typeParams };
  if (f.dim !== null) params['dim'] = String(f.dim);
  if (f.maxLength !== null) params['max_length'] = String(f.maxLength);
  if (f.maxCapacity !== null) params['max_capacity'] = String(f.maxCapacity);
  return Object.entries(params).map(([key, value]) => ({ key, value }));
}

function describeField(f: FieldSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: f.name,
    id: f.fieldId,
    type: dataTypeName(f.dataType) ?? String(f.dataType),
    description: f.description,
    primaryKey: f.isPrimaryKey,
    autoId: f.autoId,
    partitionKey: f.isPartitionKey,
    clusteringKey: f.isClusteringKey,
    nullable: f.nullable,
    params: fieldParams(f),
  };
  if (f.elementType !== null) out['elementType'] = dataTypeName(f.elementType) ?? String(f.elementType);
  if (f.defaultValue !== null) out['defaultValue'] = f.defaultValue;
  if (f.externalField !== undefined) out['externalField'] = f.externalField;
  return out;
}

export function describeCollectionData(
  d: CollectionDescription,
  indexes: readonly IndexDescription[],
  load: LoadStateName,
  partitionsNum: number,
): Record<string, unknown> {
  const pk = d.schema.fields.find((f) => f.isPrimaryKey);
  return {
    collectionName: d.collectionName,
    collectionID: Number(d.collectionId),
    description: d.schema.description,
    autoId: pk?.autoId ?? false,
    enableDynamicField: d.schema.enableDynamicField,
    ...(d.schema.externalSource !== undefined ? { externalSource: d.schema.externalSource, externalSpec: d.schema.externalSpec ?? '' } : {}),
    fields: d.schema.fields.filter((f) => !f.isDynamic).map(describeField),
    functions: d.schema.functions.map((fn) => ({
      name: fn.name, type: fn.type, description: fn.description,
      inputFieldNames: fn.inputFieldNames, outputFieldNames: fn.outputFieldNames,
      params: Object.entries(fn.params).map(([key, value]) => ({ key, value })),
    })),
    indexes: indexes.map((i) => ({ fieldName: i.fieldName, indexName: i.indexName, metricType: i.metricType })),
    load,
    shardsNum: d.shardsNum,
    partitionsNum,
    consistencyLevel: consistencyName(d.consistencyLevel),
    properties: Object.entries(d.properties).map(([key, value]) => ({ key, value })),
    aliases: d.aliases,
    dbName: d.dbName,
  };
}

export function describeIndexData(i: IndexDescription): Record<string, unknown> {
  return {
    fieldName: i.fieldName,
    indexName: i.indexName,
    indexType: i.indexType,
    metricType: i.metricType,
    indexState: i.state,
    indexedRows: i.indexedRows,
    totalRows: i.totalRows,
    pendingRows: i.pendingRows,
    failReason: i.failReason,
    params: i.params,
  };
}
