/**
 * Search on a vector member of an Array-of-Struct field (`anns_field: "items[embedding]"`), as
 * Milvus 2.6 does it, over the stored elements (schema/struct.ts):
 * - an embedding list per query (placeholder EmbList*, metric MAX_SIM*): one hit per row, scored
 *   sum over the query's vectors of the best element's similarity (MAX_SIM = MAX_SIM_COSINE; for
 *   the distance metrics L2 / HAMMING / JACCARD the sum of the smallest distances, smaller better);
 * - one vector per query (a plain metric): element-level search, each hit one element, carrying
 *   its offset in the row; range search (radius / range_filter), search iterator v2 and group by
 *   the primary key work as on a plain vector field. Embedding-list search refuses all three, as
 *   Milvus's proxy does (checkStructSearchOptions).
 * A sealed segment with a built member index (an ANN index over its element vectors, engine/indexer.ts)
 * gives the candidates: element-level, its nearest elements; embedding list, the rows of each query
 * vector's nearest elements, scored by exact MAX_SIM. Growing segments and segments below the index's
 * threshold are scanned exactly.
 */
import type { MetricType } from '../core/enums.js';
import { DataType, smallerIsBetter } from '../core/enums.js';
import { errors } from '../core/errors.js';
import type { ScopedChunk, RowRefs } from '../engine/read.js';
import { gatherColumn, matchRows } from '../engine/read.js';
import type { FilterPlan, Node } from '../expr/index.js';
import { matchingElements } from '../expr/index.js';
import type { CollectionRuntime } from '../engine/collection.js';
import { fieldByName } from '../schema/types.js';
import type { Column } from '../schema/column.js';
import { bfloat16BitsToFloat32, float16BitsToFloat32 } from '../schema/half.js';
import { memberBaseMetric, memberVectorKind, memberWidth } from '../schema/struct.js';
import type { ArrayElement, FieldSchema } from '../schema/types.js';
import type { VectorIndex } from '../index/descriptor.js';
import { getIndexDescriptor, validateSearchParams } from '../index/registry.js';
import type { RangeBounds, ScanWindow } from '../index/scan-window.js';
import { rangeWindow } from '../index/scan-window.js';
import type * as T from './types.js';

/** The plain metrics a member's index or element-level search may use, by member type. */
const BINARY_METRICS: readonly string[] = ['HAMMING', 'JACCARD'];
const FLOAT_METRICS: readonly string[] = ['COSINE', 'IP', 'L2'];

export interface StructRoute {
  metric: MetricType;
  perQuery: { refs: RowRefs; scores: Float32Array; offsets?: Int32Array }[];
}

function plainMetrics(f: FieldSchema): readonly string[] {
  return f.structMember?.type === DataType.BinaryVector ? BINARY_METRICS : FLOAT_METRICS;
}

/** CreateIndex on a struct vector member: the metric to record (MAX_SIM* or a plain one for element-level search). */
export function structIndexMetric(f: FieldSchema, requested: string): string {
  const m = requested === '' ? 'MAX_SIM' : requested;
  const base = m.startsWith('MAX_SIM') ? memberBaseMetric(f, m) : m;
  if (!plainMetrics(f).includes(base)) {
    throw errors.invalidParameter(`metric type ${m} is not supported on struct vector field ${f.name}`, { expected: [...plainMetrics(f).map((x) => `MAX_SIM_${x}`), ...plainMetrics(f)].join('|') });
  }
  return m;
}

/** Any vector column -> float64 values, `width` per vector (binary: its bytes). */
function numbersOf(c: Column): Float64Array {
  switch (c.kind) {
    case 'floatVector': case 'int8Vector': case 'binaryVector': return Float64Array.from(c.data);
    case 'float16Vector': return Float64Array.from(c.data, float16BitsToFloat32);
    case 'bfloat16Vector': return Float64Array.from(c.data, bfloat16BitsToFloat32);
    default: throw errors.invalidParameter('vector type must be the same as the anns field', { actual: c.kind });
  }
}

function popcount(x: number): number {
  let n = 0;
  for (let v = x & 0xff; v !== 0; v &= v - 1) n++;
  return n;
}

/** Score of query vector q (at qa) against element e (at ea), `w` numbers each. */
function score(metric: string, q: Float64Array, qa: number, e: ArrayLike<number>, ea: number, w: number): number {
  if (metric === 'HAMMING' || metric === 'JACCARD') {
    let diff = 0, inter = 0, union = 0;
    for (let i = 0; i < w; i++) {
      const a = q[qa + i]! & 0xff, b = Number(e[ea + i]) & 0xff;
      diff += popcount(a ^ b); inter += popcount(a & b); union += popcount(a | b);
    }
    return metric === 'HAMMING' ? diff : union === 0 ? 0 : 1 - inter / union;
  }
  let dot = 0, qq = 0, ee = 0, l2 = 0;
  for (let i = 0; i < w; i++) {
    const a = q[qa + i]!, b = Number(e[ea + i]);
    dot += a * b; qq += a * a; ee += b * b; l2 += (a - b) * (a - b);
  }
  if (metric === 'IP') return dot;
  if (metric === 'L2') return l2;
  return qq === 0 || ee === 0 ? 0 : dot / Math.sqrt(qq * ee);
}

interface Candidate { hit: number; score: number; offset: number }

function topK(cands: Candidate[], k: number, smaller: boolean): Candidate[] {
  cands.sort((a, b) => (smaller ? a.score - b.score : b.score - a.score) || a.hit - b.hit || a.offset - b.offset);
  return cands.slice(0, k);
}

function toRoute(all: RowRefs, picked: Candidate[], withOffsets: boolean): StructRoute['perQuery'][number] {
  const refs = { chunk: Int32Array.from(picked, (c) => all.chunk[c.hit]!), row: Int32Array.from(picked, (c) => all.row[c.hit]!) };
  const scores = Float32Array.from(picked, (c) => c.score);
  return withOffsets ? { refs, scores, offsets: Int32Array.from(picked, (c) => c.offset) } : { refs, scores };
}

/** Query vectors per query: embedding lists split by the member's width, or one vector each. */
function queriesOf(f: FieldSchema, req: T.SearchRequest): Float64Array[] {
  const w = memberWidth(f);
  const check = (c: Column): Float64Array => {
    const nums = numbersOf(c);
    if (nums.length === 0 || nums.length % w !== 0) {
      throw errors.invalidParameter('the dimension of the query vectors does not match the anns field', { field: f.name, expected: f.dim ?? 0 });
    }
    return nums;
  };
  if (req.embLists !== undefined) return req.embLists.map(check);
  if (req.vectors === undefined) throw errors.missingParameter('vectors');
  const all = check(req.vectors);
  const nq = all.length / w;
  const out: Float64Array[] = [];
  for (let q = 0; q < nq; q++) out.push(all.subarray(q * w, (q + 1) * w));
  return out;
}

/** Element vectors an embedding-list search takes from a member index per query vector (at least; 4 x k when larger). */
const EMB_LIST_CANDIDATES_PER_VECTOR = 64;

/** What one search route on a member scores with: the rows the filter keeps and their stored elements. */
interface MemberScan {
  metric: string;
  smaller: boolean;
  w: number;
  embList: boolean;
  rows: readonly (readonly ArrayElement[])[];
  k: number;
  /** Range search (element-level only): keep elements whose badness key (score, or -score for similarities) is in [lo, hi). */
  window: ScanWindow | null;
}

/** True when an element-level score passes the range window (float32, as the scores are returned). */
function inWindow(m: MemberScan, s: number): boolean {
  if (m.window === null) return true;
  const key = m.smaller ? Math.fround(s) : -Math.fround(s);
  return key >= m.window.lo && key < m.window.hi;
}

/** MAX_SIM of one embedding list `q` against row `row`: sum over its vectors of the best element. */
function maxSim(m: MemberScan, q: Float64Array, row: ArrayLike<number>): number {
  const nv = q.length / m.w, ne = row.length / m.w;
  let total = 0;
  for (let v = 0; v < nv; v++) {
    let best = m.smaller ? Infinity : -Infinity;
    for (let e = 0; e < ne; e++) {
      const s = score(m.metric, q, v * m.w, row, e * m.w, m.w);
      if (m.smaller ? s < best : s > best) best = s;
    }
    total += best;
  }
  return total;
}

/** Exact scoring of the given hits (every element, or MAX_SIM per row). */
function scanExact(m: MemberScan, q: Float64Array, hits: Iterable<number>, cands: Candidate[]): void {
  for (const h of hits) {
    const row = m.rows[h]! as ArrayLike<number>;
    const ne = row.length / m.w;
    if (ne === 0) continue;
    if (!m.embList) {
      for (let e = 0; e < ne; e++) {
        const s = score(m.metric, q, 0, row, e * m.w, m.w);
        if (inWindow(m, s)) cands.push({ hit: h, score: s, offset: e });
      }
    } else {
      cands.push({ hit: h, score: maxSim(m, q, row), offset: 0 });
    }
  }
}

/** A query vector as a one-row column of the member index's kind. */
function queryColumn(kind: string, q: Float64Array, dim: number): Column {
  if (kind === 'int8Vector') return { kind: 'int8Vector', dim, data: Int8Array.from(q), valid: null };
  if (kind === 'binaryVector') return { kind: 'binaryVector', dim, data: Uint8Array.from(q), valid: null };
  return { kind: 'floatVector', dim, data: Float32Array.from(q), valid: null };
}

/** One sealed chunk whose member has a built index over its element vectors. */
interface IndexedChunk {
  index: VectorIndex;
  rowOf: Int32Array;
  offsetOf: Int32Array;
  /** Per chunk row: its hit number in the route's rows, -1 when the filter (or a delete) drops it. */
  hitOfRow: Int32Array;
  /** Per element: may be returned (its row is a hit). */
  allowed: Uint8Array;
}


function indexedChunks(scope: readonly ScopedChunk[], f: FieldSchema, all: RowRefs): Map<number, IndexedChunk> {
  const out = new Map<number, IndexedChunk>();
  for (let ci = 0; ci < scope.length; ci++) {
    const built = scope[ci]!.chunk.indexes.get(f.name);
    if (built?.elements === undefined) continue;
    const hitOfRow = new Int32Array(scope[ci]!.chunk.numRows).fill(-1);
    out.set(ci, { index: built.index, ...built.elements, hitOfRow, allowed: new Uint8Array(built.elements.rowOf.length) });
  }
  for (let h = 0; h < all.chunk.length; h++) {
    const ic = out.get(all.chunk[h]!);
    if (ic !== undefined) ic.hitOfRow[all.row[h]!] = h;
  }
  for (const ic of out.values()) for (let e = 0; e < ic.rowOf.length; e++) ic.allowed[e] = ic.hitOfRow[ic.rowOf[e]!]! >= 0 ? 1 : 0;
  return out;
}

/**
 * Candidates from a member index: element-level, its nearest elements rescored exactly; embedding
 * list, the rows of each query vector's nearest elements, scored by exact MAX_SIM.
 */
function scanIndexed(m: MemberScan, ic: IndexedChunk, q: Float64Array, f: FieldSchema, params: Readonly<Record<string, unknown>>, range: RangeBounds | null, cands: Candidate[]): void {
  const n = ic.rowOf.length;
  if (n === 0) return;
  const indexParams = validateSearchParams(getIndexDescriptor(ic.index.indexType), params);
  // The index answers the range itself when it scores with the search's metric; the exact rescoring checks it again.
  const indexRange = range !== null && ic.index.metric === m.metric ? range : null;
  const search = (v: Float64Array, topK: number, r: RangeBounds | null) => ic.index.search({ queries: queryColumn(memberVectorKind(f), v, f.dim ?? 0), topK: Math.min(n, topK), filter: ic.allowed, range: r, params: indexParams });
  if (!m.embList) {
    const res = search(q, m.k, indexRange);
    for (let i = 0; i < res.counts[0]!; i++) {
      const e = res.rows[i]!;
      const h = ic.hitOfRow[ic.rowOf[e]!]!, offset = ic.offsetOf[e]!;
      const s = score(m.metric, q, 0, m.rows[h]! as ArrayLike<number>, offset * m.w, m.w);
      if (inWindow(m, s)) cands.push({ hit: h, score: s, offset });
    }
    return;
  }
  const hits = new Set<number>();
  const perVector = Math.max(EMB_LIST_CANDIDATES_PER_VECTOR, 4 * m.k);
  for (let v = 0; v * m.w < q.length; v++) {
    const res = search(q.subarray(v * m.w, (v + 1) * m.w), perVector, null);
    for (let i = 0; i < res.counts[0]!; i++) hits.add(ic.hitOfRow[ic.rowOf[res.rows[i]!]!]!);
  }
  scanExact(m, q, hits, cands);
}

/** What a search on a struct vector member is: an embedding-list (MAX_SIM) or an element-level one, and the plain metric it scores with. */
export interface StructSearchKind {
  embList: boolean;
  metric: MetricType;
}

/**
 * The kind of a search on member `f` whose index records `indexMetric`: embedding lists need a MAX_SIM
 * metric (asked or the index's); element-level search takes the asked metric or the index's, MAX_SIM_X read as X.
 */
export function structSearchKind(f: FieldSchema, req: T.SearchRequest, indexMetric: string): StructSearchKind {
  const embList = req.embLists !== undefined;
  const asked = (req.embListMetric ?? req.metricType ?? '').toUpperCase();
  let metric: string;
  if (embList) {
    const m = asked !== '' ? asked : indexMetric.startsWith('MAX_SIM') ? indexMetric : 'MAX_SIM';
    if (!m.startsWith('MAX_SIM')) throw errors.invalidParameter(`embedding list search needs a MAX_SIM metric, got ${m}`);
    metric = memberBaseMetric(f, m);
  } else {
    const m = asked !== '' ? asked : indexMetric;
    metric = m.startsWith('MAX_SIM') ? memberBaseMetric(f, m) : m;
  }
  if (!plainMetrics(f).includes(metric)) throw errors.invalidParameter('metric type not match', { expected: indexMetric, actual: asked });
  return { embList, metric: metric as MetricType };
}

const truthy = (v: unknown): boolean => v === true || v === 'true' || v === 'True';

/**
 * What Milvus 2.6's proxy refuses on a struct vector member (task_search.go, ArrayOfVector fields):
 * embedding-list search takes no range, iterator or group by; element-level search takes range search,
 * search iterator v2 and group by the primary key only. Code 1100, Milvus's texts.
 */
export function checkStructSearchOptions(kind: StructSearchKind, params: Readonly<Record<string, unknown>> | undefined, groupByField: string | undefined, pkName: string): void {
  const iterator = truthy(params?.['iterator']);
  if (kind.embList) {
    if (params?.['radius'] !== undefined) throw errors.parameterInvalid('', '', 'range search is not supported for multi-search-multi on embedding list fields');
    if (iterator) throw errors.parameterInvalid('', '', 'search iterator is not supported for multi-search-multi on embedding list fields');
  } else if (iterator && !truthy(params?.['search_iter_v2'])) {
    throw errors.parameterInvalid('', '', 'legacy search iterator is not supported for element-level search; use search iterator v2');
  }
  if (groupByField !== undefined && groupByField !== '') {
    if (kind.embList) throw errors.parameterInvalid('', '', 'group by is not supported for multi-search-multi on embedding list fields');
    if (groupByField !== pkName) throw errors.parameterInvalid('', '', 'only group by primary key is supported for element-level search');
  }
}

/**
 * Run one search route on a struct vector member. `indexMetric` is the member index's metric
 * (recorded as given); `k` the hits wanted per query; `range` (element-level only) keeps the
 * elements within radius / range_filter, as a plain vector field's range search does. Sealed
 * segments with a built member index take their candidates from it; the others (growing, below the
 * index's threshold) are scanned.
 */
export function structSearch(scope: readonly ScopedChunk[], f: FieldSchema, req: T.SearchRequest, indexMetric: string, filter: FilterPlan | null, k: number, range: RangeBounds | null): StructRoute {
  const { embList, metric } = structSearchKind(f, req, indexMetric);
  if (embList && range !== null) throw errors.parameterInvalid('', '', 'range search is not supported for multi-search-multi on embedding list fields');
  const smaller = smallerIsBetter(metric);
  const window = rangeWindow(metric, range);
  const queries = queriesOf(f, req);
  const all = matchRows(scope, filter);
  const col = gatherColumn(scope, f, all);
  const scan: MemberScan = { metric, smaller, w: memberWidth(f), embList, rows: col.kind === 'array' ? col.data : [], k, window };
  const indexed = indexedChunks(scope, f, all);
  const scanned: number[] = [];
  for (let h = 0; h < all.chunk.length; h++) if (!indexed.has(all.chunk[h]!)) scanned.push(h);
  const perQuery: StructRoute['perQuery'] = [];
  for (const q of queries) {
    const cands: Candidate[] = [];
    scanExact(scan, q, scanned, cands);
    for (const ic of indexed.values()) scanIndexed(scan, ic, q, f, req.params ?? {}, range, cands);
    perQuery.push(toRoute(all, topK(cands, k, smaller), !embList));
  }
  return { metric, perQuery };
}

/** Element-level query: per result row, the offsets of the struct elements its element_filter matched. */
export function elementIndicesOf(scope: readonly ScopedChunk[], c: CollectionRuntime, node: Node & { op: 'elementFilter' }, refs: RowRefs): number[][] {
  const columns = new Map<string, Column>();
  for (const name of [node.countField, ...node.members]) {
    const f = fieldByName(c.meta.schema, name);
    if (f !== undefined) columns.set(name, gatherColumn(scope, f, refs));
  }
  return matchingElements(node, { numRows: refs.chunk.length, column: (name) => columns.get(name) });
}
