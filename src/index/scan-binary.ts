/** Exact scan of binary vector columns (HAMMING, JACCARD), in distance blocks like the dense scan. */
import type { Column } from '../schema/column.js';
import type { MetricType } from '../core/enums.js';
import { hammingBytes, hammingWords, jaccardBytes, jaccardWords } from './kernels/binary.js';
import { DIST_BLOCK_ROWS, offerBlock, rowSelected, type ScanContext } from './scan-window.js';

type BinaryColumn = Extract<Column, { kind: 'binaryVector' }>;

export function scanBinary(
  column: BinaryColumn, queries: Uint8Array, metric: MetricType, numRows: number, ctx: ScanContext,
): void {
  const rowBytes = column.dim / 8;
  const nq = queries.length / rowBytes;
  const jaccard = metric === 'JACCARD';
  const data = column.data;
  const dists = new Float32Array(DIST_BLOCK_ROWS);
  const useWords = rowBytes % 4 === 0 && data.byteOffset % 4 === 0;
  const words = useWords ? new Uint32Array(data.buffer, data.byteOffset, (numRows * rowBytes) / 4) : null;
  const qWords = useWords ? new Uint32Array(new Uint8Array(queries).buffer) : null; // a fresh copy is aligned
  for (let start = 0; start < numRows; start += DIST_BLOCK_ROWS) {
    const end = Math.min(numRows, start + DIST_BLOCK_ROWS);
    for (let q = 0; q < nq; q++) {
      if (words !== null && qWords !== null) distWords(jaccard, qWords, q * (rowBytes / 4), words, rowBytes / 4, start, end, ctx, dists);
      else distBytes(jaccard, queries, q * rowBytes, data, rowBytes, start, end, ctx, dists);
      offerBlock(ctx, q, dists, start, end);
    }
  }
}

function distWords(
  jaccard: boolean, a: Uint32Array, aOff: number, b: Uint32Array, rowWords: number, start: number, end: number,
  ctx: ScanContext, out: Float32Array,
): void {
  for (let row = start, off = start * rowWords, i = 0; row < end; row++, off += rowWords, i++) {
    if (!rowSelected(ctx, row)) out[i] = NaN;
    else out[i] = jaccard ? jaccardWords(a, aOff, b, off, rowWords) : hammingWords(a, aOff, b, off, rowWords);
  }
}

function distBytes(
  jaccard: boolean, a: Uint8Array, aOff: number, b: Uint8Array, rowBytes: number, start: number, end: number,
  ctx: ScanContext, out: Float32Array,
): void {
  for (let row = start, off = start * rowBytes, i = 0; row < end; row++, off += rowBytes, i++) {
    if (!rowSelected(ctx, row)) out[i] = NaN;
    else out[i] = jaccard ? jaccardBytes(a, aOff, b, off, rowBytes) : hammingBytes(a, aOff, b, off, rowBytes);
  }
}
