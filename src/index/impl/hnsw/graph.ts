/**
 * HNSW graph storage: flat typed arrays, no per-node objects.
 *
 * - `levels[row]`: the top layer of each row (0 for rows not in the graph: NULL vectors).
 * - layer 0: `layer0[row * stride0]` is the neighbour count, followed by up to `maxM0 = 2M` row ids.
 * - layers >= 1: one array `upper` of fixed-stride blocks (`strideU = M + 1`: count, then up to M
 *   ids). Row `r`'s block for layer `l >= 1` is block `upperBase[r] + l - 1` (hnswlib's layout:
 *   a row's upper lists are contiguous, rows in id order).
 */
import type { MemoryTally } from '../../memory.js';
import { seededRandom } from '../../../core/random.js';
import { assert } from '../../../core/assert.js';

/** Levels are capped here (a level above ~10 has probability M^-10; the cap keeps Uint8 safe). */
export const MAX_LEVEL = 31;

/** Zeroed int32 storage of a given length, or null for a plain JS array. */
export type LinkStorage = (length: number) => Int32Array | null;

export class HnswGraph {
  readonly numRows: number;
  readonly M: number;
  readonly maxM0: number;
  readonly stride0: number;
  readonly strideU: number;
  readonly levels: Uint8Array;
  readonly layer0: Int32Array;
  readonly upperBase: Int32Array;
  readonly upper: Int32Array;
  entryPoint = -1;
  maxLevel = 0;

  /**
   * Empty adjacency for rows with the given levels (filled by the builder or the codec). `storage`
   * optionally supplies zeroed int32 arrays for layer 0, `upperBase` and `upper` (e.g. wasm memory,
   * for the native search); where it gives null, a JS array is used.
   */
  constructor(numRows: number, M: number, levels: Uint8Array, storage?: LinkStorage) {
    assert(levels.length === numRows, 'one level per row');
    this.numRows = numRows;
    this.M = M;
    this.maxM0 = 2 * M;
    this.stride0 = this.maxM0 + 1;
    this.strideU = M + 1;
    this.levels = levels;
    const len0 = numRows * this.stride0;
    this.layer0 = storage?.(len0) ?? new Int32Array(len0);
    assert(this.layer0.length === len0, 'layer-0 storage fits');
    this.upperBase = storage?.(numRows) ?? new Int32Array(numRows);
    let blocks = 0;
    for (let r = 0; r < numRows; r++) {
      this.upperBase[r] = blocks;
      blocks += levels[r]!;
    }
    this.upper = storage?.(blocks * this.strideU) ?? new Int32Array(blocks * this.strideU);
  }

  /** The adjacency (a view of wasm memory is counted with its memory, by the space). */
  countMemory(t: MemoryTally): void {
    t.array(this.levels).array(this.layer0).array(this.upperBase).array(this.upper);
  }

  /** The same graph with its links copied into arrays from `storage`. */
  relocate(storage: LinkStorage): HnswGraph {
    const g = new HnswGraph(this.numRows, this.M, this.levels, storage);
    g.layer0.set(this.layer0);
    g.upper.set(this.upper);
    g.entryPoint = this.entryPoint;
    g.maxLevel = this.maxLevel;
    return g;
  }

  /** Total number of upper-layer blocks (the sum of all levels). */
  get upperBlocks(): number {
    return this.upper.length / this.strideU;
  }

  /** The neighbour-list array for `level` (layer0 or upper). */
  listArray(level: number): Int32Array {
    return level === 0 ? this.layer0 : this.upper;
  }

  /** Offset of `row`'s list at `level` in `listArray(level)` (the count slot). */
  listOffset(level: number, row: number): number {
    return level === 0 ? row * this.stride0 : (this.upperBase[row]! + level - 1) * this.strideU;
  }

  /** Capacity of a list at `level`. */
  maxLinks(level: number): number {
    return level === 0 ? this.maxM0 : this.M;
  }
}


/**
 * The layer of every row, drawn as floor(-ln(U) / ln(M)) from a seeded generator (the same seed
 * and row count always give the same levels). Rows with `present[row] === 0` get level 0 and are
 * never inserted, but still consume a draw so levels do not depend on which rows are NULL.
 */
export function assignLevels(numRows: number, M: number, seed: number, present: Uint8Array | null): Uint8Array {
  const rand = seededRandom(seed);
  const mult = 1 / Math.log(Math.max(2, M));
  const levels = new Uint8Array(numRows);
  for (let r = 0; r < numRows; r++) {
    const u = 1 - rand(); // (0, 1]
    const level = Math.min(MAX_LEVEL, Math.floor(-Math.log(u) * mult));
    levels[r] = present !== null && present[r] === 0 ? 0 : level;
  }
  return levels;
}
