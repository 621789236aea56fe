/**
 * `searchTyped`: the embedded client's lean search (issue 12, embedded overhead). The query vectors
 * go in as one Float32Array (nq rows of the field's dim) and the hits come back as typed arrays:
 * primary keys (a BigInt64Array for an Int64 key, strings for VarChar), scores and hits per query.
 * Nothing is built per hit: no hit objects, no int64 strings, no output fields. Same service call,
 * so the same hits, scores, checks and errors as `search` (errors are thrown: a MilvusError with
 * the Milvus code, where `search` answers a status).
 */
import { DEFAULT_TOPK } from './enums.js';
import { type ClientContext, scoped } from './context.js';
import { clientError } from './status.js';
import type * as Svc from '../service/types.js';

export interface TypedSearchReq {
  collection_name: string;
  db_name?: string;
  /** nq dense float query vectors, one after another (nq * the anns field's dim floats). */
  data: Float32Array;
  /** Number of query vectors in `data` (default 1). */
  nq?: number;
  /** Hits per query (default 100, as `search`). */
  limit?: number;
  offset?: number;
  /** The vector field; absent when the collection has only one. */
  anns_field?: string;
  filter?: string;
  partition_names?: string[];
  /** Index search params (ef, nprobe, radius, range_filter, ...), as `search`'s `params`. */
  params?: Record<string, unknown>;
}

export interface TypedSearchResults {
  nq: number;
  /** Hits per query: query i's hits are [sum of topks before i, + topks[i]) of `ids` and `scores`. */
  topks: Int32Array;
  /** Primary keys of the hits, best first per query: int64 keys as a BigInt64Array, VarChar keys as strings. */
  ids: BigInt64Array | string[];
  scores: Float32Array;
}

export async function searchTyped(ctx: ClientContext, req: TypedSearchReq): Promise<TypedSearchResults> {
  const s = scoped(ctx, req);
  if (!(req.data instanceof Float32Array)) throw clientError('searchTyped: data must be a Float32Array');
  const nq = req.nq ?? 1;
  if (!Number.isSafeInteger(nq) || nq < 1 || req.data.length % nq !== 0) {
    throw clientError(`searchTyped: data (${req.data.length} floats) is not nq (${nq}) vectors of one dim`);
  }
  const vectors: Svc.SearchRequest['vectors'] = { kind: 'floatVector', dim: req.data.length / nq, data: req.data, valid: null };
  // One object of one shape per call (conditional spreads cost more than the rest of this call).
  const r = await ctx.service.search({
    dbName: s.dbName, collectionName: s.collectionName, nq, topK: req.limit ?? DEFAULT_TOPK, vectors, outputFields: [],
    offset: req.offset, annsField: req.anns_field, filter: req.filter, partitionNames: req.partition_names, params: req.params,
  });
  const topks = new Int32Array(r.topks.length);
  for (let i = 0; i < topks.length; i++) topks[i] = r.topks[i]!;
  return { nq: r.nq, topks, ids: r.ids.data, scores: r.scores };
}
