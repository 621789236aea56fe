/** Index RPCs: CreateIndex, DescribeIndex, DropIndex (and the index-state helpers built on them). */
import { isVectorType } from '../core/enums.js';
import type { MetricType } from '../core/enums.js';
import { METRIC_TYPES } from '../core/enums.js';
import { errors } from '../core/errors.js';
import type { CollectionRuntime } from '../engine/collection.js';
import type { Engine } from '../engine/engine.js';
import type { IndexMeta } from '../engine/meta.js';
import { defaultMetricFor, getIndexDescriptor, validateIndexParams } from '../index/registry.js';
import { columnKindFor } from '../schema/column.js';
import { isVectorKind } from '../index/index.js';
import { validateName } from '../schema/build.js';
import { fieldByName } from '../schema/types.js';
import { FunctionType } from '../schema/functions.js';
import { requireCollection } from './resolve.js';
import { checkIndexMmap, refuseWhileLoaded } from './mmap.js';
import { SCALAR_INDEX_TYPES, validateScalarIndex } from '../index/scalar/rules.js';
import { parseJsonPath } from '../index/scalar/build.js';
import { DataType } from '../core/enums.js';
import type { FieldSchema } from '../schema/types.js';
import type * as T from './types.js';
import { isStructVectorMember, memberBaseMetric, memberVectorKind } from '../schema/struct.js';
import { structIndexMetric } from './struct-search.js';

export async function createIndex(engine: Engine, req: T.CreateIndexRequest): Promise<void> {
  const c = requireCollection(engine, req);
  const params = { ...req.params };
  const field = indexedField(c, req.fieldName, params);
  // Unnamed: the field's existing index name if it has one (Milvus datacoord), else the field name.
  const indexName = req.indexName && req.indexName.length > 0 ? req.indexName : sameTarget(c, field, params)?.name
    ?? (field.structMember ? `${field.structMember.parent}_${field.structMember.name}` : req.fieldName); // `items[emb]` is no valid index name
  validateName('index', indexName);
  let indexType = (params['index_type'] ?? 'AUTOINDEX').toUpperCase();
  if (indexType === '') indexType = 'AUTOINDEX';
  let metricType: MetricType | '' = '';
  if (isStructVectorMember(field)) {
    // Recorded with its metric (MAX_SIM* or plain); built over the member's element vectors with the base metric.
    const metric = structIndexMetric(field, (params['metric_type'] ?? '').toUpperCase());
    const { metric_type: _m, ...buildParams } = params;
    validateIndexParams(getIndexDescriptor(indexType), memberVectorKind(field), memberBaseMetric(field, metric), buildParams);
    params['metric_type'] = metric;
  } else if (isVectorType(field.dataType)) {
    const kind = columnKindFor(field.dataType);
    if (!isVectorKind(kind)) throw errors.invalidParameter(`field ${field.name} is not a vector field`);
    const desc = getIndexDescriptor(indexType);
    const requested = (params['metric_type'] ?? '').toUpperCase();
    if (requested !== '' && !(METRIC_TYPES as readonly string[]).includes(requested)) {
      throw errors.invalidParameter(`metric type ${requested} not found or not supported`, { metric_type: requested });
    }
    metricType = bm25MetricRule(c, field.name, requested) ?? (requested === '' ? defaultMetricFor(kind) : (requested as MetricType));
    validateIndexParams(desc, kind, metricType, params);
  } else {
    if (!SCALAR_INDEX_TYPES.has(indexType)) throw errors.indexNotSupported(indexType);
    validateScalarIndex(indexType, field, params);
    if (field.dataType === DataType.JSON) parseJsonPath(params['json_path'] ?? '', field.name, field.isDynamic);
  }
  checkIndexMmap(indexType, params);
  params['index_type'] = indexType;
  if (metricType) params['metric_type'] = metricType;
  const onField = sameTarget(c, field, params);
  if (onField) {
    if (onField.indexType === indexType && onField.metricType === metricType && onField.name === indexName) return;
    throw errors.unexpected('CreateIndex failed: at most one distinct index is allowed per field');
  }
  if (c.meta.indexes.some((i) => i.name === indexName)) {
    throw errors.invalidParameter(`index name ${indexName} is used by another field`, { indexName });
  }
  await engine.addIndex(c, { name: indexName, fieldName: field.name, fieldId: field.fieldId, indexType, metricType, params });
}

/**
 * The field an index is created on: a schema field, or the dynamic field when the name is a dynamic
 * key and a `json_path` is given (Milvus indexes dynamic keys as JSON paths of `$meta`).
 */
function indexedField(c: CollectionRuntime, name: string, params: Record<string, string>): FieldSchema {
  const field = fieldByName(c.meta.schema, name);
  if (field && !field.isDynamic) return field;
  const dynamic = c.meta.schema.fields.find((f) => f.isDynamic);
  if (dynamic !== undefined && params['json_path'] !== undefined) return dynamic;
  // Milvus' proxy answers a plain error (65535) here, not FieldNotFound.
  throw errors.unexpected(`cannot create index on non-exist field: ${name}`);
}

/** The index already on the same target: the field, or for JSON the same path. */
function sameTarget(c: CollectionRuntime, field: FieldSchema, params: Record<string, string>): IndexMeta | undefined {
  if (field.dataType !== DataType.JSON) return c.indexOnField(field.name);
  const path = (p: Record<string, string>): string => JSON.stringify(parseJsonPath(p['json_path'] ?? '', field.name, field.isDynamic));
  const want = path(params);
  return c.meta.indexes.find((i) => i.fieldName === field.name && path(i.params) === want);
}

/** A BM25 function's output takes metric BM25 (filled when absent); no other field may use it. */
function bm25MetricRule(c: CollectionRuntime, fieldName: string, requested: string): MetricType | undefined {
  const isOutput = c.meta.schema.functions.some((fn) => fn.type === FunctionType.BM25 && fn.outputFieldNames.includes(fieldName));
  if (!isOutput) {
    if (requested === 'BM25') throw errors.invalidParameter('only BM25 Function output field support BM25 metric type', { expected: 'valid index params', actual: 'invalid index params' });
    return undefined;
  }
  if (requested !== '' && requested !== 'BM25') {
    throw errors.invalidParameter(`metric type ${requested} is not supported on BM25 function output field ${fieldName}`, { expected: 'BM25', actual: requested });
  }
  return 'BM25';
}

function selectIndexes(c: CollectionRuntime, req: T.IndexRequest): IndexMeta[] {
  let list = c.meta.indexes;
  if (req.indexName) list = list.filter((i) => i.name === req.indexName);
  else if (req.fieldName) list = list.filter((i) => i.fieldName === req.fieldName);
  return list;
}

export function describeIndex(engine: Engine, req: T.IndexRequest): T.IndexDescription[] {
  const c = requireCollection(engine, req);
  const list = selectIndexes(c, req);
  if (list.length === 0) {
    throw errors.indexNotFound(req.indexName ? { collection: c.name, indexName: req.indexName } : { collection: c.name });
  }
  return list.map((i) => {
    // Sealed segments are indexed by background builds; growing rows are searched exactly
    // and, as in Milvus, are not counted as pending index work.
    const { indexedRows, pendingRows } = engine.indexer.progress(c, i);
    const failReason = engine.indexer.failures.get(i.id) ?? '';
    return {
      indexName: i.name,
      indexId: BigInt(i.id),
      fieldName: i.fieldName,
      indexType: i.indexType,
      metricType: i.metricType,
      params: { ...i.params },
      indexedRows,
      totalRows: indexedRows + pendingRows,
      pendingRows,
      state: failReason ? 'Failed' : pendingRows > 0 ? 'InProgress' : 'Finished',
      failReason,
    };
  });
}

export async function dropIndex(engine: Engine, req: T.IndexRequest): Promise<void> {
  const c = requireCollection(engine, req);
  const list = selectIndexes(c, req);
  if (list.length === 0) return;
  if (c.isLoaded) throw errors.unexpected('index cannot be dropped, collection is loaded, please release it first');
  for (const i of list) await engine.removeIndex(c, i.id);
}

/** Index properties AlterIndex may set or delete (Milvus' configurable index params). */
const ALTERABLE_INDEX_KEYS = new Set(['mmap.enabled', 'indexoffsetcache.enabled']);

export async function alterIndex(engine: Engine, req: T.AlterIndexRequest): Promise<void> {
  const c = requireCollection(engine, req);
  const index = c.meta.indexes.find((i) => i.name === req.indexName);
  if (!index) throw errors.indexNotFound({ collection: c.name, indexName: req.indexName });
  const params = { ...index.params };
  for (const [k, v] of Object.entries(req.properties)) {
    if (!ALTERABLE_INDEX_KEYS.has(k)) throw errors.invalidParameter(`${k} is not a configable index property`, { key: k });
    params[k] = String(v).toLowerCase();
  }
  for (const k of req.deleteKeys) {
    if (!ALTERABLE_INDEX_KEYS.has(k)) throw errors.invalidParameter(`${k} is not a configable index property`, { key: k });
    delete params[k];
  }
  if ('mmap.enabled' in req.properties) params['mmap.enabled'] = String(req.properties['mmap.enabled']);
  checkIndexMmap(index.indexType, params);
  refuseWhileLoaded(c, "can't alter index on loaded collection, please release the collection first");
  await engine.setIndexParams(c, index.id, params);
}
