/** Index methods: create (one or many), describe, list, state, build progress, drop. */
import type { AlterIndexReq, CreateIndexRequest, CreateIndexesReq, DropIndexPropertiesReq, DescribeIndexReq, DropIndexReq, GetIndexBuildProgressReq, GetIndexStateReq } from '@zilliz/milvus2-sdk-node';
import { errors } from '../core/errors.js';
import type * as T from '../service/types.js';
import { type ClientContext, scoped } from './context.js';
import { toKeyValues } from './format.js';
import { answer, isSuccess, type ResStatus, statusOf } from './status.js';
import type { DescribeIndexResponse, GetIndexBuildProgressResponse, GetIndexStateResponse, IndexDescriptionResult, ListIndexResponse } from './types.js';

function plainString(v: unknown): string {
  return typeof v === 'string' ? v : v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/**
 * The SDK's _createIndex merge (`extra_params`, then `params` as JSON, `index_type`, `metric_type`)
 * followed by what the server does with it: the `params` JSON object is flattened, explicit keys win.
 */
export function indexParamsOf(req: CreateIndexRequest): Record<string, string> {
  const extra: Record<string, unknown> = { ...('extra_params' in req ? req.extra_params : undefined) };
  if ('params' in req && req.params) extra['params'] = JSON.stringify(req.params);
  if ('index_type' in req && req.index_type) extra['index_type'] = req.index_type;
  if ('metric_type' in req && req.metric_type) extra['metric_type'] = req.metric_type;
  const out: Record<string, string> = {};
  const json = extra['params'];
  if (typeof json === 'string' && json.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      throw errors.invalidParameter('index params', { expected: 'a JSON object', actual: json.slice(0, 64) });
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw errors.invalidParameter('index params', { expected: 'a JSON object', actual: json.slice(0, 64) });
    }
    for (const [k, v] of Object.entries(parsed)) out[k] = plainString(v);
  }
  for (const [k, v] of Object.entries(extra)) if (k !== 'params' && v !== undefined) out[k] = plainString(v);
  return out;
}

async function createOne(ctx: ClientContext, req: CreateIndexRequest): Promise<ResStatus> {
  const s = scoped(ctx, req);
  return statusOf(() => ctx.service.createIndex({
    ...s, fieldName: req.field_name, params: indexParamsOf(req), ...(req.index_name ? { indexName: req.index_name } : {}),
  }));
}

/** One request or a list; a list answers the first failure, else the first success. */
export async function createIndex(ctx: ClientContext, req: CreateIndexesReq): Promise<ResStatus> {
  if (!Array.isArray(req)) return createOne(ctx, req);
  const all = await Promise.all(req.map((r) => createOne(ctx, r)));
  return all.find((s) => !isSuccess(s)) ?? all[0]!;
}

function indexRequest(ctx: ClientContext, req: DescribeIndexReq): T.IndexRequest {
  return { ...scoped(ctx, req), ...(req.field_name ? { fieldName: req.field_name } : {}), ...(req.index_name ? { indexName: req.index_name } : {}) };
}

/** DescribeIndex echoes index_type, metric_type and the build params as the `params` JSON. */
function descriptionResult(d: T.IndexDescription): IndexDescriptionResult {
  const build: Record<string, string> = {};
  for (const [k, v] of Object.entries(d.params)) if (k !== 'index_type' && k !== 'metric_type') build[k] = v;
  // As the gRPC door echoes them: each build param flat too (mmap.enabled among them), then the JSON.
  const params: Record<string, string> = { ...build, index_type: d.indexType };
  if (d.metricType) params['metric_type'] = d.metricType;
  params['params'] = JSON.stringify(build);
  return {
    index_name: d.indexName,
    indexID: String(d.indexId),
    params: toKeyValues(params),
    field_name: d.fieldName,
    indexed_rows: String(d.indexedRows),
    total_rows: String(d.totalRows),
    state: d.state,
    index_state_fail_reason: d.failReason,
    pending_index_rows: String(d.pendingRows),
    min_index_version: 0,
    max_index_version: 0,
  };
}

export async function describeIndex(ctx: ClientContext, req: DescribeIndexReq): Promise<DescribeIndexResponse> {
  const r = indexRequest(ctx, req);
  return answer(async () => ({ index_descriptions: (await ctx.service.describeIndex(r)).map(descriptionResult) }), () => ({ index_descriptions: [] }));
}

export async function listIndexes(ctx: ClientContext, req: DescribeIndexReq): Promise<ListIndexResponse> {
  const res = await describeIndex(ctx, req);
  return { status: res.status, indexes: res.index_descriptions.map((d) => d.index_name) };
}

export async function getIndexState(ctx: ClientContext, req: GetIndexStateReq): Promise<GetIndexStateResponse> {
  const r = indexRequest(ctx, req);
  return answer(async () => {
    const d = (await ctx.service.describeIndex(r))[0]!;
    return { state: d.state, fail_reason: d.failReason };
  }, () => ({ state: 'IndexStateNone', fail_reason: '' }));
}

export async function getIndexBuildProgress(ctx: ClientContext, req: GetIndexBuildProgressReq): Promise<GetIndexBuildProgressResponse> {
  const r = indexRequest(ctx, req);
  return answer(async () => {
    const d = (await ctx.service.describeIndex(r))[0]!;
    return { indexed_rows: String(d.indexedRows), total_rows: String(d.totalRows) };
  }, () => ({ indexed_rows: '0', total_rows: '0' }));
}

export async function dropIndex(ctx: ClientContext, req: DropIndexReq): Promise<ResStatus> {
  const r = indexRequest(ctx, req);
  return statusOf(() => ctx.service.dropIndex(r));
}

/** alterIndexProperties: `mmap.enabled`, `indexoffsetcache.enabled` (service/indexes.ts). */
export async function alterIndexProperties(ctx: ClientContext, req: AlterIndexReq): Promise<ResStatus> {
  const s = scoped(ctx, req);
  const properties: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.params)) properties[k] = String(v);
  return statusOf(() => ctx.service.alterIndex({ ...s, indexName: req.index_name, properties, deleteKeys: [] }));
}

export async function dropIndexProperties(ctx: ClientContext, req: DropIndexPropertiesReq): Promise<ResStatus> {
  const s = scoped(ctx, req);
  return statusOf(() => ctx.service.alterIndex({ ...s, indexName: req.index_name, properties: {}, deleteKeys: req.properties }));
}
