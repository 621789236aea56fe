/**
 * What keeps a query node's engine current (issue #14). One loop, every `stepMs` or at once when a
 * read waits for it (the placement is read every `placementMs`):
 * 1. If the catalog's version in etcd moved (a flush, an index, DDL, a load), apply the new catalog
 *    to the running engine (engine/follow-catalog.ts): only what changed is read from S3 and the
 *    log, what went away is freed a little later (reads running on it finish); never two engines.
 * 2. Apply the log records written since the last step (idempotent per partition by LSN).
 * 3. If the catalog did not move meanwhile, everything acknowledged before the step began is applied:
 *    `safeTs` (a TSO timestamp of the step's start) says so. A read waits until `safeTs` reaches the
 *    timestamp its consistency level requires (consistency.ts).
 * 4. Load or release replicas as the placement (rendezvous over the live query nodes of each
 *    replica's resource group) says, and report
 *    the bytes loaded to etcd.
 * Steps never overlap; a failed step is retried at the next one (the reason is kept for the log).
 */
import { errors } from '../core/errors.js';
import { Mutex } from '../engine/mutex.js';
import type { CollectionRuntime } from '../engine/collection.js';
import { followCatalog, type FollowReport } from '../engine/follow-catalog.js';
import { decodeCatalog } from '../engine/meta.js';
import { segmentReadBytes, unloadedFieldIds } from '../engine/load-estimate.js';
import type { SextantService } from '../service/service.js';
import { implicitReplicas } from '../service/cluster.js';
import { placeGroupReplicas, type NodeLoadReport, type ReplicaRecord } from '../storage/dist/etcd-placement.js';
import type { FollowerLog } from '../storage/dist/follower-ports.js';
import { LOGICAL_BITS } from '../storage/local/clock.js';

/** A TSO timestamp for a wall-clock time in ms. */
export function tsAt(ms: number): bigint {
  return BigInt(Math.floor(ms)) << LOGICAL_BITS;
}

export interface FollowerDeps {
  selfId: string;
  log: FollowerLog;
  catalogVersion(): Promise<bigint>;
  /** Open the service over the catalog as it is now (once, at start); `loads` picks the collections to load. Resolves with it and the catalog version it read. */
  open(loads: (collectionId: number) => boolean): Promise<{ service: SextantService; version: bigint }>;
  /** The catalog document as it is now. */
  readCatalog(): Promise<{ body: Uint8Array; version: bigint } | null>;
  /** The recorded replicas and the live query nodes of each resource group. */
  placement(): Promise<Placed>;
  report(r: NodeLoadReport): Promise<void>;
  warn(line: string): void;
  /** A line for the node's log (catalog changes applied). */
  note?(line: string): void;
  stepMs: number;
  /** How often the live query nodes, their groups and the replicas are read again. */
  placementMs: number;
  /** How long reads may still run on segments a catalog change removed before their memory is freed. */
  closeDelayMs: number;
}

interface Waiter { ts: bigint; resolve: () => void }

/** The recorded replicas by collection id and the live query nodes of each resource group. */
export interface Placed { replicas: Map<number, ReplicaRecord[]>; nodesByGroup: Map<string, string[]> }

function holds(placed: Placed, selfId: string, collectionId: number): boolean {
  const records = placed.replicas.get(collectionId) ?? implicitReplicas({ id: collectionId });
  return [...placeGroupReplicas(collectionId, records, placed.nodesByGroup).values()].includes(selfId);
}

export class Follower {
  /** Every write acknowledged before this TSO timestamp is applied to `current`. */
  safeTs = 0n;
  lastError: unknown = null;
  /** What the last catalog change cost (for the log and the tests). */
  lastFollow: FollowReport | null = null;
  /** Catalog changes applied since start. */
  catalogChanges = 0;
  private version: bigint;
  private placed: Placed;
  private placedAtMs = Date.now();
  private readonly lock = new Mutex();
  private waiters: Waiter[] = [];
  private wake: (() => void) | null = null;
  private closed = false;
  private loop: Promise<void> | null = null;
  private readonly retiring = new Set<NodeJS.Timeout>();

  private constructor(private readonly deps: FollowerDeps, public current: SextantService, first: { version: bigint; placed: Placed }) {
    this.version = first.version;
    this.placed = first.placed;
  }

  static async start(deps: FollowerDeps): Promise<Follower> {
    const placed = await deps.placement();
    const first = await deps.open((id) => holds(placed, deps.selfId, id));
    const f = new Follower(deps, first.service, { version: first.version, placed });
    f.loop = f.run();
    return f;
  }

  /** Whether this node holds a replica of `collectionId` under the last placement read. */
  wants(collectionId: number): boolean {
    return holds(this.placed, this.deps.selfId, collectionId);
  }

  /** Resolves once `safeTs >= ts`; rejects after `timeoutMs` with a retriable error saying so. */
  waitFor(ts: bigint, timeoutMs: number): Promise<void> {
    if (this.safeTs >= ts) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        const why = this.lastError instanceof Error ? `; last error: ${this.lastError.message}` : '';
        reject(errors.serviceNotReady(`query node ${this.deps.selfId} has not applied the log up to the required timestamp `
          + `${ts} within ${timeoutMs} ms (applied up to ${this.safeTs})${why}`));
      }, timeoutMs);
      const waiter: Waiter = { ts, resolve: () => { clearTimeout(timer); resolve(); } };
      this.waiters.push(waiter);
      this.wake?.();
    });
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      try {
        await this.lock.run(() => this.step());
        this.lastError = null;
      } catch (e) {
        if (this.lastError === null) this.deps.warn(`query node step failed (retried): ${e instanceof Error ? e.message : String(e)}`);
        this.lastError = e;
      }
      const ready = this.waiters.filter((w) => w.ts <= this.safeTs);
      this.waiters = this.waiters.filter((w) => w.ts > this.safeTs);
      for (const w of ready) w.resolve();
      if (this.closed || (this.waiters.length > 0 && this.lastError === null)) continue;
      await new Promise<void>((r) => {
        const t = setTimeout(() => { this.wake = null; r(); }, this.deps.stepMs);
        this.wake = () => { clearTimeout(t); this.wake = null; r(); };
      });
    }
  }

  private async step(): Promise<void> {
    const startTs = tsAt(Date.now());
    if (Date.now() - this.placedAtMs >= this.deps.placementMs) {
      this.placed = await this.deps.placement();
      this.placedAtMs = Date.now();
    }
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await this.deps.catalogVersion() !== this.version) await this.followCatalog();
      await this.current.engine.writer.replay(this.deps.log.readFrom(this.deps.log.readThrough + 1n));
      if (await this.deps.catalogVersion() === this.version) {
        if (startTs > this.safeTs) this.safeTs = startTs;
        break;
      }
    }
    await this.applyPlacement();
    await this.deps.report(this.loadReport());
  }

  private async followCatalog(): Promise<void> {
    const startMs = Date.now();
    const doc = await this.deps.readCatalog();
    if (doc === null) return;
    const log = this.deps.log;
    this.lastFollow = await followCatalog(this.current.engine, decodeCatalog(doc.body), doc.version, {
      log: { range: (from, through) => log.range(from, through), get readThrough() { return log.readThrough; } },
      retire: (free) => {
        const t = setTimeout(() => { this.retiring.delete(t); free(); }, this.deps.closeDelayMs);
        this.retiring.add(t);
      },
    });
    this.version = doc.version;
    this.catalogChanges++;
    const r = this.lastFollow;
    this.deps.note?.(`query node ${this.deps.selfId} applied catalog version ${doc.version}: collections +${r.collectionsAdded} -${r.collectionsDropped}, `
      + `${r.partitionsReplayed} partitions replayed, ${r.segmentsLoaded} segments loaded, ${r.segmentsFreed} freed, ${r.indexesAttached} indexes attached, `
      + `${r.tombstonesCleared} tombstones cleared (${this.tombstonesHeld()} held) in ${Date.now() - startMs} ms`);
  }

  /** Tombstones (deletes not yet compacted into the sealed segments) this node holds in memory. */
  tombstonesHeld(): number {
    let n = 0;
    for (const c of this.current.engine.collections.values()) for (const p of c.partitions.values()) n += p.tombstones.size;
    return n;
  }

  /** Load the replicas placed here, release the others (in memory; the catalog is the writer's). */
  private async applyPlacement(): Promise<void> {
    const engine = this.current.engine;
    for (const c of engine.collections.values()) {
      const load = c.meta.load;
      const wanted = load === null || load === undefined || !this.wants(c.id) ? [] : load.partitionIds;
      // Released on the writer, placed elsewhere, or a partition no longer in the load: freed.
      for (const p of c.partitions.values()) if (p.loaded && !wanted.includes(p.meta.id)) engine.loader.forget(p);
      const parts = wanted.map((id) => c.partitions.get(id)).filter((p) => p !== undefined);
      if (load && parts.some((p) => !p.loaded)) await engine.loader.load(c, parts, load.type, false);
    }
  }

  /** Bytes loaded of bytes to load, per collection placed here. */
  loadReport(): NodeLoadReport {
    const out: NodeLoadReport = {};
    for (const c of this.current.engine.collections.values()) {
      if (!c.meta.load || !this.wants(c.id)) continue;
      out[String(c.id)] = collectionReport(c);
    }
    return out;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    await this.loop;
    for (const t of this.retiring) clearTimeout(t);
    this.retiring.clear();
    await this.current.close();
  }
}

function collectionReport(c: CollectionRuntime): NodeLoadReport[string] {
  let loadedBytes = 0, totalBytes = 0, loaded = true;
  // A partial load reads only the loaded fields' columns: those are what is counted.
  const unloaded = unloadedFieldIds(c, c.meta.load);
  for (const id of c.meta.load?.partitionIds ?? []) {
    const p = c.partitions.get(id);
    if (p === undefined) continue;
    if (!p.loaded) loaded = false;
    for (const s of p.sealed) {
      const bytes = segmentReadBytes(s, unloaded);
      totalBytes += bytes;
      if (s.data) loadedBytes += bytes;
    }
  }
  if (c.loading) loadedBytes = Math.max(loadedBytes, c.loading.doneBytes);
  const partitions = [...c.partitions.values()].filter((p) => p.loaded).map((p) => p.meta.id);
  return { loadedBytes, totalBytes, loaded, partitions };
}
