/**
 * Mix compaction (Milvus dataCoord's): merge a partition's small sealed segments into segments of
 * up to `maxSegmentBytes`, dropping the rows their tombstones hide, so the number of segments a
 * search visits stays bounded however many flushes there were.
 *
 * Nothing here blocks reads or writes. A plan's data work (read sources, filter, join, write the
 * target file by temp + fsync + rename) runs on a worker thread; the target's indexes are built on
 * the indexer's threads; only then, holding the flush lock and the load lock for the swap alone,
 * one manifest update replaces the sources by the target, and the source files are deleted after
 * it. Until that update the sources stay listed and searchable; a crash before it leaves an orphan
 * target (removed at open), after it orphan sources (removed at open): never both, never neither.
 */
import { DataType, isVectorType } from '../core/enums.js';
import { limits } from '../core/limits.js';
import { NodeFileSystem } from '../storage/fs/node.js';
import type { CollectionRuntime } from './collection.js';
import { runMerge, type MergeJob, type MergeResult } from './compact-merge.js';
import type { CompactionJob, CompactionPlan } from './compaction-plan.js';
import { planPartition } from './compaction-plan.js';
import { JobThreads } from './job-threads.js';
import type { SealedSegmentMeta } from './meta.js';
import type { Catalog, SegmentDir } from './parts.js';
import type { PartitionRuntime, SealedSegment } from './partition.js';
import type { PrimaryKey } from './pk.js';

export interface CompactorDeps {
  catalog: Catalog;
  files: SegmentDir;
  maxSegmentBytes: number;
  /** Start compaction by itself after flushes (off in tests that count segments). */
  auto: boolean;
  flushCollection(c: CollectionRuntime): Promise<unknown>;
  /** Run `fn` holding the flush lock and then the load lock (no flush or load/release meanwhile). */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  /** Read a segment file into its loaded form with its indexes attached. */
  /** `budgeted`: refused (insufficient memory) when it would pass the load budget. */
  loadSegment(c: CollectionRuntime, meta: SealedSegmentMeta, budgeted: boolean): Promise<SealedSegment>;
  buildIndexes(c: CollectionRuntime, meta: SealedSegmentMeta, live: () => boolean): Promise<Record<string, string> | null>;
  scheduleIndex(c: CollectionRuntime): void;
}

export class Compactor {
  readonly jobs = new Map<bigint, CompactionJob>();
  private chain: Promise<void> = Promise.resolve();
  private readonly autoQueued = new Set<number>();
  /** Manual jobs not started yet, by collection: a second request joins the queued one. */
  private readonly manualQueued = new Map<number, CompactionJob>();
  private readonly threads = new JobThreads<MergeJob, MergeResult>(new URL('./compact-worker.js', import.meta.url), 1, 'compaction');
  private closed = false;

  constructor(private readonly deps: CompactorDeps) {}

  /**
   * The largest segment an ordinary compaction of `c` writes (Milvus dataCoord's expected segment
   * size): the configured maximum, scaled as diskSegmentMaxSize is to segment.maxSize (2048 to 1024
   * MB) when every dense vector field has a DISKANN index (whose memory is its PQ codes and cache,
   * not the rows): fewer walks a query, at equal recall since the Vamana prune keeps long edges
   * (bench/README.md "Session 14"; with session 13's prune the 2 GiB graphs lost recall).
   */
  segmentBytesFor(c: CollectionRuntime): number {
    const dense = c.meta.schema.fields.filter((f) => isVectorType(f.dataType) && f.dataType !== DataType.SparseFloatVector);
    const disk = dense.length > 0 && dense.every((f) => c.meta.indexes.some((i) => i.fieldId === f.fieldId && i.indexType.toUpperCase() === 'DISKANN'));
    return disk ? this.deps.maxSegmentBytes * (limits.diskSegmentMaxBytes / limits.maxSegmentBytes) : this.deps.maxSegmentBytes;
  }

  /** Queue a compaction of the collection; it runs after those queued before it. */
  start(c: CollectionRuntime, manual: boolean, maxSegmentBytes = this.segmentBytesFor(c)): CompactionJob {
    const queued = manual ? this.manualQueued.get(c.id) : undefined;
    if (queued && queued.maxSegmentBytes === maxSegmentBytes) return queued;
    const job: CompactionJob = { id: BigInt(this.deps.catalog.allocId()), collectionId: c.id, manual, maxSegmentBytes, state: 'Executing', plans: [], error: null };
    this.jobs.set(job.id, job);
    for (const id of this.jobs.keys()) {
      if (this.jobs.size <= limits.compactionJobsKept) break;
      if (this.jobs.get(id)?.state !== 'Executing') this.jobs.delete(id);
    }
    if (manual) this.manualQueued.set(c.id, job);
    this.chain = this.chain.then(() => this.run(c, job));
    return job;
  }

  /** After a flush: compact when a partition holds more small segments than the limit allows. */
  afterFlush(c: CollectionRuntime, p: PartitionRuntime): void {
    if (!this.deps.auto || this.closed || this.autoQueued.has(c.id)) return;
    if (planPartition(p.meta.segments, this.segmentBytesFor(c), false).length === 0) return;
    this.autoQueued.add(c.id);
    this.start(c, false);
  }

  /** Resolves when every queued compaction has finished. */
  async idle(): Promise<void> {
    let seen: Promise<void> | null = null;
    while (seen !== this.chain) {
      seen = this.chain;
      await seen;
    }
  }

  /** No new work; merges under way are cancelled (their targets are orphans, removed at open). */
  async stop(): Promise<void> {
    this.closed = true;
    await this.threads.close();
  }

  private live(c: CollectionRuntime, p: PartitionRuntime): boolean {
    return !this.closed && this.deps.catalog.collections.get(c.id) === c && c.partitions.get(p.meta.id) === p;
  }

  private async run(c: CollectionRuntime, job: CompactionJob): Promise<void> {
    if (job.manual && this.manualQueued.get(c.id) === job) this.manualQueued.delete(c.id);
    else this.autoQueued.delete(c.id);
    let failed = false;
    try {
      if (this.closed) throw new Error('closing');
      if (job.manual) await this.deps.flushCollection(c);
      for (const p of c.partitions.values()) {
        if (this.live(c, p)) await this.compactPartition(c, p, job);
      }
    } catch (e) {
      failed = true;
      job.error = e instanceof Error ? e.message : String(e);
    }
    await this.threads.stopIdle();
    if (job.plans.some((x) => x.target !== null)) this.deps.scheduleIndex(c);
    // Reported last: a client that acts on Completed finds the merge thread stopped and the targets' index builds queued.
    job.state = failed || job.plans.some((x) => x.state === 'Failed') ? 'Failed' : 'Completed';
  }

  private async compactPartition(c: CollectionRuntime, p: PartitionRuntime, job: CompactionJob): Promise<void> {
    const groups = planPartition(p.meta.segments, job.maxSegmentBytes, job.manual);
    if (groups.length === 0) return;
    const snapshot = new Map(p.tombstones);
    const flushedLsn = p.meta.flushedLsn;
    /** Segments whose rows have the snapshot's deletes applied. */
    const covered = new Set<SealedSegmentMeta>();
    for (const sources of groups) {
      const plan: CompactionPlan = { sources: sources.map((s) => s.id), target: null, state: 'Executing', removedRows: 0 };
      job.plans.push(plan);
      try {
        const target = await this.runPlan(c, p, sources, snapshot, plan);
        if (target === 'unchanged') for (const s of sources) covered.add(s);
        else if (target !== null) covered.add(target);
        plan.state = 'Completed';
      } catch (e) {
        plan.state = 'Failed';
        job.error = e instanceof Error ? e.message : String(e);
      }
    }
    if (job.manual) await this.clearTombstones(c, p, snapshot, flushedLsn, covered);
  }

  /** The merged segment now in the manifest, 'unchanged' when nothing needed writing, null when abandoned. */
  private async runPlan(
    c: CollectionRuntime, p: PartitionRuntime, sources: SealedSegmentMeta[], tomb: ReadonlyMap<PrimaryKey, bigint>, plan: CompactionPlan,
  ): Promise<SealedSegmentMeta | 'unchanged' | null> {
    const { files } = this.deps;
    const id = this.deps.catalog.allocId();
    const job: MergeJob = {
      dir: files.dir,
      sourcePaths: await Promise.all(sources.map((s) => files.localPath(s.file))),
      targetFile: `seg-${id}.sxs`,
      meta: { collectionId: c.id, partitionId: p.meta.id, segmentId: id, compactedFrom: sources.map((s) => s.id) },
      pkFieldId: c.pkField.fieldId,
      ...tombstoneArrays(tomb, c.pkField.dataType === 5),
    };
    const result = files.fs instanceof NodeFileSystem ? await this.threads.run(job) : await runMerge(files.fs, job);
    if (result.kind === 'unchanged') return 'unchanged';
    if (result.kind === 'skipped') return null;
    plan.removedRows = result.removedRows;
    const live = (): boolean => this.live(c, p) && sources.every((s) => p.meta.segments.includes(s));
    let target: SealedSegmentMeta | null = null;
    if (result.kind === 'written') {
      await files.publish(job.targetFile);
      const { numRows, sizeBytes, minTs, maxTs } = result;
      target = { id, partitionId: p.meta.id, file: job.targetFile, numRows, sizeBytes, minTs, maxTs };
      const indexFiles = await this.deps.buildIndexes(c, target, live).catch(async (e: unknown) => {
        await files.remove([job.targetFile]);
        throw e;
      });
      if (indexFiles === null) {
        await files.remove([job.targetFile]);
        return null;
      }
      if (Object.keys(indexFiles).length > 0) target.indexFiles = indexFiles;
    }
    const targetFiles = target ? [target.file, ...Object.values(target.indexFiles ?? {}).filter((f) => f !== '')] : [];
    // Refused (e.g. the target would pass the load budget): the sources stay, the target's files go.
    const swapped = await this.swap(c, p, sources, target, live).catch(async (e: unknown) => {
      await files.remove(targetFiles).catch(() => undefined);
      throw e;
    });
    if (!swapped) {
      await files.remove(targetFiles);
      return null;
    }
    plan.target = target?.id ?? null;
    return target;
  }

  /** One manifest update: sources out, target in. Old files go after it; readers holding them finish first. */
  private swap(c: CollectionRuntime, p: PartitionRuntime, sources: SealedSegmentMeta[], target: SealedSegmentMeta | null, live: () => boolean): Promise<boolean> {
    return this.deps.exclusive(async () => {
      if (!live()) return false;
      const loaded = target !== null && p.loaded ? await this.deps.loadSegment(c, target, true) : null;
      if (!live()) {
        for (const r of loaded?.residents ?? []) r.release();
        return false;
      }
      // An index dropped while the target's was built: its file goes with the sources'.
      const stale = dropStaleIndexFiles(c, target);
      const gone = p.sealed.filter((s) => sources.includes(s.meta));
      const kept = p.sealed.filter((s) => !sources.includes(s.meta));
      if (target) kept.push(loaded ?? { meta: target, data: null });
      try {
        await this.deps.catalog.commit(() => {
          const next = { ...p.meta, segments: kept.map((s) => s.meta) };
          return {
            draft: { partitions: new Map([[p.meta.id, next]]) },
            publish: () => {
              p.sealed = kept;
              p.meta = next;
            },
          };
        });
      } catch (e) {
        for (const r of loaded?.residents ?? []) r.release();
        throw e;
      }
      const old: string[] = stale;
      for (const s of gone) {
        for (const r of s.residents ?? []) r.release();
        old.push(s.meta.file);
        for (const f of Object.values(s.meta.indexFiles ?? {})) if (f) old.push(f);
      }
      await this.deps.files.remove(old);
      return true;
    });
  }

  /**
   * After a manual compaction rewrote or checked every sealed segment with one tombstone snapshot,
   * and no flush happened meanwhile, the snapshot's tombstones hide nothing on disk any more.
   */
  private async clearTombstones(
    c: CollectionRuntime, p: PartitionRuntime, snapshot: ReadonlyMap<PrimaryKey, bigint>, flushedLsn: bigint, covered: ReadonlySet<SealedSegmentMeta>,
  ): Promise<void> {
    if (snapshot.size === 0) return;
    await this.deps.exclusive(async () => {
      if (!this.live(c, p) || p.meta.flushedLsn !== flushedLsn || !p.meta.segments.every((s) => covered.has(s))) return;
      const oldDeleteFile = p.meta.deleteFile;
      // Deletes since the snapshot stay (they are in the WAL past flushedLsn), and so do snapshot
      // ones that still hide a row written to growing data meanwhile.
      await this.deps.catalog.commit(() => {
        const next = { ...p.meta, deleteFile: null };
        return {
          draft: { partitions: new Map([[p.meta.id, next]]) },
          publish: () => {
            p.clearAppliedTombstones(snapshot);
            p.meta = next;
          },
        };
      });
      if (oldDeleteFile) await this.deps.files.remove([oldDeleteFile]);
    });
  }
}

/** Forget the target's files of indexes the collection no longer has; returns them for deletion. */
function dropStaleIndexFiles(c: CollectionRuntime, target: SealedSegmentMeta | null): string[] {
  if (!target?.indexFiles) return [];
  const live = new Set(c.meta.indexes.map((i) => String(i.id)));
  const stale: string[] = [];
  const kept: Record<string, string> = {};
  for (const [id, file] of Object.entries(target.indexFiles)) {
    if (live.has(id)) kept[id] = file;
    else if (file) stale.push(file);
  }
  target.indexFiles = kept;
  return stale;
}

function tombstoneArrays(tomb: ReadonlyMap<PrimaryKey, bigint>, int64: boolean): { tombPks: BigInt64Array | string[]; tombTs: BigInt64Array } {
  const tombTs = new BigInt64Array(tomb.size);
  const pks: PrimaryKey[] = [];
  let i = 0;
  for (const [pk, ts] of tomb) {
    pks.push(pk);
    tombTs[i++] = ts;
  }
  const tombPks = int64 ? BigInt64Array.from(pks as bigint[]) : (pks as string[]);
  return { tombPks, tombTs };
}
