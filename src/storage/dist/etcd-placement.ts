/**
 * Where loaded collections' replicas live on query nodes (issue #14), kept in etcd:
 * - `<prefix>/replicas/<cluster>/<collectionId>`: the replicas a LoadCollection / LoadPartitions
 *   placed, each with its id (stable: GetReplicas reports it until the release) and resource group
 *   (moved by TransferReplica; written by the writer, deleted on release). A collection the catalog
 *   marks loaded without a record has one replica.
 * - `<prefix>/loads/<cluster>/<nodeId>`: what a query node holds (bytes loaded of bytes to load per
 *   collection), under a lease of the node's, so it disappears when the node dies.
 * Which nodes hold a collection's replicas is not stored: every process computes it from the live
 * query nodes of each replica's resource group by rendezvous hashing (`placeGroupReplicas`), so no
 * coordinator is needed, a writer failover changes nothing, and a dead node's replicas move to the
 * next node of the group in rank.
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
  /** The partitions loaded on the node (absent in an older node's report). */
  partitions?: number[];
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

/** One replica of a loaded collection on query nodes: its id (int64, decimal) and resource group. */
export interface ReplicaRecord { id: string; group: string }

const countOk = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0;

function recordsOf(collectionId: number, doc: unknown, legacyGroup: string): ReplicaRecord[] | null {
  const positional = (counts: [string, number][]): ReplicaRecord[] => {
    const out: ReplicaRecord[] = [];
    for (const [group, n] of counts) for (let i = 0; i < n; i++) out.push({ id: String(BigInt(collectionId) * 1000n + BigInt(out.length + 1)), group });
    return out;
  };
  if (typeof doc === 'number') return countOk(doc) && doc > 0 ? positional([[legacyGroup, doc]]) : null;
  if (typeof doc !== 'object' || doc === null) return null;
  const list = (doc as Record<string, unknown>)['replicas'];
  if (Array.isArray(list)) {
    return list.filter((r): r is ReplicaRecord => typeof r === 'object' && r !== null
      && typeof (r as Record<string, unknown>)['id'] === 'string' && /^[0-9]{1,19}$/.test(String((r as Record<string, unknown>)['id']))
      && typeof (r as Record<string, unknown>)['group'] === 'string');
  }
  return positional(Object.entries(doc).filter((e): e is [string, number] => countOk(e[1])));
}

/**
 * Which live query node serves each replica (replica id -> node id, undefined: none): in each
 * resource group, its replicas in id order go to the group's live nodes ranking highest for the
 * collection (`placeReplicas`), so every process computes the same answer from the same records.
 */
export function placeGroupReplicas(
  collectionId: number, replicas: readonly ReplicaRecord[], nodesByGroup: ReadonlyMap<string, readonly string[]>,
): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  const byGroup = new Map<string, ReplicaRecord[]>();
  for (const r of replicas) byGroup.set(r.group, [...(byGroup.get(r.group) ?? []), r]);
  for (const [group, rs] of byGroup) {
    rs.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : BigInt(a.id) > BigInt(b.id) ? 1 : 0));
    const nodes = placeReplicas(collectionId, rs.length, nodesByGroup.get(group) ?? []);
    rs.forEach((r, i) => out.set(r.id, nodes[i]));
  }
  return out;
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
  const parts = r['partitions'];
  return typeof r['loadedBytes'] === 'number' && typeof r['totalBytes'] === 'number' && typeof r['loaded'] === 'boolean'
    && (parts === undefined || (Array.isArray(parts) && parts.every((x) => typeof x === 'number')));
}

export class EtcdPlacement {
  private readonly replicasPrefix: string;
  private readonly loadsPrefix: string;

  constructor(private readonly client: Etcd3, opts: { prefix?: string; cluster: string }) {
    this.replicasPrefix = `${opts.prefix ?? '/sextant'}/replicas/${opts.cluster}/`;
    this.loadsPrefix = `${opts.prefix ?? '/sextant'}/loads/${opts.cluster}/`;
  }

  /** Record (or, with null, forget) a collection's replicas: JSON `{"replicas": [{"id", "group"}]}`. */
  async setReplicas(collectionId: number, replicas: readonly ReplicaRecord[] | null): Promise<void> {
    const key = `${this.replicasPrefix}${collectionId}`;
    if (replicas === null) await this.client.delete().key(key).exec();
    else await this.client.put(key).value(JSON.stringify({ replicas })).exec();
  }

  /**
   * Every recorded collection's replicas, by collection id. A record of an older version (a plain
   * replica count, or `{group: count}`) reads with the positional ids it was reported with then
   * (collection id * 1000 + 1, + 2, ...), in `legacyGroup` for a plain count.
   */
  async replicaRecords(legacyGroup: string): Promise<Map<number, ReplicaRecord[]>> {
    const res = await this.client.getAll().prefix(this.replicasPrefix).exec();
    const out = new Map<number, ReplicaRecord[]>();
    for (const kv of res.kvs) {
      const id = Number(kv.key.toString('utf8').slice(this.replicasPrefix.length));
      if (!Number.isInteger(id)) continue;
      const records = recordsOf(id, parseJson(kv.value, 'a replica record'), legacyGroup);
      if (records !== null) out.set(id, records);
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
