/**
 * The access-control catalog (users, roles, grants, privilege groups) in etcd (issue #14), so every
 * node of a cluster reads the same one: the writer that holds the lease changes it, query nodes and
 * standbys read it. One key, `<prefix>/rbac/<cluster>`, holding the body as UTF-8 JSON (bcrypt
 * hashes, never passwords); etcd checksums and replicates it.
 *
 * A write is one etcd transaction guarded by the writer's lease, like a catalog commit: it puts the
 * key only if the owner key's create revision is still the lease's token (`fenceKey`), so a writer
 * that lost its lease (paused past it, or taken over) changes nothing, whatever it believes.
 */
import type { Etcd3 } from 'etcd3';
import { errors } from '../../core/errors.js';
import type { DocStore, Lease } from '../ports.js';
import { currentOwner, fenceKey } from './etcd-lease.js';

export class EtcdRbacStore implements DocStore {
  readonly writable: boolean;
  private readonly key: string;

  /** `lease`: the writer's, which every write is fenced by; null for a reader (writes refused). */
  constructor(private readonly client: Etcd3, cluster: string, private readonly lease: Lease | null, prefix = '/sextant') {
    this.key = `${prefix}/rbac/${cluster}`;
    this.writable = lease !== null;
  }

  async read(): Promise<unknown | null> {
    const text = await this.client.get(this.key).string();
    return text === null ? null : JSON.parse(text) as unknown;
  }

  async write(body: unknown): Promise<void> {
    if (this.lease === null) throw errors.serviceNotReady('the access-control catalog is read only on this node');
    const fence = fenceKey(this.lease);
    const res = await this.client
      .if(fence.ownerKey, 'Create', '==', fence.token.toString())
      .then(this.client.put(this.key).value(JSON.stringify(body)))
      .commit();
    if (res.succeeded) return;
    const owner = await currentOwner(this.client, fence.ownerKey);
    throw errors.leaseLost('access-control change', { token: fence.token, ownerToken: owner.token, owner: owner.holder || undefined });
  }
}
