/**
 * The resource groups (their configuration and which query nodes each holds) in etcd (issue #14), so
 * a writer failover keeps them and every node reads the same ones. One key,
 * `<prefix>/rgroups/<cluster>`, holding the body as UTF-8 JSON. Only the writer that holds the lease
 * changes it: a write is one transaction that compares the owner key's create revision with the
 * lease's token (as catalog commits do, etcd-lease.ts `fenceKey`), so a writer that lost its lease
 * (paused past it, replaced) writes nothing. Query nodes and standbys read it.
 */
import type { Etcd3 } from 'etcd3';
import { errors } from '../../core/errors.js';
import type { DocStore, Lease } from '../ports.js';
import { currentOwner, fenceKey } from './etcd-lease.js';

export class EtcdResourceGroupStore implements DocStore {
  private readonly key: string;

  /** `lease`: the writer's (writes fenced by it); without one the store only reads. */
  constructor(private readonly client: Etcd3, cluster: string, private readonly lease?: Lease, prefix = '/sextant') {
    this.key = `${prefix}/rgroups/${cluster}`;
  }

  get writable(): boolean { return this.lease !== undefined; }

  async read(): Promise<unknown | null> {
    const text = await this.client.get(this.key).string();
    if (text === null) return null;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw errors.internal(`the resource groups in etcd (${this.key}) are not JSON`);
    }
  }

  async write(body: unknown): Promise<void> {
    if (this.lease === undefined) throw errors.serviceNotReady('resource groups are changed by the writer that holds the lease');
    const fence = fenceKey(this.lease);
    const res = await this.client.if(fence.ownerKey, 'Create', '==', fence.token.toString())
      .then(this.client.put(this.key).value(JSON.stringify(body)))
      .commit();
    if (res.succeeded) return;
    const owner = await currentOwner(this.client, fence.ownerKey);
    throw errors.leaseLost('resource group change', { token: fence.token, ownerToken: owner.token, owner: owner.holder || undefined });
  }
}
