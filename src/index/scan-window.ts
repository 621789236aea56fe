import type { Bitset } from '../schema/column.js';
import type { TopKHeaps } from './topk.js';

/** Range-search bounds on badness keys: keep lo <= key < hi. */
export interface ScanWindow {
  lo: number;
  hi: number;
}

/** What every scan loop needs besides the vectors. */
export interface ScanContext {
  heaps: TopKHeaps;
  /** Non-zero = row may be returned. */
  filter: Bitset | null;
  /** The column's validity bytes (0 = NULL vector, never returned). */
  valid: Uint8Array | null;
  window: ScanWindow | null;
}
