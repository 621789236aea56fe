/**
 * Bulk import's atomic commit (Milvus's import: segments written apart, then registered at once).
 * A job's rows are written as sealed segment files staged in the BlobStore (published, but named
 * by no catalog entry), and one catalog commit then adds every staged segment to its partition and
 * records the job in the collection's `importJobs`. Before that commit no read sees a row and the
 * files are orphans (removed by `abandon`, or at the next open after a crash); after it every row
 * is visible. The WAL is not involved: the rows are in files before the commit names them.
 */
import { errors } from '../core/errors.js';
import { limits } from '../core/limits.js';
import type { Column } from '../schema/column.js';
import { columnBytes, concatColumns } from '../schema/ops.js';
import { writeSegmentFile } from '../storage/segment.js';
import type { CollectionRuntime } from './collection.js';
import type { Engine } from './engine.js';
import type { CollectionMeta, ImportMark, PartitionMeta, SealedSegmentMeta } from './meta.js';
import { livePartitionMetas } from './parts.js';
import type { SealedSegment } from './partition.js';
import { TS_FIELD_ID, toFieldIdCols } from './writer.js';

interface Pending { numRows: number; sizeBytes: number; batches: Map<string, Column>[] }

export class ImportStage {
  private readonly pending = new Map<number, Pending>();
  private readonly staged: SealedSegmentMeta[] = [];
  private stagedRows = 0;
  /** Every imported row carries the job's one write timestamp. */
  private readonly ts: bigint;

  constructor(
    private readonly engine: Engine,
    readonly c: CollectionRuntime,
    private readonly segmentBytes = limits.growingSealBytes,
  ) {
    this.ts = engine.clock.next();
  }

  get rows(): number {
    let n = this.stagedRows;
    for (const p of this.pending.values()) n += p.numRows;
    return n;
  }

  get segmentIds(): number[] {
    return this.staged.map((s) => s.id);
  }

  /** Add a prepared batch for one partition; a segment file is written once enough is buffered. */
  async add(partitionId: number, numRows: number, columns: Map<string, Column>): Promise<void> {
    if (numRows === 0) return;
    let p = this.pending.get(partitionId);
    if (!p) this.pending.set(partitionId, (p = { numRows: 0, sizeBytes: 0, batches: [] }));
    p.batches.push(columns);
    p.numRows += numRows;
    for (const col of columns.values()) p.sizeBytes += columnBytes(col);
    if (p.sizeBytes >= this.segmentBytes || p.numRows >= limits.growingSealRows) await this.writeSegment(partitionId, p);
  }

  private async writeSegment(partitionId: number, p: Pending): Promise<void> {
    this.pending.delete(partitionId);
    const columns = new Map<string, Column>();
    for (const name of p.batches[0]?.keys() ?? []) columns.set(name, concatColumns(p.batches.map((b) => b.get(name)!)));
    const { catalog, segments } = this.engine;
    const id = catalog.allocId();
    const file = `seg-${id}.sxs`;
    const cols = toFieldIdCols(this.c, columns);
    cols.push({ fieldId: TS_FIELD_ID, column: { kind: 'int64', data: new BigInt64Array(p.numRows).fill(this.ts), valid: null } });
    let sizeBytes: number;
    try {
      sizeBytes = await writeSegmentFile(segments.fs, segments.dir, file, {
        meta: { collectionId: this.c.id, partitionId, segmentId: id, imported: true },
        numRows: p.numRows,
        cols,
      });
      await segments.publish(file);
    } catch (e) {
      throw this.engine.health.storageError('import segment', e, true);
    }
    this.staged.push({ id, partitionId, file, numRows: p.numRows, sizeBytes, minTs: this.ts, maxTs: this.ts });
    this.stagedRows += p.numRows;
  }

  /**
   * Write what is buffered, then one catalog commit: the staged segments join their partitions
   * and the job is recorded. Throws (and publishes nothing) when the collection or a partition
   * was dropped meanwhile; the caller then abandons the stage. With `replace` (an external
   * collection's refresh) the staged segments take the place of every sealed segment, in the same commit.
   */
  async commit(jobId: string, replace = false): Promise<number> {
    for (const [pid, p] of [...this.pending]) await this.writeSegment(pid, p);
    const { engine, c } = this;
    const rows = this.stagedRows;
    await engine.writer.exclusive(() => engine.loader.exclusive(async () => {
      this.checkLive();
      const loaded: SealedSegment[] = [];
      const dropped: SealedSegment[] = [];
      try {
        for (const meta of this.staged) {
          const p = c.partitions.get(meta.partitionId)!;
          loaded.push(p.loaded ? await engine.loader.loadSegment(c, meta) : { meta, data: null });
        }
        await engine.catalog.commit(() => {
          this.checkLive();
          const partitions: PartitionMeta[] = livePartitionMetas(c).map((pm) => {
            const added = this.staged.filter((s) => s.partitionId === pm.id);
            if (replace) return { ...pm, segments: added };
            return added.length === 0 ? pm : { ...pm, segments: [...pm.segments, ...added] };
          });
          const marks: ImportMark[] = [...(c.meta.importJobs ?? []), { jobId, rows }].slice(-limits.importJobsKept);
          const next: CollectionMeta = { ...c.meta, importJobs: marks, partitions };
          return {
            draft: { collections: new Map([[c.id, next]]) },
            publish: () => {
              for (const pm of partitions) {
                const p = c.partitions.get(pm.id)!;
                if (replace) {
                  dropped.push(...p.sealed);
                  p.meta = pm;
                  p.sealed = loaded.filter((s) => s.meta.partitionId === pm.id);
                  continue;
                }
                if (p.meta.segments.length === pm.segments.length) continue;
                p.meta = pm;
                p.sealed.push(...loaded.filter((s) => s.meta.partitionId === pm.id));
              }
              c.meta = next;
            },
          };
        });
      } catch (e) {
        for (const s of loaded) for (const r of s.residents ?? []) r.release();
        throw e;
      }
      if (dropped.length > 0) {
        engine.loader.releaseSegments(dropped);
        await engine.removeFiles(dropped.flatMap((s) => [s.meta.file, ...Object.values(s.meta.indexFiles ?? {}).filter((f) => f !== '')]));
      }
    }));
    engine.indexer.schedule(c);
    for (const pid of new Set(this.staged.map((s) => s.partitionId))) {
      const p = c.partitions.get(pid);
      if (p) engine.compactor.afterFlush(c, p);
    }
    return rows;
  }

  /** Remove the staged files (a failed job); nothing names them. */
  async abandon(): Promise<void> {
    this.pending.clear();
    const files = this.staged.map((s) => s.file);
    this.staged.length = 0;
    this.stagedRows = 0;
    if (files.length > 0) await this.engine.removeFiles(files);
  }

  private checkLive(): void {
    const { engine, c } = this;
    if (engine.catalog.collections.get(c.id) !== c) throw errors.collectionNotFound(c.name, c.meta.dbName);
    for (const s of this.staged) {
      if (!c.partitions.has(s.partitionId)) throw errors.partitionNotFound(String(s.partitionId));
    }
  }
}

/** The job's mark when a commit of it is in the catalog (a crash after the commit, before the job file said so). */
export function committedImport(c: CollectionRuntime, jobId: string): ImportMark | undefined {
  return c.meta.importJobs?.find((m) => m.jobId === jobId);
}
