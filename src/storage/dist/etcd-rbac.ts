/**
 * The access-control catalog (users, roles, grants, privilege groups) in etcd (issue #14), so every
 * node of a cluster reads the same one: the writer that holds the lease changes it, query nodes and
 * standbys read it. One key, `<prefix>/rbac/<cluster>`, holding the body as UTF-8 JSON (bcrypt
 * hashes, never passwords); etcd checksums and replicates it.
 */
import type { Etcd3 } from 'etcd3';
import type { DocStore } from '../ports.js';

export class EtcdRbacStore implements DocStore {
  readonly writable = true;
  private readonly key: string;

  constructor(private readonly client: Etcd3, cluster: string, prefix = '/sextant') {
    this.key = `${prefix}/rbac/${cluster}`;
  }

  async read(): Promise<unknown | null> {
    const text = await this.client.get(this.key).string();
    return text === null ? null : JSON.parse(text) as unknown;
  }

  async write(body: unknown): Promise<void> {
    await this.client.put(this.key).value(JSON.stringify(body));
  }
}
