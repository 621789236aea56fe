/**
 * Search, hybrid search and query requests/results (reference §1.7–§1.9). `search_params`,
 * `rank_params` and `query_params` are KeyValuePairs of strings; unknown keys (including the
 * top-level duplicates the Node SDK flattens out of `params`) are ignored.
 */
import { METRIC_TYPES, type MetricType } from '../../../core/enums.js';
import { errors } from '../../../core/errors.js';
import { columnLength } from '../../../schema/column.js';
import { FUNCTION_TYPE_NAMES } from '../../../schema/functions.js';
import { RERANK_FUNCTION_TYPE } from '../../../service/function-score.js';
import type * as T from '../../../service/types.js';
import { dbNameOf, type CallContext } from './context.js';
import { fieldDataToWire } from './field-data-encode.js';
import { fieldsDataToWire } from './struct-data.js';
import { primaryKeysFromWire, primaryKeysToWire, queriesFromPlaceholderGroup } from './placeholder.js';
import { consistencyOf } from './schema.js';
import { templateValuesFromWire } from './template.js';
import { bytes, int64, isWire, keyValues, list, num, oneofCase, optionalString, str, strings, type Wire } from './wire.js';

function intParam(params: Record<string, string>, key: string): number | undefined {
  const raw = params[key];
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw.trim());
  if (!Number.isInteger(n)) throw errors.invalidParameter(`${key}`, { expected: 'an integer', actual: raw });
  return n;
}

function boolParam(params: Record<string, string>, key: string): boolean | undefined {
  const raw = params[key];
  if (raw === undefined || raw.trim() === '') return undefined;
  const lower = raw.trim().toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw errors.invalidParameter(`${key}`, { expected: 'true or false', actual: raw });
}

function jsonObjectParam(params: Record<string, string>, key: string): Record<string, unknown> | undefined {
  const raw = params[key];
  if (raw === undefined || raw.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw errors.invalidParameter(`${key}`, { expected: 'a JSON object', actual: raw.slice(0, 64) });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw errors.invalidParameter(`${key}`, { expected: 'a JSON object', actual: raw.slice(0, 64) });
  }
  return parsed as Record<string, unknown>;
}

export function metricTypeFrom(raw: string | undefined): MetricType | '' {
  if (raw === undefined || raw.trim() === '') return '';
  const upper = raw.trim().toUpperCase();
  const found = METRIC_TYPES.find((m) => m === upper);
  if (found === undefined) throw errors.invalidParameter('metric type not supported', { expected: METRIC_TYPES.join('|'), actual: raw });
  return found;
}

/** MAX_SIM* metrics name embedding-list search on a struct vector member (service/struct-search.ts). */
function isMaxSim(raw: string | undefined): boolean {
  return raw !== undefined && raw.trim().toUpperCase().startsWith('MAX_SIM');
}

/** `function_score` -> FunctionScore (every function must be of type Rerank, with no output fields). */
function functionScoreFromWire(req: Wire): T.FunctionScore | undefined {
  const fs = req['function_score'];
  if (!isWire(fs)) return undefined;
  const functions = list(fs['functions'], 'function_score.functions').map((raw) => {
    const f = raw as Wire;
    const type = num(f['type'], 'function_score.functions.type');
    if (type !== RERANK_FUNCTION_TYPE) throw errors.invalidParameter(`${FUNCTION_TYPE_NAMES[type] ?? type} is not rerank function.`);
    const outputs = strings(f['output_field_names'], 'function_score.functions.output_field_names');
    if (outputs.length !== 0) throw errors.invalidParameter(`Rerank function should not have output field, but now is ${outputs.length}`);
    return {
      name: optionalString(f['name'], 'function_score.functions.name') ?? '',
      inputFieldNames: strings(f['input_field_names'], 'function_score.functions.input_field_names'),
      params: keyValues(f['params'], 'function_score.functions.params'),
    };
  });
  if (functions.length === 0) return undefined;
  return { functions, params: keyValues(fs['params'], 'function_score.params') };
}

/** `highlighter` -> HighlighterSpec (type Lexical 0 | Semantic 1). */
function highlighterFromWire(req: Wire): T.HighlighterSpec | undefined {
  const h = req['highlighter'];
  if (!isWire(h)) return undefined;
  return { type: num(h['type'], 'highlighter.type') === 1 ? 'semantic' : 'lexical', params: keyValues(h['params'], 'highlighter.params') };
}

/** One search route: vectors or ids, and the search_params KeyValuePairs. */
export function searchFromWire(req: Wire, ctx: CallContext): T.SearchRequest {
  const p = keyValues(req['search_params'], 'search_params');
  const input = oneofCase(req, 'search_input');
  const out: T.SearchRequest = {
    dbName: dbNameOf(req, ctx),
    collectionName: str(req['collection_name'], 'collection_name'),
    nq: num(req['nq'], 'nq'),
    topK: intParam(p, 'topk') ?? intParam(p, 'limit') ?? 0,
    metricType: isMaxSim(p['metric_type']) ? '' : metricTypeFrom(p['metric_type']),
    filter: str(req['dsl'], 'dsl'),
    outputFields: strings(req['output_fields'], 'output_fields'),
    partitionNames: strings(req['partition_names'], 'partition_names'),
    templateValues: templateValuesFromWire(req['expr_template_values']),
  };
  if ((p['topk'] ?? p['limit']) === undefined) throw errors.missingParameter('topk');
  if (isMaxSim(p['metric_type'])) out.embListMetric = (p['metric_type'] ?? '').trim().toUpperCase();
  if (input === 'ids') {
    out.ids = primaryKeysFromWire(req['ids']);
    if (out.nq === 0) out.nq = out.ids.data.length;
  } else {
    const q = queriesFromPlaceholderGroup(bytes(req['placeholder_group'], 'placeholder_group'));
    if ('vectors' in q) out.vectors = q.vectors;
    else out.embLists = q.embLists;
    if (out.nq === 0) out.nq = 'vectors' in q ? columnLength(q.vectors) : q.embLists.length;
  }
  const annsField = optionalString(p['anns_field'], 'anns_field');
  if (annsField !== undefined) out.annsField = annsField;
  const offset = intParam(p, 'offset');
  if (offset !== undefined) out.offset = offset;
  if (p['order_by_fields'] !== undefined) out.orderBy = p['order_by_fields'];
  if (p['timezone'] !== undefined) out.timezone = p['timezone'];
  const params = jsonObjectParam(p, 'params');
  if (params !== undefined) out.params = params;
  const roundDecimal = intParam(p, 'round_decimal');
  if (roundDecimal !== undefined && roundDecimal !== -1) out.roundDecimal = roundDecimal;
  const analyzerName = optionalString(p['analyzer_name'], 'analyzer_name');
  if (analyzerName !== undefined) out.analyzerName = analyzerName;
  const ignoreGrowing = boolParam(p, 'ignore_growing');
  if (ignoreGrowing !== undefined) out.ignoreGrowing = ignoreGrowing;
  if (p['hints'] !== undefined) out.hints = p['hints'];
  const groupBy = optionalString(p['group_by_field'], 'group_by_field');
  if (groupBy !== undefined) out.groupByField = groupBy;
  const groupSize = intParam(p, 'group_size');
  if (groupSize !== undefined) out.groupSize = groupSize;
  const strict = boolParam(p, 'strict_group_size');
  if (strict !== undefined) out.strictGroupSize = strict;
  const level = consistencyOf(req['consistency_level']);
  if (level !== undefined && req['use_default_consistency'] !== true) out.consistencyLevel = level;
  const guarantee = guaranteeOf(req['guarantee_timestamp']);
  if (guarantee !== undefined) out.guaranteeTimestamp = guarantee;
  const functionScore = functionScoreFromWire(req);
  if (functionScore !== undefined) out.functionScore = functionScore;
  const highlighter = highlighterFromWire(req);
  if (highlighter !== undefined) out.highlighter = highlighter;
  return out;
}

/** `guarantee_timestamp` (uint64; 0 or absent: none). */
function guaranteeOf(v: unknown): bigint | undefined {
  if (v === undefined || v === null || v === '' || v === 0 || v === '0') return undefined;
  const ts = int64(v, 'guarantee_timestamp');
  return ts > 0n ? ts : undefined;
}

/** `rank_params` -> Ranker; the Node default (no strategy) is RRF with k = 60. */
export function rankerFromParams(p: Record<string, string>): T.Ranker {
  const strategy = (p['strategy'] ?? 'rrf').trim().toLowerCase();
  const params = jsonObjectParam(p, 'params') ?? {};
  if (strategy === 'rrf' || strategy === '') {
    const k = params['k'] ?? 60;
    if (typeof k !== 'number') throw errors.invalidParameter('rrf k', { expected: 'a number', actual: String(k) });
    return { strategy: 'rrf', k };
  }
  if (strategy === 'weighted') {
    const w = params['weights'];
    if (!Array.isArray(w) || !w.every((x): x is number => typeof x === 'number')) {
      throw errors.invalidParameter('weighted ranker weights', { expected: 'a list of numbers', actual: JSON.stringify(w) });
    }
    return { strategy: 'weighted', weights: w, normScore: params['norm_score'] === true };
  }
  throw errors.invalidParameter('rank strategy not supported', { expected: 'rrf|weighted', actual: strategy });
}

export function hybridSearchFromWire(req: Wire, ctx: CallContext): T.HybridSearchRequest {
  const p = keyValues(req['rank_params'], 'rank_params');
  const collectionName = str(req['collection_name'], 'collection_name');
  const dbName = dbNameOf(req, ctx);
  const requests = list(req['requests'], 'requests').map((r) => {
    const sub = searchFromWire(r as Wire, ctx);
    sub.collectionName = collectionName;
    sub.dbName = dbName;
    return sub;
  });
  const limit = intParam(p, 'limit') ?? intParam(p, 'topk');
  if (limit === undefined) throw errors.missingParameter('limit');
  const out: T.HybridSearchRequest = {
    dbName,
    collectionName,
    requests,
    ranker: rankerFromParams(p),
    topK: limit,
    outputFields: strings(req['output_fields'], 'output_fields'),
    partitionNames: strings(req['partition_names'], 'partition_names'),
  };
  const functionScore = functionScoreFromWire(req);
  if (functionScore !== undefined) out.functionScore = functionScore;
  const offset = intParam(p, 'offset');
  if (offset !== undefined) out.offset = offset;
  const roundDecimal = intParam(p, 'round_decimal');
  if (roundDecimal !== undefined && roundDecimal !== -1) out.roundDecimal = roundDecimal;
  const level = consistencyOf(req['consistency_level']);
  if (level !== undefined && req['use_default_consistency'] !== true) out.consistencyLevel = level;
  const guarantee = guaranteeOf(req['guarantee_timestamp']);
  if (guarantee !== undefined) out.guaranteeTimestamp = guarantee;
  return out;
}

export function queryFromWire(req: Wire, ctx: CallContext): T.QueryRequest {
  const p = keyValues(req['query_params'], 'query_params');
  const out: T.QueryRequest = {
    dbName: dbNameOf(req, ctx),
    collectionName: str(req['collection_name'], 'collection_name'),
    filter: str(req['expr'], 'expr'),
    outputFields: strings(req['output_fields'], 'output_fields'),
    partitionNames: strings(req['partition_names'], 'partition_names'),
    templateValues: templateValuesFromWire(req['expr_template_values']),
  };
  const limit = intParam(p, 'limit');
  if (limit !== undefined) out.limit = limit;
  const offset = intParam(p, 'offset');
  if (offset !== undefined) out.offset = offset;
  if (p['order_by_fields'] !== undefined) out.orderBy = p['order_by_fields'];
  if (p['timezone'] !== undefined) out.timezone = p['timezone'];
  const level = consistencyOf(req['consistency_level']);
  if (level !== undefined && req['use_default_consistency'] !== true) out.consistencyLevel = level;
  const guarantee = guaranteeOf(req['guarantee_timestamp']);
  if (guarantee !== undefined) out.guaranteeTimestamp = guarantee;
  return out;
}

/** Service result -> `SearchResults` (without `status`). */
export function searchResultsToWire(r: T.SearchResult, collectionName: string): Wire {
  const results: Wire = {
    num_queries: String(r.nq),
    top_k: String(r.topK),
    fields_data: fieldsDataToWire(r.columns),
    scores: Array.from(r.scores),
    ids: primaryKeysToWire(r.ids),
    topks: r.topks.map(String),
    output_fields: r.outputFields,
    primary_field_name: r.primaryFieldName,
  };
  if (r.groupByValues !== null) results['group_by_field_value'] = fieldDataToWire(r.groupByValues);
  if (r.elementIndices !== undefined && r.elementIndices.length > 0) results['element_indices'] = { data: r.elementIndices.map(String) };
  if (r.iterator !== undefined) results['search_iterator_v2_results'] = { token: r.iterator.token, last_bound: r.iterator.lastBound };
  if (r.highlights !== undefined) {
    results['highlight_results'] = r.highlights.map((h) => ({ field_name: h.fieldName, datas: h.datas.map((d) => ({ fragments: d.fragments, scores: d.scores })) }));
  }
  return { results, collection_name: collectionName };
}

/** Service result -> `QueryResults` (without `status`). */
export function queryResultsToWire(r: T.QueryResult, collectionName: string): Wire {
  return {
    fields_data: fieldsDataToWire(r.columns),
    collection_name: collectionName,
    output_fields: r.outputFields,
    primary_field_name: r.primaryFieldName,
    ...(r.elementIndices === undefined ? {} : { element_indices: r.elementIndices.map((row) => ({ indices: { data: row.map(String) } })) }),
  };
}
