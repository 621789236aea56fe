/**
 * The client-side model of the kill -9 soak: for each primary key, the last acknowledged version
 * (null = deleted) and the versions of writes that were in flight when the server died (either
 * outcome allowed). Vectors are derived from (pk, version), so a row's value can be checked from
 * its vector as well as its `ver` field.
 */
import { seededRandom } from '../../src/core/random.js';

/** A row's version; null means absent (deleted, or never acknowledged). */
export type Version = number | null;

interface PkState {
  acked: Version;
  /** Outcomes of writes sent but never acknowledged (the server died first, or answered an error). */
  pending: Version[];
  /** The next version a write of this pk will use (never reused, so outcomes stay distinguishable). */
  nextVer: number;
}

export const DIM = 8;

/** The vector of version `ver` of row `pk` (float32 values, so they round-trip exactly). */
export function vectorOf(pk: number, ver: number): number[] {
  const rand = seededRandom(((pk * 7919) ^ (ver * 104_729)) >>> 0);
  const v: number[] = [];
  for (let d = 0; d < DIM; d++) v.push(Math.fround(rand() * 2 - 1));
  return v;
}

export function l2Squared(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    s += d * d;
  }
  return s;
}

export class PkModel {
  private readonly rows = new Map<number, PkState>();

  private state(pk: number): PkState {
    let s = this.rows.get(pk);
    if (!s) this.rows.set(pk, (s = { acked: null, pending: [], nextVer: 1 }));
    return s;
  }

  /** A write of `pk` is about to be sent: its outcome becomes possible. Returns the version written (null for delete). */
  begin(pk: number, del: boolean): Version {
    const s = this.state(pk);
    const v = del ? null : s.nextVer++;
    s.pending.push(v);
    return v;
  }

  ack(pk: number, v: Version): void {
    const s = this.state(pk);
    s.acked = v;
    s.pending = [];
  }

  acked(pk: number): Version {
    return this.rows.get(pk)?.acked ?? null;
  }

  /** True when some write of pk is unacknowledged (so an insert of it could duplicate it). */
  uncertain(pk: number): boolean {
    return (this.rows.get(pk)?.pending.length ?? 0) > 0;
  }

  known(pk: number): boolean {
    return this.rows.has(pk);
  }

  /** The outcomes allowed for pk now. */
  allowed(pk: number): Version[] {
    const s = this.rows.get(pk);
    return s ? [s.acked, ...s.pending] : [null];
  }

  /** After a restart, what the server holds is durable: it becomes the acknowledged state. */
  settle(pk: number, observed: Version): void {
    const s = this.state(pk);
    s.acked = observed;
    s.pending = [];
  }

  pks(): IterableIterator<number> {
    return this.rows.keys();
  }

  get size(): number {
    return this.rows.size;
  }
}
