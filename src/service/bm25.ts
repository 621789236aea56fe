/**
 * Full-text search routes (Milvus 2.5+): a search on a BM25 function's output field with raw text.
 * The text is analysed with the function's input field analyzer into token hash -> count (the BM25
 * function run on the query, as Milvus's proxy does); the engine weighs it by live IDF and scores.
 * Index params give k1 / b / algorithm; search params may give `drop_ratio_search` and (TAAT_NAIVE
 * only) other k1 / b.
 */
import { errors } from '../core/errors.js';
import type { CollectionRuntime } from '../engine/collection.js';
import type { IndexMeta } from '../engine/meta.js';
import type { ScopedChunk, VectorHits } from '../engine/read.js';
import { searchBm25 } from '../engine/bm25.js';
import type { FilterPlan } from '../expr/index.js';
import { BM25_ALGOS, type Bm25Algo } from '../index/bm25.js';
import { bm25Vector, fieldAnalyzer } from '../schema/bm25.js';
import { FunctionType } from '../schema/functions.js';
import type { CollectionSchema, FieldSchema, FunctionSchema, SparseVector } from '../schema/types.js';
import { fieldByName } from '../schema/types.js';
import type * as T from './types.js';

/** The BM25 function whose output is `field`, if any. */
export function bm25FunctionOf(schema: CollectionSchema, field: FieldSchema): FunctionSchema | undefined {
  return schema.functions.find((fn) => fn.type === FunctionType.BM25 && fn.outputFieldNames[0] === field.name);
}

export function queryTexts(req: Pick<T.SearchRequest, 'vectors' | 'data'>): string[] {
  if (req.vectors && req.vectors.kind === 'varchar') return req.vectors.data;
  if (req.data && req.data.every((d) => typeof d === 'string')) return req.data as string[];
  throw errors.invalidParameter('please provide varchar/text for BM25 Function based search', { actual: req.vectors?.kind ?? typeof req.data?.[0] });
}

function num(v: unknown): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n)) throw errors.invalidParameter('search param must be a number', { actual: String(v) });
  return n;
}

/** k1, b and the algorithm of the index, with the search's allowed overrides. */
function scoring(index: IndexMeta, params: Record<string, unknown> | undefined): { k1: number; b: number; algo: Bm25Algo } {
  const algoText = index.params['inverted_index_algo'] ?? 'DAAT_MAXSCORE';
  const algo = BM25_ALGOS.find((x) => x === algoText) ?? 'DAAT_MAXSCORE';
  let k1 = num(index.params['bm25_k1']) ?? 1.2;
  let b = num(index.params['bm25_b']) ?? 0.75;
  const sk1 = num(params?.['bm25_k1']);
  const sb = num(params?.['bm25_b']);
  if ((sk1 !== undefined && sk1 !== k1) || (sb !== undefined && sb !== b)) {
    if (algo !== 'TAAT_NAIVE') throw errors.invalidParameter('search time k1/b must equal load time config for DAAT_WAND or DAAT_MAXSCORE algorithm.');
    k1 = sk1 ?? k1;
    b = sb ?? b;
  }
  return { k1, b, algo };
}

/**
 * `analyzer_name` of a search on a multi-language field: the request's (gRPC and REST read it from the
 * top-level search params, where Milvus reads it), else the one inside `params` (the Node SDK's
 * `params: {analyzer_name}` shape, which it also flattens to the top level). Ignored for a field
 * with one analyzer, as Milvus's single-analyzer BM25 runner takes no name.
 */
function analyzerNameOf(req: T.SearchRequest): string | undefined {
  if (req.analyzerName !== undefined) return req.analyzerName;
  const inParams = req.params?.['analyzer_name'];
  if (inParams === undefined || inParams === null) return undefined;
  if (typeof inParams !== 'string') throw errors.invalidParameter('analyzer_name must be a string', { actual: JSON.stringify(inParams) });
  return inParams;
}

export interface Bm25Route {
  field: FieldSchema;
  fn: FunctionSchema;
  index: IndexMeta;
  req: T.SearchRequest;
  nq: number;
  topK: number;
  filter: FilterPlan | null;
}

/** Hits of a text search; statistics come from every loaded partition of the collection. */
export function runBm25Search(c: CollectionRuntime, scope: readonly ScopedChunk[], r: Bm25Route): VectorHits {
  const requested = (r.req.metricType ?? '').toUpperCase();
  if (requested !== '' && requested !== 'BM25') throw errors.invalidParameter('metric type not match', { expected: 'BM25', actual: requested });
  const input = fieldByName(c.meta.schema, r.fn.inputFieldNames[0] ?? '');
  if (!input) throw errors.fieldNotFound(r.fn.inputFieldNames[0] ?? '');
  const texts = queryTexts(r.req);
  if (texts.length !== r.nq) throw errors.invalidParameter('nq does not match the number of query texts', { expected: r.nq, actual: texts.length });
  const analyzer = fieldAnalyzer(input, analyzerNameOf(r.req));
  const queries: SparseVector[] = texts.map((t) => bm25Vector(analyzer, t));
  const drop = num(r.req.params?.['drop_ratio_search']) ?? 0;
  if (drop < 0 || drop >= 1) throw errors.invalidParameter(`param 'drop_ratio_search' (${drop}) should be in range [0, 1)`);
  const statsScope = c.chunksOf(c.loadedPartitions());
  return searchBm25(scope, statsScope, {
    fieldName: r.field.name, queries, topK: r.topK, filter: r.filter, dropRatioSearch: drop, ...scoring(r.index, r.req.params),
  });
}
