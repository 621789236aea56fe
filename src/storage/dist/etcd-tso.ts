/**
 * Milvus's timestamp oracle on etcd (the `TimestampOracle` port): ts = physical ms << 18 | logical.
 *
 * The owner persists an upper bound `windowMs` ahead of its clock under `<prefix>/tso/<name>`, in a
 * transaction fenced by its lease; it hands out timestamps below that bound only, so `next()` stays
 * synchronous. A background renewal moves the bound forward when less than `renewBeforeMs` is left.
 * A new owner starts above the saved bound, so timestamps never go back across a failover, even when
 * the new owner's clock is behind. If the bound cannot be renewed in time (etcd down), the physical
 * part stops at the bound and the 2^18 logical values of the last millisecond are used; past them
 * `next()` throws a retriable error until the renewal lands. A lost lease stops the oracle.
 */
import type { Etcd3 } from 'etcd3';
import { errors } from '../../core/errors.js';
import type { TimestampOracle } from '../ports.js';
import { type EtcdLease, currentOwner } from './etcd-lease.js';

const LOGICAL_BITS = 18n;

export interface EtcdTsoOptions {
  prefix?: string;
  name: string;
  /** How far ahead of the clock the saved bound is (default 3000 ms, as Milvus). */
  windowMs?: number;
  /** Renew when less than this is left (default a third of the window). */
  renewBeforeMs?: number;
  /** The physical clock (tests inject a skewed one). */
  nowMs?: () => number;
}

export class EtcdTso implements TimestampOracle {
  private last: bigint;
  private boundMs: number;
  private renewing: Promise<void> | null = null;
  private failure: Error | null = null;
  private readonly timer: NodeJS.Timeout;
  private readonly key: string;
  private readonly windowMs: number;
  private readonly renewBeforeMs: number;
  private readonly nowMs: () => number;

  private constructor(private readonly client: Etcd3, private readonly lease: EtcdLease, opts: EtcdTsoOptions, savedMs: number) {
    this.key = `${opts.prefix ?? '/sextant'}/tso/${opts.name}`;
    this.windowMs = opts.windowMs ?? 3000;
    this.renewBeforeMs = opts.renewBeforeMs ?? Math.floor(this.windowMs / 3);
    this.nowMs = opts.nowMs ?? Date.now;
    // Every timestamp of earlier owners is below savedMs << 18.
    this.last = (BigInt(savedMs) << LOGICAL_BITS) - 1n;
    this.boundMs = savedMs;
    this.timer = setInterval(() => this.maybeRenew(), Math.max(20, Math.floor(this.renewBeforeMs / 2)));
    this.timer.unref();
    void lease.lost.then(() => this.stop(errors.leaseLost('timestamp allocation')));
  }

  /** Reads the saved bound and persists a new one above it before handing anything out. */
  static async open(client: Etcd3, lease: EtcdLease, opts: EtcdTsoOptions): Promise<EtcdTso> {
    const key = `${opts.prefix ?? '/sextant'}/tso/${opts.name}`;
    const res = await client.get(key).exec();
    const kv = res.kvs[0];
    const savedMs = kv === undefined ? 0 : Number(kv.value.toString('utf8'));
    if (!Number.isSafeInteger(savedMs) || savedMs < 0) throw errors.internal(`saved timestamp bound at ${key} is not a number`);
    const tso = new EtcdTso(client, lease, opts, savedMs);
    try {
      await tso.renew();
    } catch (e) {
      tso.close();
      throw e;
    }
    return tso;
  }

  get current(): bigint {
    return this.last;
  }

  next(): bigint {
    return this.reserve(1);
  }

  reserve(count: number): bigint {
    if (!Number.isSafeInteger(count) || count < 1) throw errors.invalidParameter('timestamp count', { actual: count });
    if (this.failure !== null) throw this.failure;
    if (!this.lease.held) {
      this.stop(errors.leaseLost('timestamp allocation'));
      throw errors.leaseLost('timestamp allocation');
    }
    const physical = Math.min(this.nowMs(), this.boundMs - 1);
    let first = BigInt(physical) << LOGICAL_BITS;
    if (first <= this.last) first = this.last + 1n;
    const end = first + BigInt(count) - 1n;
    if (end >> LOGICAL_BITS >= BigInt(this.boundMs)) {
      this.maybeRenew(true);
      throw errors.serviceNotReady(`timestamp window exhausted: saved bound ${this.boundMs} ms not yet renewed in etcd`);
    }
    this.last = end;
    this.maybeRenew();
    return first;
  }

  observe(ts: bigint): void {
    if (ts <= this.last) return;
    this.last = ts;
    this.maybeRenew(true);
  }

  close(): void {
    clearInterval(this.timer);
  }

  private stop(e: Error): void {
    if (this.failure === null) this.failure = e;
    clearInterval(this.timer);
  }

  private maybeRenew(force = false): void {
    if (this.renewing !== null || this.failure !== null) return;
    const lastMs = Number(this.last >> LOGICAL_BITS);
    const ahead = Math.max(this.nowMs(), lastMs);
    if (!force && this.boundMs - ahead > this.renewBeforeMs) return;
    // A lost lease ends the oracle (renew stops it); anything else is retried at the next tick.
    this.renewing = this.renew().catch(() => undefined).finally(() => { this.renewing = null; });
  }

  /** Persists bound = max(clock, last handed out, saved) + window, fenced by the lease. */
  private async renew(): Promise<void> {
    const lastMs = Number(this.last >> LOGICAL_BITS) + 1;
    const target = Math.max(this.nowMs(), lastMs, this.boundMs) + this.windowMs;
    const res = await this.client
      .if(this.lease.ownerKey, 'Create', '==', this.lease.token.toString())
      .then(this.client.put(this.key).value(String(target)))
      .commit();
    if (!res.succeeded) {
      const owner = await currentOwner(this.client, this.lease.ownerKey);
      const e = errors.leaseLost('timestamp bound', { token: this.lease.token, ownerToken: owner.token });
      this.stop(e);
      throw e;
    }
    if (target > this.boundMs) this.boundMs = target;
  }
}
