/** Read RPCs: Query (incl. count(*) and get-by-ids), Search, HybridSearch. */
import type { MetricType } from '../core/enums.js';
import { DataType } from '../core/enums.js';
import { errors, MilvusError, prefixed } from '../core/errors.js';
import { limits } from '../core/limits.js';
import type { CollectionRuntime } from '../engine/collection.js';
import type { Engine } from '../engine/engine.js';
import type { PrimaryKey } from '../engine/pk.js';
import { comparePk } from '../engine/pk.js';
import type { RowRefs, ScopedChunk, VectorHits } from '../engine/read.js';
import { countRows, gatherColumn, matchRows, rowsOf, searchVectors } from '../engine/read.js';
import type { FilterPlan } from '../expr/index.js';
import { compileFilterCached, rootElementFilter } from '../expr/index.js';
import { elementIndicesOf } from './struct-search.js';
import { getIndexDescriptor, validateSearchParams } from '../index/registry.js';
import type { Column } from '../schema/column.js';
import { columnValueAt } from '../schema/ops.js';
import { DEFAULT_TIMEZONE } from '../schema/temporal.js';
import type { FieldSchema } from '../schema/types.js';
import { fieldByName } from '../schema/types.js';
import { bm25FunctionOf, runBm25Search } from './bm25.js';
import { functionScorePlan, type FunctionScorePlan, type ProxyRanker } from './function-score.js';
import { highlightHits } from './highlight.js';
import { boostRoutes, fuseQuery } from './rerank.js';
import { annsFieldOf, nqOf, primaryKeysOf, queryColumnOf } from './anns.js';
import { isStructVectorMember, memberWidth } from '../schema/struct.js';
import { checkStructSearchOptions, structSearch, structSearchKind } from './struct-search.js';
import { readScope } from './load.js';
import { COUNT_FIELD, pickDynamicKeys, planOutput } from './output.js';
import { checkFilterFields, checkReadFields, loadedSchema } from './load-fields.js';
import type { OutputPlan } from './output.js';
import { orderPermutation, parseOrderBy, permuteRefs } from './order-by.js';
import { isPartitionKeyMode, requireCollection } from './resolve.js';
import { readTimezone } from './timezone.js';
import type * as T from './types.js';
import { ITERATOR_TIE_SLACK, beyondBound, dropAtBound, iteratorV2Of, type IteratorV2 } from './search-iterator.js';

function compile(c: CollectionRuntime, filter: string | undefined, templates: T.TemplateValues | undefined): FilterPlan | null {
  if (!filter || filter.trim().length === 0) return null;
  checkFilterFields(c, filter);
  try {
    return compileFilterCached(filter, c.meta.schema, templates);
  } catch (e) {
    // Milvus's proxy: "failed to create query plan: <the parser's reason>" for query and search; what
    // Milvus refuses only when it executes the plan (errors.nullCheckOnVector, 65535) has no prefix.
    throw e instanceof MilvusError && e.code !== 65535 ? prefixed(e, 'failed to create query plan: ') : e;
  }
}

function checkWindow(offset: number, limit: number): void {
  if (!Number.isInteger(offset) || offset < 0) throw errors.invalidParameter('offset', { expected: '>= 0', actual: offset });
  const window = offset + limit;
  if (!Number.isInteger(limit) || limit < 1 || window > limits.maxResultWindow) {
    throw errors.invalidParameter(`invalid max query result window, (offset+limit) should be in range [1, ${limits.maxResultWindow}], but got ${window}`);
  }
}

function outputColumns(scope: readonly ScopedChunk[], plan: OutputPlan, refs: RowRefs, timezone: string, gathered?: T.OutputColumn): T.OutputColumn[] {
  return plan.fields.map((field) => {
    if (gathered !== undefined && field === gathered.field) return { field, column: gathered.column };
    let column = gatherColumn(scope, field, refs);
    if (field.isDynamic && plan.dynamicKeys !== null) column = pickDynamicKeys(column, plan.dynamicKeys);
    return field.dataType === DataType.Timestamptz && timezone !== DEFAULT_TIMEZONE ? { field, column, timezone } : { field, column };
  });
}

/** Keep the newest row per primary key (duplicates are allowed on insert, as in Milvus). */
function dedupeNewest(scope: readonly ScopedChunk[], refs: RowRefs): { refs: RowRefs; pks: PrimaryKey[] } {
  const best = new Map<PrimaryKey, number>();
  const pks: PrimaryKey[] = new Array<PrimaryKey>(refs.chunk.length);
  for (let i = 0; i < refs.chunk.length; i++) {
    const chunk = scope[refs.chunk[i]!]!.chunk;
    const pk = chunk.pk(refs.row[i]!);
    pks[i] = pk;
    const prev = best.get(pk);
    if (prev === undefined) best.set(pk, i);
    else {
      const prevTs = scope[refs.chunk[prev]!]!.chunk.ts[refs.row[prev]!]!;
      if (chunk.ts[refs.row[i]!]! >= prevTs) best.set(pk, i);
    }
  }
  const keep = [...best.values()].sort((a, b) => comparePk(pks[a]!, pks[b]!));
  return {
    refs: { chunk: Int32Array.from(keep, (i) => refs.chunk[i]!), row: Int32Array.from(keep, (i) => refs.row[i]!) },
    pks: keep.map((i) => pks[i]!),
  };
}

export function query(engine: Engine, req: T.QueryRequest): T.QueryResult {
  const c = requireCollection(engine, req);
  if (req.partitionNames && req.partitionNames.length > 0 && isPartitionKeyMode(c)) {
    throw errors.invalidParameter('not support manually specifying the partition names if partition key mode is used');
  }
  const parts = readScope(c, req.partitionNames);
  const plan = compile(c, req.filter, req.templateValues);
  checkReadFields(c, req.outputFields);
  const out = planOutput(loadedSchema(c), req.outputFields, { includePk: true, allowCount: true });
  const scope = c.chunksOf(parts);
  const pkName = c.pkField.name;
  if (out.countOnly) {
    const n = countRows(scope, plan);
    return {
      numRows: 1,
      columns: [{ field: COUNT_FIELD, column: { kind: 'int64', data: BigInt64Array.of(BigInt(n)), valid: null } }],
      outputFields: ['count(*)'],
      primaryFieldName: pkName,
    };
  }
  const offset = req.offset ?? 0;
  if (req.limit === undefined || req.limit === null) {
    if (!plan) throw errors.invalidParameter('empty expression should be used with limit');
    if (offset !== 0) checkWindow(offset, 1);
  } else {
    checkWindow(offset, req.limit);
  }
  const orderBy = parseOrderBy(c.meta.schema, req.orderBy);
  const unordered = dedupeNewest(scope, matchRows(scope, plan)).refs;
  const all = orderBy.length === 0 ? unordered : permuteRefs(unordered, orderPermutation(scope, orderBy, unordered));
  const end = req.limit === undefined || req.limit === null ? all.chunk.length : Math.min(all.chunk.length, offset + req.limit);
  const start = Math.min(offset, end);
  const refs = { chunk: all.chunk.subarray(start, end), row: all.row.subarray(start, end) };
  const result: T.QueryResult = { numRows: refs.chunk.length, columns: outputColumns(scope, out, refs, readTimezone(c, req.timezone)), outputFields: out.names.slice(), primaryFieldName: pkName };
  const elementFilter = plan === null ? null : rootElementFilter(plan);
  if (elementFilter !== null) result.elementIndices = elementIndicesOf(scope, c, elementFilter, refs);
  return result;
}

// ---------------------------------------------------------------- search

interface RouteHits {
  scope: ScopedChunk[];
  metric: MetricType;
  /** Per query: hits best-first (`offsets`: the struct element of each hit, element-level search). */
  perQuery: { refs: RowRefs; scores: Float32Array; offsets?: Int32Array }[];
}

/** A search route as the service runs it: nq counted, plain ids typed by the primary key. */
type Route = T.SearchRequest & { nq: number };

function routeOf(c: CollectionRuntime, req: T.SearchRequest): Route {
  checkHints(req.hints ?? req.params?.['hints']);
  const ids = req.ids ?? (req.idValues && req.idValues.length > 0 ? primaryKeysOf(c.meta.schema, req.idValues) : undefined);
  const nq = nqOf(req);
  // The request itself when it already states both (doors that count nq): no copy per search.
  if (req.nq === nq && ids === req.ids) return req as Route;
  const route: Route = { ...req, nq };
  if (ids) route.ids = ids;
  return route;
}

/** Search hints Milvus's plan parser knows (`iterative_filter`); any other is refused (milvus#38705). */
const SEARCH_HINTS: ReadonlySet<string> = new Set(['iterative_filter']);

function checkHints(hints: unknown): void {
  if (hints === undefined || hints === null || hints === '') return;
  if (typeof hints !== 'string' || !SEARCH_HINTS.has(hints)) {
    throw errors.unexpected(`Create Plan by expr failed: hints: ${String(hints)} not supported`);
  }
}

function numberParam(params: Record<string, unknown> | undefined, key: string): number | undefined {
  const v = params?.[key];
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n)) throw errors.invalidParameter(`search param ${key} must be a number`, { actual: String(v) });
  return n;
}

/** Look up the stored vectors of the given primary keys (search by ids). */
function vectorsByIds(scope: readonly ScopedChunk[], field: FieldSchema, ids: T.PrimaryKeys): Column {
  const want = ids.kind === 'int64' ? Array.from(ids.data) : ids.data;
  const refs = dedupeNewest(scope, matchRows(scope, null));
  const pos = new Map<PrimaryKey, number>();
  refs.pks.forEach((pk, i) => pos.set(pk, i));
  const pick: number[] = [];
  for (const pk of want) {
    const i = pos.get(pk);
    if (i === undefined) throw errors.invalidParameter(`some of the provided primary key IDs do not exist: ${String(pk)}`);
    pick.push(i);
  }
  const sub = { chunk: Int32Array.from(pick, (i) => refs.refs.chunk[i]!), row: Int32Array.from(pick, (i) => refs.refs.row[i]!) };
  return gatherColumn(scope, field, sub);
}

/** Range search bounds from the search params (`radius`, optional `range_filter`); null without a radius. */
function rangeOf(params: Record<string, unknown> | undefined): { radius: number; rangeFilter?: number } | null {
  const radius = numberParam(params, 'radius');
  const rangeFilter = numberParam(params, 'range_filter');
  return radius === undefined ? null : rangeFilter === undefined ? { radius } : { radius, rangeFilter };
}

async function runRoute(engine: Engine, c: CollectionRuntime, req: Route, scope: ScopedChunk[], k: number): Promise<RouteHits> {
  const field = annsFieldOf(c.meta.schema, req.annsField);
  checkReadFields(c, undefined, field.name);
  const index = c.indexOnField(field.name);
  if (!index) throw errors.indexNotFound({ collection: c.name, field: field.name });
  const nq = req.nq;
  if (!Number.isInteger(nq) || nq < 1 || nq > limits.maxNq) throw errors.invalidParameter('nq', { expected: `[1, ${limits.maxNq}]`, actual: nq });
  const range = rangeOf(req.params);
  if (isStructVectorMember(field)) {
    const route = structSearch(scope, field, req, index.params['metric_type'] ?? '', compile(c, req.filter, req.templateValues), k, range);
    return { scope, ...route };
  }
  const fn = bm25FunctionOf(c.meta.schema, field);
  if (fn) {
    // Full-text search: the queries are texts (service/bm25.ts).
    const filter = compile(c, req.filter, req.templateValues);
    return { scope, metric: 'BM25', perQuery: splitHits(runBm25Search(c, scope, { field, fn, index, req, nq, topK: k, filter }), nq) };
  }
  const requested = (req.metricType ?? '').toUpperCase();
  const metric = (index.metricType || requested) as MetricType;
  if (requested !== '' && requested !== index.metricType) {
    throw errors.invalidParameter('metric type not match', { expected: index.metricType, actual: requested });
  }
  const queries = req.ids ? vectorsByIds(scope, field, req.ids) : queryColumnOf(field, req);
  const filter = compile(c, req.filter, req.templateValues);
  const indexParams = validateSearchParams(getIndexDescriptor(index.indexType), req.params ?? {});
  const threads = engine.searchThreads;
  const hits = await threads.walk((spread) => searchVectors(scope, { fieldName: field.name, metric, queries, nq, topK: k, filter, range, indexParams, spread }, threads.get()));
  return { scope, metric, perQuery: splitHits(hits, nq) };
}

function splitHits(hits: VectorHits, nq: number): RouteHits['perQuery'] {
  // One query with a full top-k (the common case): the arrays as they are, no views.
  if (nq === 1 && hits.counts[0] === hits.chunk.length) return [{ refs: { chunk: hits.chunk, row: hits.row }, scores: hits.scores }];
  const perQuery: RouteHits['perQuery'] = [];
  for (let q = 0; q < nq; q++) {
    const n = hits.counts[q]!;
    const at = q * hits.topK;
    perQuery.push({
      refs: { chunk: hits.chunk.subarray(at, at + n), row: hits.row.subarray(at, at + n) },
      scores: hits.scores.subarray(at, at + n),
    });
  }
  return perQuery;
}

function searchScope(c: CollectionRuntime, partitionNames: string[] | undefined): ScopedChunk[] {
  if (partitionNames && partitionNames.length > 0 && isPartitionKeyMode(c)) {
    // Milvus' search task answers a plain error here (65535, UnexpectedError); query answers 1100.
    throw errors.unexpected('not support manually specifying the partition names if partition key mode is used');
  }
  return c.chunksOf(readScope(c, partitionNames));
}

function validateTopK(topK: number, offset: number): void {
  if (!Number.isInteger(topK) || topK < 1 || topK > limits.maxTopK) {
    throw errors.invalidParameter(`topk [${topK}] is invalid, it should be in range [1, ${limits.maxTopK}], but got ${topK}`);
  }
  if (!Number.isInteger(offset) || offset < 0 || topK + offset > limits.maxResultWindow) {
    throw errors.invalidParameter(`topk [${topK}] + offset [${offset}] should be in range [1, ${limits.maxResultWindow}]`);
  }
}

function roundScores(scores: Float32Array, decimals: number | undefined): Float32Array {
  if (decimals === undefined || decimals < 0) return scores;
  const f = 10 ** Math.min(decimals, limits.maxRoundDecimal);
  const out = new Float32Array(scores.length);
  for (let i = 0; i < scores.length; i++) out[i] = Math.round(scores[i]! * f) / f;
  return out;
}

/** Every query's hits in one list, query after query. */
function concatHits(perQuery: readonly { refs: RowRefs; scores: Float32Array }[], topks: readonly number[]): { refs: RowRefs; scores: Float32Array } {
  const total = topks.reduce((a, b) => a + b, 0);
  const chunk = new Int32Array(total);
  const row = new Int32Array(total);
  const scores = new Float32Array(total);
  let at = 0;
  for (const q of perQuery) {
    chunk.set(q.refs.chunk, at);
    row.set(q.refs.row, at);
    scores.set(q.scores, at);
    at += q.refs.chunk.length;
  }
  return { refs: { chunk, row }, scores };
}

function buildResult(c: CollectionRuntime, scope: ScopedChunk[], req: { outputFields?: string[]; roundDecimal?: number; timezone?: string }, nq: number, topK: number,
  perQuery: RouteHits['perQuery'], groupField: FieldSchema | null): T.SearchResult {
  checkReadFields(c, req.outputFields);
  const out = planOutput(loadedSchema(c), req.outputFields, { includePk: false, allowCount: false });
  const topks = perQuery.map((q) => q.refs.chunk.length);
  const { refs, scores } = perQuery.length === 1 ? perQuery[0]! : concatHits(perQuery, topks);
  const pkField = c.pkField;
  const pkCol = gatherColumn(scope, pkField, refs);
  const ids: T.PrimaryKeys = pkCol.kind === 'int64' ? { kind: 'int64', data: pkCol.data } : { kind: 'varchar', data: (pkCol as { data: string[] }).data };
  const result: T.SearchResult = {
    nq,
    topK,
    topks,
    ids,
    scores: roundScores(scores, req.roundDecimal),
    columns: outputColumns(scope, out, refs, readTimezone(c, req.timezone), { field: pkField, column: pkCol }),
    outputFields: out.names.slice(),
    primaryFieldName: pkField.name,
    groupByValues: groupField ? { field: groupField, column: gatherColumn(scope, groupField, refs) } : null,
  };
  // Element-level search on a struct vector member: each hit's element offset in its row.
  if (perQuery.some((q) => q.offsets !== undefined)) result.elementIndices = perQuery.flatMap((q) => Array.from(q.offsets ?? new Int32Array(q.refs.chunk.length)));
  return result;
}

/** One batch of a search iterator v2: the next `topK` hits beyond the last bound (nq must be 1). */
async function iteratorSearch(engine: Engine, c: CollectionRuntime, scope: ScopedChunk[], req: Route, iter: IteratorV2): Promise<T.SearchResult> {
  if (req.nq !== 1) throw errors.invalidParameter('search iterator supports only one query vector', { expected: 1, actual: req.nq });
  const field = annsFieldOf(c.meta.schema, req.annsField);
  const index = c.indexOnField(field.name);
  // A struct member's index records MAX_SIM_X or X; the bound is in the metric the search scores with.
  const metric = index === undefined ? undefined : isStructVectorMember(field) ? structSearchKind(field, req, index.params['metric_type'] ?? '').metric : index.metricType as MetricType;
  const params = iter.lastBound === undefined || metric === undefined
    ? req.params : { ...req.params, ...beyondBound(metric, iter.lastBound) };
  const route = await runRoute(engine, c, { ...req, params }, scope, req.topK + ITERATOR_TIE_SLACK);
  const perQuery = route.perQuery.map((q) => dropAtBound(q, iter.lastBound, req.topK));
  const scores = perQuery[0]?.scores;
  const last = scores !== undefined && scores.length > 0 ? scores[scores.length - 1]! : iter.lastBound;
  const result = buildResult(c, scope, req, req.nq, req.topK, perQuery, null);
  return { ...result, iterator: { token: iter.token, lastBound: last ?? 0 } };
}

/**
 * Run `fn(engine, req)` counted as a search in flight (see SearchThreads.enter: searches next to
 * others use the workers); `enter` is called before this returns. No closure per search.
 */
async function counted<Q, R>(engine: Engine, fn: (engine: Engine, req: Q) => Promise<R>, req: Q): Promise<R> {
  const threads = engine.searchThreads;
  const wait = threads.enter();
  try {
    if (wait !== null) await wait;
    return await fn(engine, req);
  } finally {
    threads.leave();
  }
}

export function search(engine: Engine, given: T.SearchRequest): Promise<T.SearchResult> {
  return counted(engine, searchNow, given);
}

async function searchNow(engine: Engine, given: T.SearchRequest): Promise<T.SearchResult> {
  const c = requireCollection(engine, given);
  compile(c, given.filter, given.templateValues); // the plan is checked before the vectors, as in Milvus (cached)
  const req = routeOf(c, given);
  const scope = searchScope(c, req.partitionNames);
  const offset = req.offset ?? 0;
  validateTopK(req.topK, offset);
  const iter = iteratorV2Of(req.params);
  const fs = functionScorePlan(c.meta.schema, req.functionScore, req.templateValues);
  if (fs !== null && (iter !== null || req.groupByField)) {
    throw errors.invalidParameter("don't support use segment scorer with group_by or search_iterator");
  }
  checkStructOptions(c, req);
  if (iter !== null) return iteratorSearch(engine, c, scope, req, iter);
  const orderBy = parseOrderBy(c.meta.schema, req.orderBy);
  if (req.groupByField) return groupedSearch(engine, c, scope, req, offset);
  const route = await runRoute(engine, c, req, scope, req.topK + offset);
  const perQuery: RouteHits['perQuery'] = fs !== null ? rerankSearch(scope, route, fs, offset, req.topK) : route.perQuery.map((q) => {
    const s = Math.min(offset, q.refs.chunk.length);
    if (s === 0 && orderBy.length === 0) return q;
    const page = { refs: { chunk: q.refs.chunk.subarray(s), row: q.refs.row.subarray(s) }, scores: q.scores.subarray(s) };
    if (orderBy.length === 0) return q.offsets === undefined ? page : { ...page, offsets: q.offsets.subarray(s) };
    // Milvus orders the page the reduce step picked (offset applied), by the keys, stably.
    const perm = orderPermutation(route.scope, orderBy, page.refs);
    const ordered = { refs: permuteRefs(page.refs, perm), scores: Float32Array.from(perm, (i) => page.scores[i]!) };
    return q.offsets === undefined ? ordered : { ...ordered, offsets: Int32Array.from(perm, (i) => q.offsets![s + i]!) };
  });
  const result = buildResult(c, scope, req, req.nq, req.topK, perQuery, null);
  if (req.highlighter) result.highlights = highlightHits(c.meta.schema, scope, req, perQuery);
  return result;
}

/** On a struct vector member, what Milvus refuses: range / iterator / group by per search kind (struct-search.ts). */
function checkStructOptions(c: CollectionRuntime, req: Route): void {
  const field = annsFieldOf(c.meta.schema, req.annsField);
  if (!isStructVectorMember(field)) return;
  const index = c.indexOnField(field.name);
  if (index === undefined) return; // runRoute answers the missing index
  checkStructSearchOptions(structSearchKind(field, req, index.params['metric_type'] ?? ''), req.params, req.groupByField, c.pkField.name);
}

/** A plain search with a function score: boosts, then the ranker (if any) over the one route, or the offset page. */
function rerankSearch(scope: ScopedChunk[], route: RouteHits, fs: FunctionScorePlan, offset: number, topK: number): RouteHits['perQuery'] {
  const [boosted] = boostRoutes(scope, fs.boost, [route]);
  const ranker = fs.ranker;
  if (ranker !== null) {
    if (ranker.kind === 'weighted' && ranker.weights.length !== 1) throw weightsMismatch(1, ranker.weights.length);
    return boosted!.perQuery.map((_, q) => fuseQuery(scope, [boosted!], q, ranker, offset, topK));
  }
  return boosted!.perQuery.map((q) => {
    const s = Math.min(offset, q.refs.chunk.length);
    return { refs: { chunk: q.refs.chunk.subarray(s), row: q.refs.row.subarray(s) }, scores: q.scores.subarray(s) };
  });
}

function weightsMismatch(expected: number, actual: number): Error {
  return errors.invalidParameter('the number of weights must equal the number of ann search requests', { expected, actual });
}

const GROUPABLE = new Set<number>([DataType.Bool, DataType.Int8, DataType.Int16, DataType.Int32, DataType.Int64, DataType.VarChar]);

async function groupedSearch(engine: Engine, c: CollectionRuntime, scope: ScopedChunk[], req: Route, offset: number): Promise<T.SearchResult> {
  const field = fieldByName(c.meta.schema, req.groupByField!);
  if (!field || !GROUPABLE.has(field.dataType)) {
    throw errors.invalidParameter(`group by field ${req.groupByField} must be of type Bool, Int8-Int64 or VarChar`);
  }
  const groupSize = req.groupSize ?? 1;
  if (!Number.isInteger(groupSize) || groupSize < 1 || groupSize > limits.maxGroupSize) {
    throw errors.invalidParameter('group_size', { expected: `[1, ${limits.maxGroupSize}]`, actual: groupSize });
  }
  const groupsWanted = req.topK + offset;
  // Candidates are rows, or elements on a struct member (at most its capacity per row).
  const anns = annsFieldOf(c.meta.schema, req.annsField);
  const perRow = isStructVectorMember(anns) ? Math.max(1, Math.ceil((anns.maxCapacity ?? 1) / memberWidth(anns))) : 1;
  let total = 0;
  for (const s of scope) total += s.chunk.numRows * perRow;
  // Widen the candidate list until the groups are full or every row was considered.
  let k = Math.min(Math.max(groupsWanted * groupSize * 4, 64), Math.max(total, 1));
  for (;;) {
    const route = await runRoute(engine, c, req, scope, k);
    const perQuery = route.perQuery.map((q) => groupHits(scope, field, q, groupsWanted, groupSize, offset));
    const short = perQuery.some((g, i) => g.incomplete && route.perQuery[i]!.refs.chunk.length === k);
    if (!short || k >= total) return buildResult(c, scope, req, req.nq, req.topK, perQuery.map((g) => g.hits), field);
    k = Math.min(k * 4, total);
  }
}

function groupHits(scope: ScopedChunk[], field: FieldSchema, q: RouteHits['perQuery'][number], groupsWanted: number, groupSize: number, offset: number) {
  const groups = new Map<unknown, number[]>();
  const order: unknown[] = [];
  for (let i = 0; i < q.refs.chunk.length; i++) {
    const chunk = scope[q.refs.chunk[i]!]!.chunk;
    const row = q.refs.row[i]!;
    const col = chunk.column(field.name);
    const one = col === undefined && chunk.mapped.has(field.name) ? rowsOf(chunk, field.name, [row]) : undefined;
    const v = col ? columnValueAt(col, row) : one ? columnValueAt(one, 0) : null;
    let g = groups.get(v);
    if (!g) {
      if (groups.size >= groupsWanted) continue;
      groups.set(v, (g = []));
      order.push(v);
    }
    if (g.length < groupSize) g.push(i);
  }
  const incomplete = groups.size < groupsWanted || [...groups.values()].some((g) => g.length < groupSize);
  const picked: number[] = [];
  for (const v of order.slice(offset)) picked.push(...groups.get(v)!);
  const hits: RouteHits['perQuery'][number] = {
    refs: { chunk: Int32Array.from(picked, (i) => q.refs.chunk[i]!), row: Int32Array.from(picked, (i) => q.refs.row[i]!) },
    scores: Float32Array.from(picked, (i) => q.scores[i]!),
  };
  if (q.offsets !== undefined) hits.offsets = Int32Array.from(picked, (i) => q.offsets![i]!);
  return { incomplete, hits };
}

// ---------------------------------------------------------------- hybrid search

export function hybridSearch(engine: Engine, req: T.HybridSearchRequest): Promise<T.SearchResult> {
  return counted(engine, hybridSearchNow, req);
}

/** The hybrid ranker: the function score's decay / rrf / weighted function, else `ranker`. */
function hybridRanker(req: T.HybridSearchRequest, fs: FunctionScorePlan | null): ProxyRanker {
  if (fs !== null && fs.ranker !== null) return fs.ranker;
  const r = req.ranker;
  return r.strategy === 'rrf' ? { kind: 'rrf', k: r.k } : { kind: 'weighted', weights: r.weights, normScore: r.normScore };
}

async function hybridSearchNow(engine: Engine, req: T.HybridSearchRequest): Promise<T.SearchResult> {
  const c = requireCollection(engine, req);
  if (req.requests.length === 0 || req.requests.length > limits.maxHybridRequests) {
    throw errors.invalidParameter('hybrid search needs 1 to 1024 sub-requests', { actual: req.requests.length });
  }
  const scope = searchScope(c, req.partitionNames);
  const offset = req.offset ?? 0;
  validateTopK(req.topK, offset);
  const subs = req.requests.map((r) => routeOf(c, r));
  const nq = subs[0]!.nq;
  if (subs.some((r) => r.nq !== nq)) throw errors.invalidParameter('all sub-requests of a hybrid search must have the same nq');
  const fs = functionScorePlan(c.meta.schema, req.functionScore, subs[0]!.templateValues);
  const ranker = hybridRanker(req, fs);
  if (ranker.kind === 'weighted' && ranker.weights.length !== req.requests.length) throw weightsMismatch(req.requests.length, ranker.weights.length);
  if (ranker.kind === 'rrf' && !(ranker.k > 0 && ranker.k < limits.rrfKMax)) {
    throw errors.invalidParameter('rrf k', { expected: `(0, ${limits.rrfKMax})`, actual: ranker.k });
  }
  const routes: RouteHits[] = [];
  for (const r of subs) {
    validateTopK(r.topK, 0);
    routes.push(await runRoute(engine, c, r, scope, r.topK));
  }
  const fused = boostRoutes(scope, fs?.boost ?? null, routes);
  const perQuery: RouteHits['perQuery'] = [];
  for (let q = 0; q < nq; q++) perQuery.push(fuseQuery(scope, fused, q, ranker, offset, req.topK));
  return buildResult(c, scope, req, nq, req.topK, perQuery, null);
}
