/**
 * Where loaded collections' replicas live on query nodes (issue #14), kept in etcd:
 * - `<prefix>/replicas/<cluster>/<collectionId>`: the replicas a LoadCollection / LoadPartitions
 *   asked for, per resource group (moved by TransferReplica; written by the writer, deleted on
 *   release). A collection the catalog marks loaded without a record has one replica.
 * - `<prefix>/loads/<cluster>/<nodeId>`: what a query node holds (bytes loaded of bytes to load per
 *   collection), under a lease of the node's, so it disappears when the node dies.
 * Which nodes hold a collection's replicas is not stored: every process computes it from the live
 * query nodes by rendezvous hashing (`placeReplicas`), so no coordinator is needed, a writer
 * failover changes nothing, and a dead node's replicas (only those) move to the next node in rank.
 */
import type { Etcd3, Lease as EtcdClientLease } from 'etcd3';
import { errors } from '../../core/errors.js';
import { crc32c } from '../../core/crc32c.js';

/** What a query node holds of one collection. */
export interface CollectionLoadReport {
  loadedBytes: number;
  totalBytes: number;
  /** Every partition the catalog marks loaded is loaded on the node. */
  loaded: boolean;
}

export type NodeLoadReport = Record<string, CollectionLoadReport>;

function rank(collectionId: number, nodeId: string): number {
  return crc32c(new TextEncoder().encode(`${collectionId}/${nodeId}`));
}

/**
 * The nodes holding the replicas of `collectionId` (replica i on element i): the `replicas` nodes
 * ranking highest for the collection. Fewer when fewer nodes live (the load state is then degraded).
 */
export function placeReplicas(collectionId: number, replicas: number, nodeIds: readonly string[]): string[] {
  const ranked = [...nodeIds].sort((a, b) => rank(collectionId, b) - rank(collectionId, a) || (a < b ? -1 : 1));
  return ranked.slice(0, Math.max(0, replicas));
}

/** A node's id as GetReplicas reports it (int64 in Milvus): the id itself when numeric, else a hash of it. */
export function numericNodeId(id: string): number {
  return /^[0-9]{1,15}$/.test(id) ? Number(id) : crc32c(new TextEncoder().encode(id));
}

function parseJson(value: Buffer, what: string): unknown {
  try {
    return JSON.parse(value.toString('utf8'));
  } catch {
    throw errors.internal(`${what} in etcd is not JSON`);
  }
}

function isReport(v: unknown): v is CollectionLoadReport {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return typeof r['loadedBytes'] === 'number' && typeof r['totalBytes'] === 'number' && typeof r['loaded'] === 'boolean';
}

export class EtcdPlacement {
  private readonly replicasPrefix: string;
  private readonly loadsPrefix: string;

  constructor(private readonly client: Etcd3, opts: { prefix?: string; cluster: string }) {
    this.replicasPrefix = `${opts.prefix ?? '/sextant'}/replicas/${opts.cluster}/`;
    this.loadsPrefix = `${opts.prefix ?? '/sextant'}/loads/${opts.cluster}/`;
  }

  /**
   * Record (or, with null, forget) a collection's replicas per resource group (JSON `{group: count}`;
   * a record written before groups were recorded is a plain number, read as `{[legacyGroup]: n}`).
   */
  async setReplicaGroups(collectionId: number, groups: Record<string, number> | null): Promise<void> {
    const key = `${this.replicasPrefix}${collectionId}`;
    if (groups === null) await this.client.delete().key(key).exec();
    else await this.client.put(key).value(JSON.stringify(groups)).exec();
  }

  /** Every recorded collection's replicas per resource group, by collection id. */
  async replicaGroups(legacyGroup: string): Promise<Map<number, Record<string, number>>> {
    const res = await this.client.getAll().prefix(this.replicasPrefix).exec();
    const out = new Map<number, Record<string, number>>();
    for (const kv of res.kvs) {
      const id = Number(kv.key.toString('utf8').slice(this.replicasPrefix.length));
      if (!Number.isInteger(id)) continue;
      const doc = parseJson(kv.value, 'a replica record');
      if (typeof doc === 'number') {
        if (Number.isInteger(doc) && doc > 0) out.set(id, { [legacyGroup]: doc });
        continue;
      }
      if (typeof doc !== 'object' || doc === null) continue;
      const groups: Record<string, number> = {};
      for (const [g, n] of Object.entries(doc)) if (typeof n === 'number' && Number.isInteger(n) && n >= 0) groups[g] = n;
      out.set(id, groups);
    }
    return out;
  }

  /** What every live query node reported, by node id. */
  async loadReports(): Promise<Map<string, NodeLoadReport>> {
    const res = await this.client.getAll().prefix(this.loadsPrefix).exec();
    const out = new Map<string, NodeLoadReport>();
    for (const kv of res.kvs) {
      const doc = parseJson(kv.value, 'a load report');
      if (typeof doc !== 'object' || doc === null) continue;
      const report: NodeLoadReport = {};
      for (const [id, r] of Object.entries(doc)) if (isReport(r)) report[id] = r;
      out.set(kv.key.toString('utf8').slice(this.loadsPrefix.length), report);
    }
    return out;
  }

  /** A reporter for node `nodeId`: its key lives under a lease of `ttlSec`, gone when the node dies. */
  reporter(nodeId: string, ttlSec: number): LoadReporter {
    return new LoadReporter(this.client.lease(Math.max(1, Math.round(ttlSec))), `${this.loadsPrefix}${nodeId}`);
  }
}

export class LoadReporter {
  private last = '';

  constructor(private readonly lease: EtcdClientLease, private readonly key: string) {}

  /** Write the report when it changed. */
  async report(r: NodeLoadReport): Promise<void> {
    const value = JSON.stringify(r);
    if (value === this.last) return;
    await this.lease.put(this.key).value(value);
    this.last = value;
  }

  async close(): Promise<void> {
    await this.lease.revoke().catch(() => undefined);
  }
}
