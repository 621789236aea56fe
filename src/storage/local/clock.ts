/**
 * The hybrid timestamp oracle: Milvus' TSO layout, physical milliseconds << 18 | logical counter.
 * One clock per engine orders every write; auto IDs come from the same clock, so they are unique and
 * monotonic across restarts (the engine makes it observe the highest timestamp found on disk).
 */
import type { TimestampOracle } from '../ports.js';

export const LOGICAL_BITS = 18n;

export class HybridClock implements TimestampOracle {
  private last: bigint;

  constructor(floor: bigint = 0n) {
    this.last = floor;
  }

  /** A fresh timestamp strictly greater than every one handed out or observed. */
  next(): bigint {
    const physical = BigInt(Date.now()) << LOGICAL_BITS;
    this.last = physical > this.last ? physical : this.last + 1n;
    return this.last;
  }

  /** `count` consecutive timestamps; returns the first. */
  reserve(count: number): bigint {
    const first = this.next();
    this.last = first + BigInt(Math.max(0, count - 1));
    return first;
  }

  observe(ts: bigint): void {
    if (ts > this.last) this.last = ts;
  }

  get current(): bigint {
    return this.last;
  }
}
