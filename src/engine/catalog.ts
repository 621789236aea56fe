/**
 * The live catalog (databases, collections, aliases, id allocation) and its one commit path.
 *
 * Persist-then-publish: a change is planned against the live state, the whole catalog with the
 * change applied is committed through the CatalogStore port (the local one replaces the MANIFEST
 * atomically), and only after the commit is durable is the change published in memory. Commits
 * are serialised, and plan, commit and publish run under one lock, so no commit can be built from
 * a state that misses another's change. A failed commit publishes nothing: memory and disk agree.
 */
import type { CatalogStore, Lease, TimestampOracle } from '../storage/ports.js';
import { CollectionRuntime } from './collection.js';
import type { EngineHealth } from './health.js';
import type { AliasMeta, CollectionMeta, DatabaseMeta, ManifestBody, PartitionMeta, RestoreJobMeta, SnapshotMeta } from './meta.js';
import { encodeCatalog } from './meta.js';
import { Mutex } from './mutex.js';
import type { Catalog, CatalogChange, CatalogDraft } from './parts.js';

export interface CatalogPorts {
  store: CatalogStore;
  lease: Lease;
  clock: TimestampOracle;
  health: EngineHealth;
}

export class EngineCatalog implements Catalog {
  readonly databases = new Map<string, DatabaseMeta>();
  readonly collections = new Map<number, CollectionRuntime>();
  aliases: AliasMeta[];
  snapshots: SnapshotMeta[];
  restoreJobs: RestoreJobMeta[];
  private nextId: number;
  private readonly lock = new Mutex();

  constructor(
    body: ManifestBody,
    /** The store's version of the document `body` came from (0n: none yet). */
    private version: bigint,
    private readonly ports: CatalogPorts,
  ) {
    this.nextId = body.nextId;
    for (const d of body.databases) this.databases.set(d.name, d);
    for (const c of body.collections) this.collections.set(c.id, new CollectionRuntime(c, () => this.allocId()));
    this.aliases = body.aliases;
    this.snapshots = body.snapshots ?? [];
    this.restoreJobs = body.restoreJobs ?? [];
  }

  allocId(): number {
    return this.nextId++;
  }

  /**
   * A query node follows the writer's catalog (follow-catalog.ts): databases, aliases and the id
   * counter as `body` has them; collections are reconciled by the caller. Never committed here.
   */
  adopt(body: ManifestBody, version: bigint): void {
    this.databases.clear();
    for (const d of body.databases) this.databases.set(d.name, d);
    this.aliases = body.aliases;
    if (body.nextId > this.nextId) this.nextId = body.nextId;
    this.version = version;
  }

  /**
   * Refused once storage failed; a failed commit fails storage, except a full disk that left the
   * old document in place (code 7). Either way nothing is published.
   */
  commit<T>(plan: () => CatalogChange<T>): Promise<T> {
    const { health } = this.ports;
    health.checkWritable();
    return this.lock.run(async () => {
      health.checkWritable();
      const change = plan();
      const body = encodeCatalog(this.manifestBody(change.draft));
      try {
        this.version = await this.ports.store.commit(this.version, body, this.ports.lease);
      } catch (e) {
        throw health.storageError('manifest', e, true);
      }
      health.wrote();
      return change.publish();
    });
  }

  /** Every segment, tombstone and index file the live catalog names. */
  liveFiles(): Set<string> {
    const live = new Set<string>();
    for (const c of this.collections.values()) {
      for (const p of c.partitions.values()) {
        for (const s of p.meta.segments) {
          live.add(s.file);
          for (const f of Object.values(s.indexFiles ?? {})) if (f) live.add(f);
        }
        if (p.meta.deleteFile) live.add(p.meta.deleteFile);
      }
    }
    for (const s of this.snapshots) {
      for (const p of s.collection.partitions) {
        for (const seg of p.segments) {
          live.add(seg.file);
          for (const f of Object.values(seg.indexFiles ?? {})) if (f) live.add(f);
        }
        if (p.deleteFile) live.add(p.deleteFile);
      }
    }
    return live;
  }

  /** The catalog as it is live, with `draft` applied. */
  private manifestBody(draft: CatalogDraft): ManifestBody {
    const over = draft.collections;
    const collections: CollectionMeta[] = [];
    for (const c of this.collections.values()) {
      const entry = over?.get(c.id);
      if (entry === null) continue;
      collections.push(entry ?? { ...c.meta, partitions: partitionEntries(c, draft.partitions) });
    }
    for (const [id, entry] of over ?? []) if (entry !== null && !this.collections.has(id)) collections.push(entry);
    return {
      formatVersion: 1,
      nextId: this.nextId,
      clockTs: this.ports.clock.current,
      databases: [...(draft.databases ?? this.databases).values()],
      collections,
      aliases: [...(draft.aliases ?? this.aliases)],
      snapshots: [...(draft.snapshots ?? this.snapshots)],
      restoreJobs: [...(draft.restoreJobs ?? this.restoreJobs)],
    };
  }
}

function partitionEntries(c: CollectionRuntime, over: ReadonlyMap<number, PartitionMeta | null> | undefined): PartitionMeta[] {
  const out: PartitionMeta[] = [];
  for (const p of c.partitions.values()) {
    const entry = over?.get(p.meta.id);
    if (entry !== null) out.push(entry ?? p.meta);
  }
  return out;
}
