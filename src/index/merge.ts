/**
 * Merge per-segment best-first results into one global best-first top-k per query (the reduce step
 * of a search over several segments). Ties on score go to the smaller segmentIndex, then the smaller
 * row, so the merge is deterministic. Primary-key de-duplication is the caller's job.
 */
import type { MetricType } from '../core/enums.js';
import { smallerIsBetter } from '../core/enums.js';
import { assert } from '../core/assert.js';
import type { ExactSearchResult } from './types.js';

export interface MergePart {
  result: ExactSearchResult;
  /** The caller's segment number, echoed in `MergedTopK.segment` to map rows back to ids. */
  segmentIndex: number;
}

export interface MergedTopK {
  nq: number;
  topK: number;
  /** nq * topK segment numbers of the hits; -1 = no hit. */
  segment: Int32Array;
  /** nq * topK row offsets within that segment; -1 = no hit. */
  rows: Int32Array;
  scores: Float32Array;
  counts: Int32Array;
}

/** True when hit a (score, segment, row) ranks before hit b. */
function before(desc: boolean, sa: number, ga: number, ra: number, sb: number, gb: number, rb: number): boolean {
  if (sa !== sb) return desc ? sa > sb : sa < sb;
  if (ga !== gb) return ga < gb;
  return ra < rb;
}

export function mergeTopK(parts: readonly MergePart[], metric: MetricType, topK: number, nq = parts[0]?.result.nq ?? 0): MergedTopK {
  for (const p of parts) assert(p.result.nq === nq, 'every part answers the same nq');
  const desc = !smallerIsBetter(metric);
  const segment = new Int32Array(nq * topK).fill(-1);
  const rows = new Int32Array(nq * topK).fill(-1);
  const scores = new Float32Array(nq * topK).fill(desc ? -Infinity : Infinity);
  const counts = new Int32Array(nq);
  const cursors = new Int32Array(parts.length);
  for (let q = 0; q < nq; q++) {
    cursors.fill(0);
    let n = 0;
    for (; n < topK; n++) {
      let best = -1, bs = 0, bg = 0, br = 0;
      for (let p = 0; p < parts.length; p++) {
        const part = parts[p]!;
        const res = part.result;
        const c = cursors[p]!;
        if (c >= res.counts[q]!) continue;
        const at = q * res.topK + c;
        const s = res.scores[at]!, r = res.rows[at]!;
        if (best < 0 || before(desc, s, part.segmentIndex, r, bs, bg, br)) {
          best = p; bs = s; bg = part.segmentIndex; br = r;
        }
      }
      if (best < 0) break;
      cursors[best] = cursors[best]! + 1;
      const out = q * topK + n;
      segment[out] = bg;
      rows[out] = br;
      scores[out] = bs;
    }
    counts[q] = n;
  }
  return { nq, topK, segment, rows, scores, counts };
}
