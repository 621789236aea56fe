/**
 * createCollection, the SDK's high-level version:
 * - `fields` / `schema` form: create (a failure is thrown); with `index_params`, create each index
 *   (a failure is thrown) and load synchronously.
 * - quick form `{collection_name, dimension}`: `id` Int64 PK + `vector` FloatVector, dynamic field
 *   on, index with `metric_type` (COSINE by default), load; an existing collection is only indexed
 *   (when it has no index) and loaded.
 */
import type { CreateColReq, CreateColWithSchemaAndIndexParamsReq, CreateCollectionReq, FieldType } from '@zilliz/milvus2-sdk-node';
import { type ClientContext, dbOf } from './context.js';
import { hasCollection } from './collections.js';
import { DataType, DEFAULT_METRIC_TYPE, DEFAULT_PRIMARY_KEY_FIELD, DEFAULT_VECTOR_FIELD, ERROR_REASONS } from './enums.js';
import { createIndex, describeIndex } from './indexes.js';
import { loadCollectionSync } from './load.js';
import { checkFields, createCollectionRequest, fieldsOf } from './schema.js';
import { clientError, isSuccess, type ResStatus, StatusError, statusOf } from './status.js';

export type CreateCollectionInput = CreateColReq | CreateColWithSchemaAndIndexParamsReq | CreateCollectionReq;

async function createWithFields(ctx: ClientContext, req: CreateCollectionReq): Promise<ResStatus> {
  const fields = fieldsOf(req);
  if (fields.length === 0) throw clientError(ERROR_REASONS.CREATE_COLLECTION_CHECK_PARAMS);
  const external = req.external_source !== undefined && req.external_source !== '';
  if (external && ('auto_id' in req || fields.some((f) => f.autoID === true))) throw clientError(ERROR_REASONS.CREATE_EXTERNAL_COLLECTION_AUTO_ID);
  if (external && fields.some((f) => f.is_primary_key === true)) throw clientError(ERROR_REASONS.CREATE_EXTERNAL_COLLECTION_PRIMARY_KEY);
  checkFields(fields, external);
  if (req.num_partitions !== undefined && (req.num_partitions < 1 || req.num_partitions > 4096)) throw clientError(ERROR_REASONS.INVALID_PARTITION_NUM);
  const r = createCollectionRequest(req, dbOf(ctx, req));
  const status = await statusOf(() => ctx.service.createCollection(r));
  if (!isSuccess(status)) throw new StatusError(status);
  if (!('index_params' in req) || !req.index_params) return status;
  const list = Array.isArray(req.index_params) ? req.index_params : [req.index_params];
  const db = req.db_name ? { db_name: req.db_name } : {};
  const created = await Promise.all(list.map((p) => createIndex(ctx, { ...p, collection_name: req.collection_name, ...db })));
  const failed = created.find((s) => !isSuccess(s));
  if (failed) throw new StatusError(failed);
  await loadCollectionSync(ctx, { collection_name: req.collection_name, ...db });
  return status;
}

async function createQuick(ctx: ClientContext, req: CreateColReq): Promise<ResStatus> {
  const pkName = req.primary_field_name ?? DEFAULT_PRIMARY_KEY_FIELD;
  const vectorName = req.vector_field_name ?? DEFAULT_VECTOR_FIELD;
  const db = req.db_name ? { db_name: req.db_name } : {};
  // The SDK answers an untouched default status when the collection already existed.
  let result: ResStatus = { extra_info: {}, error_code: '', reason: '', code: 0, retriable: false, detail: '' };
  let indexMissing = true;
  if (!(await hasCollection(ctx, { collection_name: req.collection_name, ...db })).value) {
    const fields: FieldType[] = [
      { name: pkName, data_type: req.id_type ?? DataType.Int64, is_primary_key: true, autoID: req.auto_id ?? false },
      { name: vectorName, data_type: DataType.FloatVector, dim: req.dimension },
    ];
    if ((req.id_type ?? DataType.Int64) === DataType.VarChar) fields[0]!.max_length = 65535;
    result = await statusOf(() => ctx.service.createCollection(createCollectionRequest({
      collection_name: req.collection_name,
      fields,
      enable_dynamic_field: (req.enableDynamicField ?? true) || (req.enable_dynamic_field ?? true),
      ...(req.consistency_level ? { consistency_level: req.consistency_level } : {}),
      ...(req.description ? { description: req.description } : {}),
    }, dbOf(ctx, req))));
    if (!isSuccess(result)) throw new StatusError(result);
  } else {
    const info = await describeIndex(ctx, { collection_name: req.collection_name, ...db });
    indexMissing = info.status.error_code === 'IndexNotExist';
  }
  if (indexMissing) {
    const extra = { metric_type: req.metric_type ?? DEFAULT_METRIC_TYPE, ...req.index_params };
    const status = await createIndex(ctx, { collection_name: req.collection_name, field_name: vectorName, extra_params: extra, ...db });
    if (!isSuccess(status)) throw new StatusError(status);
  }
  await loadCollectionSync(ctx, { collection_name: req.collection_name, ...db });
  return result;
}

export async function createCollection(ctx: ClientContext, req: CreateCollectionInput): Promise<ResStatus> {
  if (!req || !req.collection_name) throw clientError(ERROR_REASONS.CREATE_COLLECTION_CHECK_PARAMS);
  if ('fields' in req || 'schema' in req) return createWithFields(ctx, req);
  return createQuick(ctx, req);
}
