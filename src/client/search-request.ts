/**
 * SDK search requests -> the service's SearchRequest / HybridSearchRequest, following the SDK's
 * buildSearchRequest: `vectors` | `vector` | `data`; `limit` | `topk` (default 100); `expr` before
 * `filter`; `params` keys override the top-level search params; `search_params` (the old form) wins
 * when given; a `data` list of sub-requests with `anns_field` is a hybrid search.
 */
import type { HybridSearchReq, HybridSearchSingleReq, SearchReq, SearchSimpleReq } from '@zilliz/milvus2-sdk-node';
import { errors } from '../core/errors.js';
import type * as T from '../service/types.js';
import { consistencyOf } from './schema.js';
import { DEFAULT_TOPK } from './enums.js';
import { templateValuesOf } from './exprs.js';
import { functionScoreOf, highlighterOf, rankerOf } from '../service/sdk-values.js';
import { clientError } from './status.js';

export type AnySearchReq = SearchReq | SearchSimpleReq | HybridSearchReq;
type Loose = Record<string, unknown>;

export function isHybrid(req: AnySearchReq): req is HybridSearchReq {
  const data: unknown = 'data' in req ? req.data : undefined;
  const first: unknown = Array.isArray(data) ? data[0] : undefined;
  return typeof first === 'object' && first !== null && !ArrayBuffer.isView(first) && 'anns_field' in first && Boolean((first as Loose)['anns_field']);
}

/** The SDK's formatSearchData: one vector or a list of vectors (sparse forms count as one vector). */
export function vectorList(data: unknown): unknown[] {
  if (!Array.isArray(data) || data.length === 0) return [data];
  const first: unknown = data[0];
  if (typeof first === 'number' || first === undefined) return [data];
  if (data.every((x: unknown) => typeof x === 'object' && x !== null && 'index' in x && 'value' in x)) return [data];
  return data;
}

/** The SDK's id check that needs no schema: ids are numbers or strings (the service types them). */
function idValuesOf(ids: unknown[]): (string | number)[] {
  if (!ids.every((id) => typeof id === 'number' || typeof id === 'string')) throw clientError('The type of ids should be number or string.');
  return ids as (string | number)[];
}

function num(v: unknown, what: string): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw errors.invalidParameter(what, { expected: 'a number', actual: String(v) });
  return n;
}

function parseParams(json: unknown): Loose {
  if (typeof json !== 'string' || json.trim() === '') return {};
  try {
    const v: unknown = JSON.parse(json);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Loose) : {};
  } catch {
    throw errors.invalidParameter('search params', { expected: 'a JSON object', actual: json.slice(0, 64) });
  }
}

/**
 * The flattened search params: top-level settings, then `params` keys over them (or the old
 * `search_params`). `top` is built key by key: spreading a fresh object and adding keys after it
 * costs microseconds per search in V8 (new hidden-class transitions every time).
 */
function searchParams(req: Loose): { top: Loose; params: Loose } {
  const old = req['search_params'];
  if (typeof old === 'object' && old !== null) {
    const sp = old as Loose;
    return { top: sp, params: parseParams(sp['params']) };
  }
  const params = (typeof req['params'] === 'object' && req['params'] !== null ? req['params'] : {}) as Loose;
  const top: Loose = {
    topk: req['limit'] ?? req['topk'] ?? DEFAULT_TOPK,
    offset: req['offset'] ?? 0,
    metric_type: req['metric_type'] ?? '',
    ignore_growing: req['ignore_growing'] ?? false,
  };
  if (req['group_by_field']) top['group_by_field'] = req['group_by_field'];
  if (req['group_size']) top['group_size'] = req['group_size'];
  if (req['strict_group_size']) top['strict_group_size'] = req['strict_group_size'];
  for (const k in params) if (Object.prototype.hasOwnProperty.call(params, k)) top[k] = params[k];
  return { top, params };
}

/**
 * `order_by_fields` (or the SDK's alias `order_by` on query) as the Node SDK sends it: a string as
 * given, a list of `field:order` strings or `{field, order}` objects joined as `field:order,...`.
 */
export function orderByOf(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (!Array.isArray(v)) throw clientError('Invalid order_by_fields format');
  return v.map((item: unknown) => {
    if (typeof item === 'string') return item;
    if (typeof item !== 'object' || item === null) throw clientError(`Invalid order_by_fields item format, expect string or object, got ${typeof item}`);
    const { field, order } = item as { field?: unknown; order?: unknown };
    if (typeof field !== 'string' || field === '') throw clientError("Invalid order_by_fields item: 'field' key is required and cannot be empty");
    return `${field}:${typeof order === 'string' ? order : 'asc'}`;
  }).join(',');
}

/** round_decimal: from `search_params` or `params` as the SDK reads it, or the top-level field. */
export function roundDecimalOf(req: AnySearchReq): number {
  const loose = req as unknown as Loose;
  const sp = loose['search_params'] as Loose | undefined;
  const params = loose['params'] as Loose | undefined;
  return num(sp?.['round_decimal'] ?? params?.['round_decimal'] ?? loose['round_decimal'], 'round_decimal') ?? -1;
}

/**
 * One search route (the whole request, or one hybrid sub-request merged over the outer one). The
 * anns field (when named), the query vectors and the ids go to the service as given: it picks the
 * field and converts the vectors for it, as it does for every door.
 */
export function routeRequest(s: T.CollectionScoped, req: Loose): T.SearchRequest {
  const annsField = req['anns_field'];
  const rawIds = req['ids'];
  const ids = Array.isArray(rawIds) && rawIds.length > 0 ? idValuesOf(rawIds) : undefined;
  const data = req['vectors'] ?? req['vector'] ?? req['data'];
  if (!ids && (data === undefined || data === null)) throw clientError('Search data is required');
  const { top, params } = searchParams(req);
  const filter = (req['expr'] || req['filter'] || '') as string;
  const templateValues = templateValuesOf(req['exprValues'] as Loose | undefined);
  // A literal, not `{ ...s, ... }` (see searchParams).
  const out: T.SearchRequest = {
    dbName: s.dbName,
    collectionName: s.collectionName,
    topK: num(top['topk'], 'topk') ?? DEFAULT_TOPK,
    offset: num(top['offset'], 'offset') ?? 0,
    metricType: String(top['metric_type'] ?? '') as T.SearchRequest['metricType'],
    params,
    filter,
    outputFields: (req['output_fields'] as string[] | undefined) ?? ['*'],
    partitionNames: (req['partition_names'] as string[] | undefined) ?? [],
  };
  if (typeof annsField === 'string' && annsField.length > 0) out.annsField = annsField;
  if (ids) out.idValues = ids;
  else {
    out.data = vectorList(data);
    out.nq = out.data.length;
  }
  if (templateValues) out.templateValues = templateValues;
  if (top['group_by_field']) out.groupByField = String(top['group_by_field']);
  if (typeof top['analyzer_name'] === 'string') out.analyzerName = top['analyzer_name'];
  const groupSize = num(top['group_size'], 'group_size');
  if (groupSize !== undefined) out.groupSize = groupSize;
  if (top['strict_group_size']) out.strictGroupSize = top['strict_group_size'] === true || top['strict_group_size'] === 'true';
  if (top['ignore_growing'] === true) out.ignoreGrowing = true;
  const hints = req['hints'] ?? top['hints'];
  if (hints !== undefined && hints !== null) out.hints = String(hints);
  const orderBy = orderByOf(req['order_by_fields']);
  if (orderBy !== undefined) out.orderBy = orderBy;
  if (typeof req['timezone'] === 'string') out.timezone = req['timezone'];
  const level = consistencyOf(req['consistency_level']);
  if (level !== undefined) out.consistencyLevel = level;
  return out;
}

/** A plain search: its route, with the SDK's `rerank` as a function score and its `highlighter`. */
export function searchRequest(s: T.CollectionScoped, req: Loose): T.SearchRequest {
  const out = routeRequest(s, req);
  const functionScore = functionScoreOf(req['rerank']);
  if (functionScore !== undefined) out.functionScore = functionScore;
  const highlighter = highlighterOf(req['highlighter']);
  if (highlighter !== undefined) out.highlighter = highlighter;
  return out;
}

export function hybridRequest(s: T.CollectionScoped, req: HybridSearchReq): T.HybridSearchRequest {
  const outer = req as unknown as Loose;
  const requests = req.data.map((d: HybridSearchSingleReq) => {
    const merged: Loose = { ...outer, ...(d as unknown as Loose) };
    merged['expr'] = (d.expr || outer['expr'] || outer['filter'] || '') as string;
    return routeRequest(s, merged);
  });
  const out: T.HybridSearchRequest = {
    ...s,
    requests,
    ranker: rankerOf(req.rerank),
    topK: num(req.limit ?? req.topk, 'limit') ?? DEFAULT_TOPK,
    offset: num(req.offset, 'offset') ?? 0,
    outputFields: req.output_fields ?? ['*'],
    partitionNames: req.partition_names ?? [],
  };
  const functionScore = functionScoreOf(req.rerank);
  if (functionScore !== undefined) out.functionScore = functionScore;
  const level = consistencyOf(req.consistency_level);
  if (level !== undefined) out.consistencyLevel = level;
  return out;
}
