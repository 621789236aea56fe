/**
 * Bench data sets: a seeded Gaussian mixture, Fashion-MNIST from Debian's `dataset-fashion-mnist`
 * package (when installed), or `.fvecs` / `.fbin` files. Every data set carries its exact top-10
 * ground truth under L2, computed with `searchExact` (the same oracle the index tests use).
 *
 * Base vectors live in a SharedArrayBuffer so worker threads can search them without a copy.
 */
import { seededRandom } from '../src/core/random.js';
export { seededRandom };
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { Column } from '../src/schema/column.js';
import { searchExact } from '../src/index/flat.js';
import { errors } from '../src/core/errors.js';

export const GT_K = 10;

export interface Dataset {
  name: string;
  dim: number;
  n: number;
  nq: number;
  /** n * dim, backed by a SharedArrayBuffer. */
  base: Float32Array;
  /** nq * dim. */
  queries: Float32Array;
  /** nq * GT_K exact nearest rows (L2), best first. */
  groundTruth: Int32Array;
}

function gaussian(r: () => number): number {
  const u = 1 - r();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}

function sharedF32(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(length * 4));
}

export function floatColumn(data: Float32Array, dim: number): Column {
  return { kind: 'floatVector', dim, data, valid: null };
}

/** Exact top-k rows (L2) of every query, in blocks so progress is steady and memory flat. */
export function exactGroundTruth(base: Float32Array, dim: number, queries: Float32Array, k = GT_K, filter: Uint8Array | null = null): Int32Array {
  const n = base.length / dim;
  const nq = queries.length / dim;
  const out = new Int32Array(nq * k).fill(-1);
  const column = floatColumn(base, dim);
  const block = 64;
  for (let q0 = 0; q0 < nq; q0 += block) {
    const q1 = Math.min(nq, q0 + block);
    const res = searchExact({
      metric: 'L2', column, numRows: n, topK: k, filter,
      queries: floatColumn(queries.subarray(q0 * dim, q1 * dim), dim),
    });
    out.set(res.rows, q0 * k);
  }
  return out;
}

export interface SyntheticSpec { n: number; dim: number; nq: number; seed: number; clusters?: number; sigma?: number }

/** Rows and queries from one mixture of `clusters` Gaussians (centres uniform in [-1, 1]^dim). */
export function synthetic(spec: SyntheticSpec): Dataset {
  const { n, dim, nq, seed } = spec;
  const clusters = spec.clusters ?? 100;
  const sigma = spec.sigma ?? 0.35;
  const r = seededRandom(seed);
  const centres = new Float32Array(clusters * dim);
  for (let i = 0; i < centres.length; i++) centres[i] = r() * 2 - 1;
  const draw = (out: Float32Array, rows: number): Float32Array => {
    for (let row = 0; row < rows; row++) {
      const c = Math.floor(r() * clusters);
      for (let j = 0; j < dim; j++) out[row * dim + j] = centres[c * dim + j]! + sigma * gaussian(r);
    }
    return out;
  };
  const base = draw(sharedF32(n * dim), n);
  const queries = draw(new Float32Array(nq * dim), nq);
  return withGroundTruth(`synthetic-${n}x${dim}`, dim, base, queries);
}

function withGroundTruth(name: string, dim: number, base: Float32Array, queries: Float32Array): Dataset {
  const n = base.length / dim;
  const nq = queries.length / dim;
  if (n < GT_K) throw errors.invalidParameter(`bench data set needs at least ${GT_K} rows`, { actual: n });
  return { name, dim, n, nq, base, queries, groundTruth: exactGroundTruth(base, dim, queries) };
}

// ---------- Fashion-MNIST (IDX files, gzip) ----------

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
const FASHION_TRAIN = 'train-images-idx3-ubyte.gz';
const FASHION_TEST = 't10k-images-idx3-ubyte.gz';

export function fashionMnistInstalled(dir = FASHION_MNIST_DIR): boolean {
  return existsSync(`${dir}/${FASHION_TRAIN}`) && existsSync(`${dir}/${FASHION_TEST}`);
}

/** An IDX3 image file (magic 0x00000803, big-endian counts, then uint8 pixels) as float32 rows. */
export function readIdxImages(bytes: Uint8Array, maxRows: number, shared: boolean): { dim: number; data: Float32Array } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 16 || view.getUint32(0) !== 0x803) {
    throw errors.invalidParameter('not an IDX3 image file', { expected: 'magic 0x00000803' });
  }
  const count = view.getUint32(4);
  const dim = view.getUint32(8) * view.getUint32(12);
  const rows = Math.min(count, maxRows);
  if (bytes.length < 16 + count * dim) throw errors.invalidParameter('IDX3 file is truncated', { expected: 16 + count * dim, actual: bytes.length });
  const data = shared ? sharedF32(rows * dim) : new Float32Array(rows * dim);
  for (let i = 0; i < data.length; i++) data[i] = bytes[16 + i]!;
  return { dim, data };
}

/** Train images (60k x 784, raw 0..255 pixels) as base, the first `nq` test images as queries. */
export function fashionMnist(nq: number, maxRows = Infinity, dir = FASHION_MNIST_DIR): Dataset {
  const train = readIdxImages(gunzipSync(readFileSync(`${dir}/${FASHION_TRAIN}`)), maxRows, true);
  const test = readIdxImages(gunzipSync(readFileSync(`${dir}/${FASHION_TEST}`)), nq, false);
  return withGroundTruth(`fashion-mnist-${train.data.length / train.dim}x${train.dim}`, train.dim, train.data, test.data);
}

// ---------- .fvecs / .fbin ----------

/** `.fvecs`: per row an int32 dim then dim float32 (little-endian). `.fbin`: int32 n, int32 dim, then n*dim float32. */
export function readVectors(path: string, maxRows: number, shared: boolean): { dim: number; data: Float32Array } {
  const bytes = readFileSync(path);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 8) throw errors.invalidParameter(`vector file ${path} is too short`, { actual: bytes.length });
  if (path.endsWith('.fbin')) {
    const count = view.getInt32(0, true), dim = view.getInt32(4, true);
    if (dim <= 0 || count < 0 || bytes.length < 8 + count * dim * 4) throw errors.invalidParameter(`malformed .fbin header in ${path}`, { n: count, dim });
    const rows = Math.min(count, maxRows);
    const data = shared ? sharedF32(rows * dim) : new Float32Array(rows * dim);
    for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(8 + i * 4, true);
    return { dim, data };
  }
  if (!path.endsWith('.fvecs')) throw errors.invalidParameter(`unknown vector file type ${path}`, { expected: '.fvecs or .fbin' });
  const dim = view.getInt32(0, true);
  const rowBytes = 4 + dim * 4;
  if (dim <= 0 || bytes.length % rowBytes !== 0) throw errors.invalidParameter(`malformed .fvecs file ${path}`, { dim, actual: bytes.length });
  const rows = Math.min(bytes.length / rowBytes, maxRows);
  const data = shared ? sharedF32(rows * dim) : new Float32Array(rows * dim);
  for (let row = 0; row < rows; row++) {
    if (view.getInt32(row * rowBytes, true) !== dim) throw errors.invalidParameter(`row ${row} of ${path} has another dim`, { expected: dim });
    for (let j = 0; j < dim; j++) data[row * dim + j] = view.getFloat32(row * rowBytes + 4 + j * 4, true);
  }
  return { dim, data };
}

/** Base vectors from `basePath` (first `maxRows`), queries from `queryPath` (first `maxQueries`). */
export function vectorFiles(basePath: string, queryPath: string, maxRows: number, maxQueries: number): Dataset {
  const base = readVectors(basePath, maxRows, true);
  const queries = readVectors(queryPath, maxQueries, false);
  if (queries.dim !== base.dim) throw errors.invalidParameter('query dim differs from base dim', { expected: base.dim, actual: queries.dim });
  const file = basePath.split('/').pop() ?? basePath;
  return withGroundTruth(`${file}-${base.data.length / base.dim}x${base.dim}`, base.dim, base.data, queries.data);
}
