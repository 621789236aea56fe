/**
 * Timestamps in Milvus' TSO layout, physical milliseconds << 18 | logical counter. The oracle that
 * hands them out is a storage port (storage/ports.ts TimestampOracle; the local one is
 * storage/local/clock.ts HybridClock); these helpers read and make them.
 */
import { LOGICAL_BITS } from '../storage/local/clock.js';

const LOGICAL_MASK = (1n << LOGICAL_BITS) - 1n;

export function physicalMs(ts: bigint): number {
  return Number(ts >> LOGICAL_BITS);
}

export function composeTs(ms: number, logical = 0): bigint {
  return (BigInt(ms) << LOGICAL_BITS) | (BigInt(logical) & LOGICAL_MASK);
}
