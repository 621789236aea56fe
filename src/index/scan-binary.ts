/** Exact scan of binary vector columns (HAMMING, JACCARD). */
import type { Column } from '../schema/column.js';
import type { MetricType } from '../core/enums.js';
import { hammingBytes, hammingWords, jaccardBytes, jaccardWords } from './kernels/binary.js';
import type { ScanContext } from './scan-window.js';

type BinaryColumn = Extract<Column, { kind: 'binaryVector' }>;

export function scanBinary(
  column: BinaryColumn, queries: Uint8Array, metric: MetricType, numRows: number, ctx: ScanContext,
): void {
  const rowBytes = column.dim / 8;
  const nq = queries.length / rowBytes;
  const jaccard = metric === 'JACCARD';
  const data = column.data;
  if (rowBytes % 4 === 0 && data.byteOffset % 4 === 0) {
    const words = new Uint32Array(data.buffer, data.byteOffset, (numRows * rowBytes) / 4);
    const qCopy = new Uint8Array(queries); // fresh buffer, so 4-byte aligned
    const qWords = new Uint32Array(qCopy.buffer, 0, qCopy.length / 4);
    for (let q = 0; q < nq; q++) scanWords(jaccard, qWords, q, words, rowBytes / 4, numRows, ctx);
    return;
  }
  for (let q = 0; q < nq; q++) scanBytes(jaccard, queries, q, data, rowBytes, numRows, ctx);
}

function scanWords(
  jaccard: boolean, queries: Uint32Array, q: number, data: Uint32Array, rowWords: number, numRows: number, ctx: ScanContext,
): void {
  const { heaps, filter, valid, window } = ctx;
  const qOff = q * rowWords;
  let thr = heaps.threshold(q);
  for (let row = 0, off = 0; row < numRows; row++, off += rowWords) {
    if (filter !== null && filter[row] === 0) continue;
    if (valid !== null && valid[row] === 0) continue;
    const key = jaccard
      ? Math.fround(jaccardWords(queries, qOff, data, off, rowWords))
      : hammingWords(queries, qOff, data, off, rowWords);
    if (window !== null && (key < window.lo || key >= window.hi)) continue;
    if (key <= thr) {
      heaps.push(q, key, row);
      thr = heaps.threshold(q);
    }
  }
}

function scanBytes(
  jaccard: boolean, queries: Uint8Array, q: number, data: Uint8Array, rowBytes: number, numRows: number, ctx: ScanContext,
): void {
  const { heaps, filter, valid, window } = ctx;
  const qOff = q * rowBytes;
  let thr = heaps.threshold(q);
  for (let row = 0, off = 0; row < numRows; row++, off += rowBytes) {
    if (filter !== null && filter[row] === 0) continue;
    if (valid !== null && valid[row] === 0) continue;
    const key = jaccard
      ? Math.fround(jaccardBytes(queries, qOff, data, off, rowBytes))
      : hammingBytes(queries, qOff, data, off, rowBytes);
    if (window !== null && (key < window.lo || key >= window.hi)) continue;
    if (key <= thr) {
      heaps.push(q, key, row);
      thr = heaps.threshold(q);
    }
  }
}
