/**
 * search / hybridSearch with the SDK's result shape: each hit is `{score, ...output fields}` (the
 * primary key under its own name, int64 as string), hits of one query vector are a flat list, of
 * several a list per query; no hits at all give `results: []` and `session_ts: -1`.
 */
import type { HybridSearchReq, SearchReq, SearchSimpleReq } from '@zilliz/milvus2-sdk-node';
import { int64Text, int64Words } from '../core/int64.js';
import { doorColumn } from '../service/output.js';
import type * as Svc from '../service/types.js';
import { type ClientContext, scoped } from './context.js';
import { DEFAULT_DYNAMIC_FIELD } from './enums.js';
import { cutDecimals, formatValue } from './format.js';
import { doorOutputColumns } from '../service/sdk-values.js';
import { type AnySearchReq, hybridRequest, isHybrid, roundDecimalOf, searchRequest } from './search-request.js';
import { ClientError, errorStatus, type ResStatus, successStatus } from './status.js';
import type { RowResult, SearchResults } from './types.js';

function wantsWholeMeta(requested: readonly string[] | undefined): boolean {
  return (requested ?? ['*']).some((f) => f.trim() === '*' || f.trim() === DEFAULT_DYNAMIC_FIELD);
}

/** The names a hit carries, in order: the PK first when not requested, then the output fields. */
function hitNames(r: Svc.SearchResult, requested: readonly string[] | undefined): string[] {
  const names = [...r.outputFields];
  if (!names.includes(r.primaryFieldName)) names.unshift(r.primaryFieldName);
  if (r.columns.some((c) => c.field.isDynamic) && wantsWholeMeta(requested) && !names.includes(DEFAULT_DYNAMIC_FIELD)) {
    names.push(DEFAULT_DYNAMIC_FIELD);
  }
  return names;
}

/** Int64 values as the SDK gives them (decimal strings), read without a BigInt per hit when they fit in 32 bits. */
function int64Reader(data: BigInt64Array): HitField {
  const words = int64Words(data);
  return (at) => int64Text(data, words, at);
}

/** How one named field of a hit is read: from a gathered column, the primary keys, or `$meta`. */
type HitField = (at: number, meta: unknown) => unknown;

function hitField(r: Svc.SearchResult, name: string, byName: ReadonlyMap<string, Svc.OutputColumn['column']>): HitField {
  const col = byName.get(name);
  if (col?.kind === 'int64' && col.valid === null) return int64Reader(col.data);
  if (col) return (at) => formatValue(col, at);
  if (name === r.primaryFieldName) {
    const ids = r.ids;
    return ids.kind === 'int64' ? int64Reader(ids.data) : (at) => ids.data[at]!;
  }
  if (name === DEFAULT_DYNAMIC_FIELD) return (_at, meta) => meta;
  return (_at, meta) => (meta !== null && typeof meta === 'object' ? (meta as Record<string, unknown>)[name] : undefined);
}

/** The SDK's `hit.highlight`: field name -> {fragments, scores} of the hit at `at`. */
function highlightOf(highlights: readonly Svc.HighlightResult[], at: number): Record<string, Svc.HighlightData> {
  const out: Record<string, Svc.HighlightData> = {};
  for (const h of highlights) {
    const d = h.datas[at];
    if (d) out[h.fieldName] = { fragments: [...d.fragments], scores: [...d.scores] };
  }
  return out;
}

/**
 * The hits, one object each, built in one pass over the result's typed arrays: the readers of the
 * named fields are resolved once per result, not per hit.
 */
function formatHits(r: Svc.SearchResult, requested: readonly string[] | undefined, roundDecimal: number): RowResult[][] {
  const names = hitNames(r, requested);
  const byName = new Map(doorOutputColumns(r.columns).filter((c) => !c.field.isDynamic).map((c) => [c.field.name, c.column]));
  const meta = r.columns.find((c) => c.field.isDynamic)?.column;
  const fields = names.map((name) => hitField(r, name, byName));
  const group = r.groupByValues;
  const groupColumn = group === null ? null : doorColumn(group);
  const out: RowResult[][] = [];
  let at = 0;
  for (const k of r.topks) {
    const hits: RowResult[] = new Array<RowResult>(k);
    for (let h = 0; h < k; h++, at++) {
      const score = r.scores[at]!;
      const hit: RowResult = { score: roundDecimal >= 0 ? cutDecimals(score, roundDecimal) : score };
      if (group && groupColumn) hit['group_by_field_values'] = { [group.field.name]: formatValue(groupColumn, at) };
      const metaValue = meta ? formatValue(meta, at) : null;
      for (let f = 0; f < names.length; f++) hit[names[f]!] = fields[f]!(at, metaValue);
      if (r.highlights !== undefined && r.highlights.length > 0) hit['highlight'] = highlightOf(r.highlights, at);
      hits[h] = hit;
    }
    out.push(hits);
  }
  return out;
}

function emptyResults<T extends AnySearchReq>(status: ResStatus, collectionName: string): SearchResults<T> {
  return { status, results: [] as unknown as SearchResults<T>['results'], recalls: [], session_ts: -1, collection_name: collectionName };
}

/** `search` and `hybridSearch` (the same method in the SDK). */
export async function search<T extends SearchReq | SearchSimpleReq | HybridSearchReq>(ctx: ClientContext, req: T): Promise<SearchResults<T>> {
  const s = scoped(ctx, req);
  let result: Svc.SearchResult;
  try {
    result = isHybrid(req)
      ? await ctx.service.hybridSearch(hybridRequest(s, req))
      : await ctx.service.search(searchRequest(s, req as unknown as Record<string, unknown>));
  } catch (e) {
    if (e instanceof ClientError) throw e;
    return emptyResults(errorStatus(e), req.collection_name);
  }
  if (result.scores.length === 0) return emptyResults(successStatus(), req.collection_name);
  const hits = formatHits(result, req.output_fields, roundDecimalOf(req));
  const results = (result.nq === 1 ? hits[0] ?? [] : hits) as SearchResults<T>['results'];
  return { status: successStatus(), results, recalls: [], session_ts: 0, collection_name: req.collection_name };
}
