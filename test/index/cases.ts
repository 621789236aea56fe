/**
 * The case suite every vector index type runs (hnswlib keeps a brute-force index behind the same
 * interface as its oracle; here `searchExact` is the oracle). Call `runIndexCases('HNSW')` from a
 * `*.test.ts` file: it registers node:test tests for round trip, deletes (filter bitsets), filtered
 * search at 50 / 10 / 1 % selectivity, NULL vectors, empty index, k > n, nq > 1, range search, every
 * supported kind x metric, and recall@10 against FLAT on clustered and uniform data, checked
 * against the descriptor's declared `recallAt10`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Column } from '../../src/schema/column.js';
import type { MetricType } from '../../src/core/enums.js';
import { smallerIsBetter } from '../../src/core/enums.js';
import { MilvusError } from '../../src/core/errors.js';
import { searchExact, type ExactSearchResult, type RangeParams } from '../../src/index/flat.js';
import type { IndexDescriptor, VectorIndex } from '../../src/index/descriptor.js';
import { getIndexDescriptor, validateIndexParams, validateSearchParams } from '../../src/index/registry.js';
import { DENSE_KINDS, metricsForKind, type DenseKind, type VectorKind } from '../../src/index/metrics.js';
import { refScore, rng } from './helpers.js';
import { KIND_METRICS, copyRow, makeColumn } from './columns.js';
import { clustered, denseColumn, uniform } from './datasets.js';

export interface IndexCaseOptions {
  /** Test-title prefix (default: the index name), to run one index type with several configurations. */
  label?: string;
  /** Build params as the wire sends them (validated with `validateIndexParams`). */
  buildParams?: Readonly<Record<string, string>>;
  /** Search params (validated with `validateSearchParams`). */
  searchParams?: Readonly<Record<string, unknown>>;
  /** Rows and dim of the recall data sets (default 5000 x 32). */
  recallRows?: number;
  recallDim?: number;
  /** Relative tolerance of reported scores against exact ones (default 1e-4; quantised indexes need more). */
  scoreTolerance?: number;
  /** The index promises min(topK, allowed rows) hits per query, filtered or not (default true). */
  fills?: boolean;
}

interface Dataset {
  column: Column;
  queries: Column;
  n: number;
  nq: number;
}

interface Built {
  index: VectorIndex;
  metric: MetricType;
}

const TOP_K = 10;

/** The kind and metric the suite's main cases use: float32 / L2 when supported. */
function primary(desc: IndexDescriptor): { kind: VectorKind; metric: MetricType } {
  const kind: VectorKind = desc.vectorKinds.includes('floatVector') ? 'floatVector' : desc.vectorKinds[0]!;
  const allowed = desc.metrics.filter((m) => metricsForKind(kind).includes(m));
  const metric = allowed.includes('L2') ? 'L2' : allowed[0]!;
  return { kind, metric };
}

function isDense(kind: VectorKind): kind is DenseKind {
  return (DENSE_KINDS as readonly VectorKind[]).includes(kind);
}

/** A data set of `kind`: dense kinds from the clustered / uniform generators, others random. */
function dataset(kind: VectorKind, n: number, nq: number, dim: number, seed: number, shape: 'clustered' | 'uniform'): Dataset {
  if (isDense(kind)) {
    const d = shape === 'clustered' ? clustered(n, nq, dim, seed) : uniform(n, nq, dim, seed);
    return { column: denseColumn(kind, d.data, dim), queries: denseColumn(kind, d.queries, dim), n, nq };
  }
  const r = rng(seed);
  const bits = kind === 'binaryVector' ? 64 : 0;
  return { column: makeColumn(kind, n, bits, r, true), queries: makeColumn(kind, nq, bits, r, true), n, nq };
}

/** The first `rows` rows of a fixed-width or sparse column. */
function headRows(c: Column, rows: number): Column {
  switch (c.kind) {
    case 'floatVector': case 'float16Vector': case 'bfloat16Vector': case 'int8Vector':
      return { ...c, data: c.data.slice(0, rows * c.dim) } as Column;
    case 'binaryVector': return { ...c, data: c.data.slice(0, (rows * c.dim) / 8) };
    case 'sparseVector': return { ...c, data: c.data.slice(0, rows) };
    default: throw new Error('not a vector column');
  }
}

/** Fraction of exact hits the ANN result found; a hit scoring at least as well as the exact k-th counts (ties). */
/**
 * Recall of query q: a returned row counts when it is one of the exact top rows, or when its exact
 * score (recomputed from the data, not the score the index reported: quantised indexes report
 * approximations) ties the k-th exact score within `tol`.
 */
export function recallOf(
  ann: ExactSearchResult, exact: ExactSearchResult, metric: MetricType, q: number,
  data: { column: Column; queries: Column }, tol = 1e-5,
): number {
  const k = exact.topK;
  const want = exact.counts[q]!;
  if (want === 0) return 1;
  const asc = smallerIsBetter(metric);
  const kth = exact.scores[q * k + want - 1]!;
  const slack = tol * Math.max(1, Math.abs(kth));
  const truth = new Set<number>();
  for (let i = 0; i < want; i++) truth.add(exact.rows[q * k + i]!);
  let hits = 0;
  const got = Math.min(ann.counts[q]!, want);
  for (let i = 0; i < got; i++) {
    const row = ann.rows[q * ann.topK + i]!;
    if (truth.has(row)) {
      hits++;
      continue;
    }
    const s = Math.fround(refScore(metric, data.column, data.queries, q, row));
    if (asc ? s <= kth + slack : s >= kth - slack) hits++;
  }
  return hits / want;
}

function meanRecall(ann: ExactSearchResult, exact: ExactSearchResult, metric: MetricType, data: { column: Column; queries: Column }, tol?: number): number {
  let sum = 0;
  for (let q = 0; q < exact.nq; q++) sum += recallOf(ann, exact, metric, q, data, tol);
  return exact.nq === 0 ? 1 : sum / exact.nq;
}

function randomFilter(n: number, allowed: number, seed: number): Uint8Array {
  const r = rng(seed);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    const t = order[i]!; order[i] = order[j]!; order[j] = t;
  }
  const f = new Uint8Array(n);
  for (let i = 0; i < allowed; i++) f[order[i]!] = 1;
  return f;
}

/** Structural checks every result must pass: counts, padding, distinct rows, best-first order, allowed rows only. */
function checkShape(res: ExactSearchResult, metric: MetricType, nq: number, topK: number, allowed: (row: number) => boolean, what: string): void {
  assert.equal(res.nq, nq, `${what}: nq`);
  assert.equal(res.topK, topK, `${what}: topK`);
  assert.equal(res.rows.length, nq * topK, `${what}: rows length`);
  const asc = smallerIsBetter(metric);
  for (let q = 0; q < nq; q++) {
    const c = res.counts[q]!;
    assert.ok(c >= 0 && c <= topK, `${what}: count ${c}`);
    const seen = new Set<number>();
    for (let i = 0; i < topK; i++) {
      const row = res.rows[q * topK + i]!;
      const s = res.scores[q * topK + i]!;
      if (i >= c) {
        assert.equal(row, -1, `${what}: q${q} slot ${i} padding row`);
        assert.equal(s, asc ? Infinity : -Infinity, `${what}: q${q} slot ${i} padding score`);
        continue;
      }
      assert.ok(allowed(row), `${what}: q${q} returned row ${row}, which may not be returned`);
      assert.ok(!seen.has(row), `${what}: q${q} row ${row} twice`);
      seen.add(row);
      if (i > 0) {
        const prev = res.scores[q * topK + i - 1]!;
        assert.ok(asc ? prev <= s : prev >= s, `${what}: q${q} not best-first at ${i} (${prev}, ${s})`);
      }
    }
  }
}

/** Reported scores equal independently computed metric values within a relative tolerance. */
function checkScores(res: ExactSearchResult, metric: MetricType, column: Column, queries: Column, tol: number, what: string): void {
  for (let q = 0; q < res.nq; q++) {
    for (let i = 0; i < res.counts[q]!; i++) {
      const row = res.rows[q * res.topK + i]!;
      const want = refScore(metric, column, queries, q, row);
      const got = res.scores[q * res.topK + i]!;
      assert.ok(Math.abs(got - want) <= tol * Math.max(1, Math.abs(want)), `${what}: q${q} row ${row} score ${got}, want ${want}`);
    }
  }
}

/** Register the shared cases for the index type `name` (as registered in the index registry). */
export function runIndexCases(indexType: string, opts: IndexCaseOptions = {}): void {
  const desc = getIndexDescriptor(indexType);
  const name = opts.label ?? indexType;
  const { kind, metric } = primary(desc);
  const tol = opts.scoreTolerance ?? 1e-4;
  const fills = opts.fills ?? true;
  const recallRows = opts.recallRows ?? 5000;
  const recallDim = opts.recallDim ?? 32;
  const searchParams = validateSearchParams(desc, opts.searchParams ?? {});

  const build = (column: Column, numRows: number, m: MetricType = metric): Built => {
    const spec = validateIndexParams(desc, kindOf(column), m, opts.buildParams ?? {});
    return { index: desc.build(column, numRows, spec), metric: spec.metric };
  };
  const search = (b: Built, queries: Column, topK: number, filter: Uint8Array | null = null, range: RangeParams | null = null): ExactSearchResult =>
    b.index.search({ queries, topK, filter, range, params: searchParams });
  const exact = (d: Dataset, m: MetricType, queries: Column, topK: number, filter: Uint8Array | null = null, range: RangeParams | null = null): ExactSearchResult =>
    searchExact({ metric: m, column: d.column, numRows: d.n, queries, topK, filter, range });

  // The clustered recall set and its index are shared by several cases (built on first use).
  let main: { d: Dataset; b: Built } | null = null;
  const mainIndex = (): { d: Dataset; b: Built } => {
    if (main === null) {
      const d = dataset(kind, recallRows, 100, recallDim, 7, 'clustered');
      main = { d, b: build(d.column, d.n) };
    }
    return main;
  };

  test(`${name}: round trip (build, search, serialize, deserialize: identical results and bytes; deterministic build)`, () => {
    const d = dataset(kind, 1000, 20, 16, 3, 'clustered');
    const spec = validateIndexParams(desc, kind, metric, opts.buildParams ?? {});
    const a = desc.build(d.column, d.n, spec);
    const payload = a.serialize();
    assert.deepEqual(desc.build(d.column, d.n, spec).serialize(), payload, 'two builds of the same data serialize identically');
    const b = desc.deserialize(payload, d.column, d.n, spec);
    assert.equal(b.numRows, d.n);
    assert.equal(b.metric, spec.metric);
    assert.equal(b.indexType, a.indexType);
    assert.deepEqual(b.serialize(), payload, 'deserialize then serialize gives the same bytes');
    const filter = randomFilter(d.n, Math.floor(d.n / 3), 5);
    for (const f of [null, filter]) {
      const ra = a.search({ queries: d.queries, topK: TOP_K, filter: f, params: searchParams });
      const rb = b.search({ queries: d.queries, topK: TOP_K, filter: f, params: searchParams });
      assert.deepEqual(rb, ra, `results after deserialize (filter=${f !== null})`);
    }
    if (payload.length > 0) {
      assert.throws(() => desc.deserialize(payload.subarray(0, payload.length - 1), d.column, d.n, spec), MilvusError, 'truncated payload');
      const bad = payload.slice();
      bad[0] = bad[0]! ^ 0xff;
      assert.throws(() => desc.deserialize(bad, d.column, d.n, spec), MilvusError, 'corrupted first byte');
    }
  });

  test(`${name}: deletes (rows excluded by the filter never appear, results still fill)`, () => {
    const { d, b } = mainIndex();
    const filter = randomFilter(d.n, Math.floor(d.n * 0.7), 9);
    // Also delete each query's exact top-10, so a leak would show.
    const before = exact(d, b.metric, d.queries, TOP_K);
    for (let i = 0; i < before.rows.length; i++) if (before.rows[i]! >= 0) filter[before.rows[i]!] = 0;
    const res = search(b, d.queries, TOP_K, filter);
    checkShape(res, b.metric, d.nq, TOP_K, (row) => filter[row] === 1, 'deletes');
    if (fills) for (let q = 0; q < d.nq; q++) assert.equal(res.counts[q], TOP_K, `deletes: q${q} under-filled`);
    const recall = meanRecall(res, exact(d, b.metric, d.queries, TOP_K, filter), b.metric, d);
    assert.ok(recall >= desc.recallAt10, `deletes: recall ${recall} < declared ${desc.recallAt10}`);
  });

  for (const fraction of [0.5, 0.1, 0.01]) {
    test(`${name}: filtered search at ${fraction * 100}% selectivity fills and reaches the declared recall`, (t) => {
      const { d, b } = mainIndex();
      const allowedRows = Math.round(d.n * fraction);
      const filter = randomFilter(d.n, allowedRows, 100 + fraction * 1000);
      const res = search(b, d.queries, TOP_K, filter);
      checkShape(res, b.metric, d.nq, TOP_K, (row) => filter[row] === 1, `filter ${fraction}`);
      if (fills) {
        for (let q = 0; q < d.nq; q++) assert.equal(res.counts[q], Math.min(TOP_K, allowedRows), `filter ${fraction}: q${q} under-filled`);
      }
      const recall = meanRecall(res, exact(d, b.metric, d.queries, TOP_K, filter), b.metric, d);
      t.diagnostic(`${name} filtered ${fraction * 100}% recall@10 = ${recall.toFixed(4)}`);
      assert.ok(recall >= desc.recallAt10, `filter ${fraction}: recall ${recall} < declared ${desc.recallAt10}`);
    });
  }

  test(`${name}: NULL vectors are never returned`, () => {
    const d = dataset(kind, 600, 10, 16, 21, 'clustered');
    const valid = new Uint8Array(d.n).fill(1);
    // Each NULL row holds a copy of a query (its best possible match), so returning it would show.
    for (let q = 0; q < d.nq; q++) {
      const row = q * 37 + 5;
      valid[row] = 0;
      copyRow(d.column, row, d.queries, q);
    }
    d.column.valid = valid;
    const b = build(d.column, d.n);
    const res = search(b, d.queries, TOP_K);
    checkShape(res, b.metric, d.nq, TOP_K, (row) => valid[row] === 1, 'nulls');
    if (fills) for (let q = 0; q < d.nq; q++) assert.equal(res.counts[q], TOP_K, `nulls: q${q}`);
  });

  test(`${name}: empty index (0 rows) answers no hits and round-trips`, () => {
    const d = dataset(kind, 0, 2, 16, 4, 'uniform');
    const spec = validateIndexParams(desc, kind, metric, opts.buildParams ?? {});
    const a = desc.build(d.column, 0, spec);
    assert.equal(a.numRows, 0);
    const b = desc.deserialize(a.serialize(), d.column, 0, spec);
    for (const idx of [a, b]) {
      const res = idx.search({ queries: d.queries, topK: 5, params: searchParams });
      checkShape(res, spec.metric, 2, 5, () => false, 'empty');
      assert.deepEqual(Array.from(res.counts), [0, 0]);
    }
  });

  test(`${name}: k > n returns every row, best first, with exact scores`, () => {
    const d = dataset(kind, 7, 3, 16, 5, 'clustered');
    const b = build(d.column, d.n);
    const res = search(b, d.queries, 20);
    checkShape(res, b.metric, 3, 20, (row) => row >= 0 && row < 7, 'k > n');
    checkScores(res, b.metric, d.column, d.queries, tol, 'k > n');
    if (fills) for (let q = 0; q < 3; q++) assert.equal(res.counts[q], 7, `k > n: q${q}`);
  });

  test(`${name}: a batch of nq queries answers like nq single-query searches`, () => {
    const { d, b } = mainIndex();
    const nq = 12;
    const queries = headRows(d.queries, nq);
    const batch = search(b, queries, TOP_K);
    assert.equal(batch.nq, nq);
    for (let q = 0; q < nq; q++) {
      const one = search(b, headRows(rowsFrom(d.queries, q), 1), TOP_K);
      assert.deepEqual(Array.from(one.rows), Array.from(batch.rows.subarray(q * TOP_K, (q + 1) * TOP_K)), `q${q} rows`);
      assert.deepEqual(Array.from(one.scores), Array.from(batch.scores.subarray(q * TOP_K, (q + 1) * TOP_K)), `q${q} scores`);
    }
  });

  test(`${name}: range search keeps only hits inside the window and finds what exact search finds`, () => {
    const { d, b } = mainIndex();
    const asc = smallerIsBetter(b.metric);
    let recallSum = 0;
    const nq = 10;
    for (let q = 0; q < nq; q++) {
      const query = headRows(rowsFrom(d.queries, q), 1);
      const ref = exact(d, b.metric, query, 40);
      // Window: strictly worse than the 3rd best, up to the 30th best (exclusive), so ~27 rows qualify.
      const rangeFilter = ref.scores[2]!;
      const radius = ref.scores[29]!;
      if (rangeFilter === radius) continue;
      const range: RangeParams = { radius, rangeFilter };
      const res = search(b, query, TOP_K, null, range);
      const inWindow = (s: number): boolean => (asc ? rangeFilter <= s && s < radius : radius < s && s <= rangeFilter);
      checkShape(res, b.metric, 1, TOP_K, () => true, `range q${q}`);
      for (let i = 0; i < res.counts[0]!; i++) assert.ok(inWindow(res.scores[i]!), `range q${q}: score ${res.scores[i]} outside window`);
      const want = exact(d, b.metric, query, TOP_K, null, range);
      if (fills) assert.equal(res.counts[0], want.counts[0], `range q${q}: count`);
      recallSum += recallOf(res, want, b.metric, 0, { column: d.column, queries: query });
    }
    assert.ok(recallSum / nq >= desc.recallAt10, `range recall ${recallSum / nq} < declared ${desc.recallAt10}`);
  });

  test(`${name}: every supported kind and metric returns correct scores at the declared recall`, () => {
    let cases = 0;
    for (const [k, m] of KIND_METRICS) {
      if (!desc.vectorKinds.includes(k) || !desc.metrics.includes(m)) continue;
      cases++;
      const d = dataset(k, 400, 20, 16, 31, 'clustered');
      const b = build(d.column, d.n, m);
      assert.equal(b.metric, m);
      const res = search(b, d.queries, TOP_K);
      const what = `${k}/${m}`;
      checkShape(res, m, d.nq, TOP_K, (row) => row >= 0 && row < d.n, what);
      checkScores(res, m, d.column, d.queries, tol, what);
      if (fills) for (let q = 0; q < d.nq; q++) assert.equal(res.counts[q], TOP_K, `${what}: q${q}`);
      const recall = meanRecall(res, exact(d, m, d.queries, TOP_K), m, d);
      assert.ok(recall >= desc.recallAt10, `${what}: recall ${recall} < declared ${desc.recallAt10}`);
    }
    assert.ok(cases > 0, 'the descriptor supports at least one kind/metric pair');
  });

  test(`${name}: recall@10 against FLAT on clustered data >= declared ${desc.recallAt10}`, (t) => {
    const { d, b } = mainIndex();
    const recall = meanRecall(search(b, d.queries, TOP_K), exact(d, b.metric, d.queries, TOP_K), b.metric, d);
    t.diagnostic(`${name} clustered ${d.n}x${recallDim} ${b.metric} recall@10 = ${recall.toFixed(4)}`);
    assert.ok(recall >= desc.recallAt10, `recall ${recall} < declared ${desc.recallAt10}`);
  });

  test(`${name}: recall@10 against FLAT on uniform data >= declared ${desc.recallAt10}`, (t) => {
    // Uniform data is the expensive one to index; 3000 rows keep the suite fast and the test meaningful.
    const d = dataset(kind, Math.min(recallRows, 3000), 100, recallDim, 8, 'uniform');
    const b = build(d.column, d.n);
    const recall = meanRecall(search(b, d.queries, TOP_K), exact(d, b.metric, d.queries, TOP_K), b.metric, d);
    t.diagnostic(`${name} uniform ${d.n}x${recallDim} ${b.metric} recall@10 = ${recall.toFixed(4)}`);
    assert.ok(recall >= desc.recallAt10, `recall ${recall} < declared ${desc.recallAt10}`);
  });
}

function kindOf(c: Column): VectorKind {
  if (c.kind === 'floatVector' || c.kind === 'float16Vector' || c.kind === 'bfloat16Vector' || c.kind === 'int8Vector'
    || c.kind === 'binaryVector' || c.kind === 'sparseVector') return c.kind;
  throw new Error(`not a vector column: ${c.kind}`);
}

/** Column of the rows from `row` on (a view for fixed-width kinds). */
function rowsFrom(c: Column, row: number): Column {
  switch (c.kind) {
    case 'floatVector': case 'float16Vector': case 'bfloat16Vector': case 'int8Vector':
      return { ...c, data: c.data.subarray(row * c.dim) } as Column;
    case 'binaryVector': return { ...c, data: c.data.subarray((row * c.dim) / 8) };
    case 'sparseVector': return { ...c, data: c.data.slice(row) };
    default: throw new Error('not a vector column');
  }
}
