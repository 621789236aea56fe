/**
 * DISKANN's PQ codes for every present row, in wasm on the build's threads: rows are copied block by
 * block into a wasm memory of the encoder's own, and the k-means kernel (asm/kmeans.ts) writes each
 * row's m codes straight into a code block (one job per block, every chunk of a row on the thread that
 * took it). Keys are the kernel's float32 dot-product form, so a code can differ from `encodeRow`'s
 * (exact float64) only between code words whose distances differ by float32 rounding. Without the
 * kernels `encodeRow` runs row by row.
 */
import { WasmArena } from '../../wasm/arena.js';
import { writePanels } from '../ivf/assign.js';
import { threadsFor } from '../ivf/kmeans.js';
import { KMeansThreads } from '../ivf/kmeans-threads.js';
import { encodeRow, PQ_CODE_WORDS, type ChunkedPq } from './pq.js';

/** Bytes of rows copied into wasm memory per job. */
const BLOCK_BYTES = 16 << 20;

/** codes[r * m ..] = the PQ codes of row r of the n x dim `x`, for every r in `rows`. */
export function encodePqRows(pq: ChunkedPq, x: Float32Array, rows: Int32Array, codes: Uint8Array, threads = 1): void {
  const { dim, m } = pq;
  const blockRows = Math.max(4, Math.min(rows.length, Math.floor(BLOCK_BYTES / (4 * dim))));
  const bytes = blockRows * (dim * 4 + m) + (m + 1) * 4 + PQ_CODE_WORDS * (dim + m) * 4 + 4096;
  const done = rows.length > 0 && WasmArena.owned(bytes, (a) => {
    const t = KMeansThreads.start(a, threadsFor(rows.length * PQ_CODE_WORDS * dim, threads));
    if (t === null) return false;
    try {
      encodeBlocks(a, t, pq, x, rows, codes, blockRows);
    } finally {
      t.close();
    }
    return true;
  }) === true;
  if (!done) for (const r of rows) encodeRow(pq, x, r, codes);
}

function encodeBlocks(a: WasmArena, t: KMeansThreads, pq: ChunkedPq, x: Float32Array, rows: Int32Array, codes: Uint8Array, blockRows: number): void {
  const { dim, m, offsets, centroids } = pq;
  const block = a.alloc(blockRows * dim * 4), out = a.alloc(blockRows * m), offs = a.alloc((m + 1) * 4);
  const panels = a.alloc(PQ_CODE_WORDS * dim * 4), norms = a.alloc(PQ_CODE_WORDS * m * 4);
  const f32 = a.f32, u8 = a.u8;
  a.i32.set(offsets, offs >>> 2);
  for (let j = 0; j < m; j++) {
    const lo = offsets[j]!, w = offsets[j + 1]! - lo;
    writePanels(f32, (panels >>> 2) + PQ_CODE_WORDS * lo, (norms >>> 2) + PQ_CODE_WORDS * j, centroids, PQ_CODE_WORDS * lo, w, PQ_CODE_WORDS, w, false);
  }
  for (let from = 0; from < rows.length; from += blockRows) {
    const n = Math.min(blockRows, rows.length - from);
    for (let i = 0; i < n; i++) {
      const r = rows[from + i]!;
      f32.set(x.subarray(r * dim, (r + 1) * dim), (block >>> 2) + i * dim);
    }
    t.run({ x: block, n, stride: dim, m, offsets: offs, panels, norms, k: PQ_CODE_WORDS, scale: 2, out, outBytes: 1 });
    for (let i = 0; i < n; i++) {
      const r = rows[from + i]!;
      codes.set(u8.subarray(out + i * m, out + (i + 1) * m), r * m);
    }
  }
}
