/**
 * Ownership of a named data set through an etcd lease (the `Lease` port).
 *
 * The owner key `<prefix>/owner/<name>` is created, only if absent, in one transaction and attached to
 * an etcd lease of `ttlSec`. The fencing token is the key's create revision: etcd's revision grows at
 * every change, so each change of hands yields a larger token. Commits compare that create revision
 * (see `fenceCompare`), so a stale owner is refused by etcd itself, whatever it believes.
 *
 * `lost` resolves, and `held` turns false, at the first of: the etcd client reports the lease lost
 * (keep-alive answered "expired", or no keep-alive for 2 TTLs); a TTL passed since the last keep-alive
 * that succeeded was *sent* (conservative: etcd expires it later than that, so a holder paused by
 * SIGSTOP sees `lost` on resumption before it can trust itself); the owner key was deleted or replaced.
 * A standby calls `campaign`, which polls until the key is free and then takes it.
 */
import type { Etcd3, Lease as EtcdClientLease, Watcher } from 'etcd3';
import { errors } from '../../core/errors.js';
import type { Lease } from '../ports.js';

export interface EtcdLeaseOptions {
  /** Key prefix of this deployment (default `/sextant`). */
  prefix?: string;
  /** etcd lease TTL in seconds (default 10, at least 1). */
  ttlSec?: number;
  /** How often a standby looks at the owner key (default 250 ms). */
  pollMs?: number;
  /** Who holds it (node id, endpoint): stored as the owner key's value, for standbys to name the owner. */
  holder?: string;
}

export class EtcdLease implements Lease {
  readonly lost: Promise<void>;
  private lostFlag = false;
  private resolveLost: () => void = () => undefined;
  private lastOkMs: number;
  /** Send times of keep-alives not answered yet; an answer is matched to the oldest. */
  private readonly firedMs: number[] = [];
  private readonly timer: NodeJS.Timeout;
  private watcher: Watcher | null = null;

  constructor(
    readonly client: Etcd3,
    readonly ownerKey: string,
    readonly token: bigint,
    private readonly etcdLease: EtcdClientLease,
    private readonly ttlSec: number,
    grantedAtMs: number,
  ) {
    this.lost = new Promise((resolve) => { this.resolveLost = resolve; });
    this.lastOkMs = grantedAtMs;
    etcdLease.on('keepaliveFired', () => { this.firedMs.push(Date.now()); });
    etcdLease.on('keepaliveSucceeded', () => {
      const sentMs = this.firedMs.shift();
      if (sentMs !== undefined && sentMs > this.lastOkMs) this.lastOkMs = sentMs;
    });
    etcdLease.on('keepaliveFailed', () => { this.firedMs.length = 0; });
    etcdLease.on('lost', () => this.markLost());
    this.timer = setInterval(() => this.checkExpiry(), Math.max(50, (ttlSec * 1000) / 8));
    this.timer.unref();
  }

  get held(): boolean {
    this.checkExpiry();
    return !this.lostFlag;
  }

  /** Watches the owner key so a deletion or takeover ends the lease at once. */
  async watchOwner(): Promise<void> {
    const w = await this.client.watch().key(this.ownerKey).create();
    this.watcher = w;
    w.on('delete', () => this.markLost());
    w.on('put', (kv) => {
      if (BigInt(kv.create_revision) !== this.token) this.markLost();
    });
    if (this.lostFlag) await w.cancel();
  }

  async release(): Promise<void> {
    const wasHeld = !this.lostFlag;
    this.markLost();
    if (wasHeld) {
      // Revoking deletes the owner key, so a standby takes over without waiting for the TTL.
      try { await this.etcdLease.revoke(); } catch { this.etcdLease.release(); }
    }
  }

  private checkExpiry(): void {
    if (!this.lostFlag && Date.now() - this.lastOkMs >= this.ttlSec * 1000) this.markLost();
  }

  private markLost(): void {
    if (this.lostFlag) return;
    this.lostFlag = true;
    clearInterval(this.timer);
    this.etcdLease.release();
    const w = this.watcher;
    this.watcher = null;
    if (w !== null) void w.cancel().catch(() => undefined);
    this.resolveLost();
  }
}

/** The two compares that make an etcd transaction a fenced commit of `lease`'s holder. */
export function fenceKey(lease: Lease): { ownerKey: string; token: bigint } {
  if (!(lease instanceof EtcdLease)) {
    throw errors.invalidParameter('lease', { expected: 'a lease taken through etcd (EtcdLeaseProvider)' });
  }
  return { ownerKey: lease.ownerKey, token: lease.token };
}

/** The owner key's current create revision (0n when nobody holds it) and holder. */
export async function currentOwner(client: Etcd3, ownerKey: string): Promise<{ token: bigint; holder: string }> {
  const res = await client.get(ownerKey).exec();
  const kv = res.kvs[0];
  if (kv === undefined) return { token: 0n, holder: '' };
  return { token: BigInt(kv.create_revision), holder: kv.value.toString('utf8') };
}

export class EtcdLeaseProvider {
  private readonly prefix: string;
  private readonly ttlSec: number;
  private readonly pollMs: number;
  private readonly holder: string;

  constructor(private readonly client: Etcd3, opts: EtcdLeaseOptions = {}) {
    this.prefix = opts.prefix ?? '/sextant';
    this.ttlSec = Math.max(1, Math.round(opts.ttlSec ?? 10));
    this.pollMs = opts.pollMs ?? 250;
    this.holder = opts.holder ?? `pid-${process.pid}`;
  }

  ownerKey(name: string): string {
    return `${this.prefix}/owner/${name}`;
  }

  /** Who holds `name` now ({token: 0n} when free). */
  owner(name: string): Promise<{ token: bigint; holder: string }> {
    return currentOwner(this.client, this.ownerKey(name));
  }

  /** Takes `name` if nobody holds it; null otherwise. */
  async tryAcquire(name: string): Promise<EtcdLease | null> {
    const key = this.ownerKey(name);
    if ((await this.owner(name)).token !== 0n) return null;
    const etcdLease = this.client.lease(this.ttlSec);
    const grantedAtMs = Date.now();
    await etcdLease.grant();
    const res = await this.client.if(key, 'Create', '==', 0)
      .then(etcdLease.put(key).value(this.holder))
      .commit();
    if (!res.succeeded) {
      await etcdLease.revoke().catch(() => undefined);
      return null;
    }
    const lease = new EtcdLease(this.client, key, BigInt(res.header.revision), etcdLease, this.ttlSec, grantedAtMs);
    await lease.watchOwner();
    return lease;
  }

  /** Waits (a standby) until `name` is free and takes it; `signal` or `timeoutMs` end the wait. */
  async campaign(name: string, opts: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<EtcdLease> {
    const deadline = opts.timeoutMs === undefined ? Infinity : Date.now() + opts.timeoutMs;
    for (;;) {
      const lease = await this.tryAcquire(name);
      if (lease !== null) return lease;
      if (opts.signal?.aborted === true || Date.now() > deadline) {
        const owner = await this.owner(name);
        throw errors.serviceNotReady(`data set ${name} is held by ${owner.holder || 'another process'}`);
      }
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
  }
}
