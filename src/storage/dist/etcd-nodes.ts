/**
 * Node registration: `<prefix>/nodes/<id>` holds the node's endpoint and role under an etcd lease,
 * so the key disappears when the node dies (for query-node placement and forwarding, later steps).
 */
import type { Etcd3, Lease as EtcdClientLease } from 'etcd3';
import { errors } from '../../core/errors.js';

export interface NodeInfo {
  id: string;
  endpoint: string;
  role: string;
  /** A query node's resource group at start (`--resource-group`); absent: the default group. */
  resourceGroup?: string;
}

export interface NodeRegistration {
  /** Resolves when the registration's lease is lost (the key is gone or about to go). */
  readonly lost: Promise<void>;
  /** Deletes the key now. */
  unregister(): Promise<void>;
}

export async function registerNode(
  client: Etcd3, node: NodeInfo, opts: { prefix?: string; ttlSec?: number } = {},
): Promise<NodeRegistration> {
  const key = `${opts.prefix ?? '/sextant'}/nodes/${node.id}`;
  const lease: EtcdClientLease = client.lease(Math.max(1, Math.round(opts.ttlSec ?? 10)));
  const lost = new Promise<void>((resolve) => lease.on('lost', () => resolve()));
  const res = await client.if(key, 'Create', '==', 0)
    .then(lease.put(key).value(JSON.stringify(node)))
    .commit();
  if (!res.succeeded) {
    await lease.revoke().catch(() => undefined);
    throw errors.invalidParameter('node id', { reason: 'already registered', id: node.id });
  }
  return {
    lost,
    unregister: async () => { await lease.revoke(); },
  };
}

export async function listNodes(client: Etcd3, opts: { prefix?: string } = {}): Promise<NodeInfo[]> {
  const prefix = `${opts.prefix ?? '/sextant'}/nodes/`;
  const res = await client.getAll().prefix(prefix).exec();
  const out: NodeInfo[] = [];
  for (const kv of res.kvs) {
    const doc: unknown = JSON.parse(kv.value.toString('utf8'));
    if (typeof doc !== 'object' || doc === null) continue;
    const { id, endpoint, role, resourceGroup } = doc as Record<string, unknown>;
    if (typeof id !== 'string' || typeof endpoint !== 'string' || typeof role !== 'string') continue;
    out.push({ id, endpoint, role, ...(typeof resourceGroup === 'string' ? { resourceGroup } : {}) });
  }
  return out;
}
