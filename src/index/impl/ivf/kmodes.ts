/**
 * Binary k-means ("k-majority"): centroids are bit vectors, points go to the nearest centroid by
 * HAMMING or JACCARD distance, and each centroid bit becomes the majority bit of its members (ties
 * -> 0). k-means++ seeding on the same distance, a fixed seed, bounded iterations; an empty cluster
 * takes the member of the largest cluster that is farthest from that cluster's centroid.
 */
import { hammingBytes, jaccardBytes } from '../../kernels/binary.js';

export interface KModesOptions {
  k: number;
  iterations: number;
  random: () => number;
  jaccard: boolean;
}

export function binaryDistance(jaccard: boolean, a: Uint8Array, aOff: number, b: Uint8Array, bOff: number, bytes: number): number {
  return jaccard ? jaccardBytes(a, aOff, b, bOff, bytes) : hammingBytes(a, aOff, b, bOff, bytes);
}

/** Nearest centroid of row `xOff` of `x`; ties -> smaller index. */
export function nearestBinaryCentroid(
  x: Uint8Array, xOff: number, centroids: Uint8Array, k: number, bytes: number, jaccard: boolean,
): number {
  let best = 0;
  let bestD = Infinity;
  for (let c = 0, off = 0; c < k; c++, off += bytes) {
    const d = binaryDistance(jaccard, x, xOff, centroids, off, bytes);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

function seedPlusPlus(x: Uint8Array, n: number, bytes: number, k: number, opts: KModesOptions): Uint8Array {
  const centroids = new Uint8Array(k * bytes);
  const minD = new Float64Array(n).fill(Infinity);
  let pick = Math.floor(opts.random() * n);
  for (let c = 0; c < k; c++) {
    centroids.set(x.subarray(pick * bytes, (pick + 1) * bytes), c * bytes);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const d = binaryDistance(opts.jaccard, x, i * bytes, centroids, c * bytes, bytes);
      const d2 = d * d;
      if (d2 < minD[i]!) minD[i] = d2;
      total += minD[i]!;
    }
    if (c + 1 === k) break;
    pick = Math.floor(opts.random() * n);
    if (total > 0) {
      let target = opts.random() * total;
      for (let i = 0; i < n; i++) {
        target -= minD[i]!;
        if (target < 0) {
          pick = i;
          break;
        }
      }
    }
  }
  return centroids;
}

/** Majority-bit centroids from assignments (members visited cluster by cluster via a counting sort). */
function updateCentroids(x: Uint8Array, n: number, bytes: number, assign: Int32Array, centroids: Uint8Array, k: number): Int32Array {
  const sizes = new Int32Array(k);
  for (let i = 0; i < n; i++) sizes[assign[i]!] = sizes[assign[i]!]! + 1;
  const start = new Int32Array(k + 1);
  for (let c = 0; c < k; c++) start[c + 1] = start[c]! + sizes[c]!;
  const cursor = start.slice(0, k);
  const members = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = assign[i]!;
    members[cursor[c]!] = i;
    cursor[c] = cursor[c]! + 1;
  }
  const ones = new Int32Array(bytes * 8);
  for (let c = 0; c < k; c++) {
    const size = sizes[c]!;
    if (size === 0) continue;
    ones.fill(0);
    for (let m = start[c]!; m < start[c + 1]!; m++) {
      const off = members[m]! * bytes;
      for (let b = 0; b < bytes; b++) {
        const v = x[off + b]!;
        if (v === 0) continue;
        for (let bit = 0; bit < 8; bit++) if ((v >> bit) & 1) ones[b * 8 + bit] = ones[b * 8 + bit]! + 1;
      }
    }
    for (let b = 0; b < bytes; b++) {
      let v = 0;
      for (let bit = 0; bit < 8; bit++) if (ones[b * 8 + bit]! * 2 > size) v |= 1 << bit;
      centroids[c * bytes + b] = v;
    }
  }
  return sizes;
}

function repairEmpty(x: Uint8Array, n: number, bytes: number, assign: Int32Array, centroids: Uint8Array, sizes: Int32Array, opts: KModesOptions): number {
  let repaired = 0;
  for (let c = 0; c < sizes.length; c++) {
    if (sizes[c] !== 0) continue;
    let big = 0;
    for (let j = 1; j < sizes.length; j++) if (sizes[j]! > sizes[big]!) big = j;
    if (sizes[big]! < 2) break;
    let far = -1;
    let farD = -1;
    for (let i = 0; i < n; i++) {
      if (assign[i] !== big) continue;
      const d = binaryDistance(opts.jaccard, x, i * bytes, centroids, big * bytes, bytes);
      if (d > farD) {
        farD = d;
        far = i;
      }
    }
    centroids.set(x.subarray(far * bytes, (far + 1) * bytes), c * bytes);
    assign[far] = c;
    sizes[c] = 1;
    sizes[big] = sizes[big]! - 1;
    repaired++;
  }
  return repaired;
}

/** Train k binary centroids (k <= n) on the n rows of `x` (`bytes` per row). */
export function trainKModes(x: Uint8Array, n: number, bytes: number, opts: KModesOptions): Uint8Array {
  const k = Math.min(opts.k, n);
  const centroids = seedPlusPlus(x, n, bytes, k, opts);
  const assign = new Int32Array(n).fill(-1);
  for (let it = 0; it < opts.iterations; it++) {
    let changed = 0;
    for (let i = 0; i < n; i++) {
      const c = nearestBinaryCentroid(x, i * bytes, centroids, k, bytes, opts.jaccard);
      if (assign[i] !== c) changed++;
      assign[i] = c;
    }
    if (changed === 0) break;
    const sizes = updateCentroids(x, n, bytes, assign, centroids, k);
    repairEmpty(x, n, bytes, assign, centroids, sizes, opts);
  }
  return centroids;
}
