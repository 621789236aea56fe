/**
 * The hybrid timestamp oracle: Milvus' TSO layout, physical milliseconds << 18 | logical counter.
 * One clock per engine orders every write; auto IDs come from the same clock, so they are unique and
 * monotonic across restarts (the clock starts above every timestamp found on disk).
 */
const LOGICAL_BITS = 18n;
const LOGICAL_MASK = (1n << LOGICAL_BITS) - 1n;

export class HybridClock {
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

export function physicalMs(ts: bigint): number {
  return Number(ts >> LOGICAL_BITS);
}

export function composeTs(ms: number, logical = 0): bigint {
  return (BigInt(ms) << LOGICAL_BITS) | (BigInt(logical) & LOGICAL_MASK);
}
