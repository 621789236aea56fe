/**
 * The durable write path: log, then apply. A write returns only after its WAL record is fsync'd
 * (group commit in storage/wal.ts); then it is applied to the growing segment and tombstones, where
 * reads see it. Growing segments are sealed into segment files by `flushPartition`, which advances
 * the partition's `flushedLsn` in the manifest so replay skips what is already in files.
 */
import { errors } from '../core/errors.js';
import { limits } from '../core/limits.js';
import { functionOutputFields } from '../schema/build.js';
import { columnLength, type Column } from '../schema/column.js';
import { FieldWriter } from '../schema/writer.js';
import { fieldByName } from '../schema/types.js';
import type { FieldSchema } from '../schema/types.js';
import { readSegmentFile, writeSegmentFile } from '../storage/segment.js';
import { readSegmentPieces, type ColumnPlacement } from '../storage/segment-stream.js';
import type { Log, LogRecord, TimestampOracle } from '../storage/ports.js';
import { WalPayloadPool } from '../storage/wal-format.js';
import { Chunk, mergeChunks } from './chunk.js';
import { GrowingSegment, withoutSlack } from './growing.js';
import { growingDropped, withoutColumns } from './growing-fields.js';
import type { EngineHealth } from './health.js';
import type { CollectionRuntime } from './collection.js';
import type { SealedSegmentMeta } from './meta.js';
import { Mutex } from './mutex.js';
import type { Catalog, SegmentDir } from './parts.js';
import type { PartitionRuntime } from './partition.js';
import type { PrimaryKey } from './pk.js';
import { pkAt, pkList } from './pk.js';
import type { PartBatch, WriteRecord } from './records.js';
import { RecordType, decodeWriteRecord, encodeWriteRecord } from './records.js';

/** A column a segment read left in its file (mapped): its shape and validity, and where its rows start. */
export interface SkippedColumn {
  column: Column;
  dataOffset: number;
}

/** A sealed segment as read for loading. */
export interface ReadSegment {
  chunk: Chunk;
  skipped: Map<string, SkippedColumn>;
}

/** Hidden system field id holding each row's write timestamp in segment files. */
export const TS_FIELD_ID = 1;
/** Tombstone files: pk column and delete-ts column. */
const TOMB_PK_ID = 0;
const TOMB_TS_ID = 1;

export interface WriteInput {
  deletes: WriteRecord['deletes'];
  /** Columns by field name, per partition. */
  parts: { partitionId: number; numRows: number; columns: Map<string, Column> }[];
}

/** What the writer is given by the engine. */
export interface WriterDeps {
  catalog: Catalog;
  files: SegmentDir;
  wal: Log;
  clock: TimestampOracle;
  /** Refuses writes after a storage failure; told of each failure and success. */
  health: EngineHealth;
  /** Seal a growing segment at this many rows. */
  sealRows: number;
  /** Queue index builds for the collection's new sealed segments. */
  scheduleIndex(c: CollectionRuntime): void;
  /** Told after each flush that sealed a segment (automatic compaction). */
  afterFlush(c: CollectionRuntime, p: PartitionRuntime): void;
}

export class Writer {
  private readonly flushLock = new Mutex();
  private autoFlushPending = new Set<number>();
  /** WAL payload buffers used again (when the log lets go of a payload once appended). */
  private readonly payloads = new WalPayloadPool();
  /** Set when a background flush failed; reported by the next flush call. */
  lastFlushError: unknown = null;

  constructor(private readonly deps: WriterDeps) {}

  /** Run `fn` with no flush under way (compaction's swap). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.flushLock.run(fn);
  }

  /** Log the write durably, then apply it. Returns the write's timestamp. */
  async write(c: CollectionRuntime, input: WriteInput, ts: bigint = this.deps.clock.next()): Promise<bigint> {
    const parts: PartBatch[] = input.parts.map((p) => ({
      partitionId: p.partitionId,
      numRows: p.numRows,
      cols: toFieldIdCols(c, p.columns),
    }));
    const record: WriteRecord = { collectionId: c.id, ts, deletes: input.deletes, parts };
    const pool = this.deps.wal.releasesPayload === true ? this.payloads : null;
    const payload = pool === null ? encodeWriteRecord(record) : encodeWriteRecord(record, (n) => pool.take(n));
    // Refused before the append, so a too-large write fails alone and the log stays writable.
    const maxBytes = Math.min(limits.walMaxRecordBytes, this.deps.wal.maxRecordBytes?.() ?? Infinity);
    if (payload.length > maxBytes) {
      throw errors.parameterTooLarge('write request', { maxBytes, actualBytes: payload.length, reason: 'write fewer rows per request (the log\'s record bound)' });
    }
    this.deps.health.checkWritable();
    let lsn: bigint;
    try {
      lsn = await this.deps.wal.append(RecordType.Write, payload);
    } catch (e) {
      throw this.deps.health.storageError('write-ahead log', e, true);
    }
    pool?.give(payload);
    this.deps.health.wrote();
    // The collection may have been dropped while we waited for the fsync.
    if (this.deps.catalog.collections.get(c.id) === c) this.apply(c, record, lsn);
    return ts;
  }

  /** Apply one decoded record; idempotent per partition through flushedLsn. */
  private apply(c: CollectionRuntime, r: WriteRecord, lsn: bigint): void {
    this.deps.clock.observe(r.ts);
    if (r.deletes) {
      const pks = pkList(r.deletes.pks);
      for (const p of c.partitions.values()) {
        if (r.deletes.partitionId >= 0 && p.meta.id !== r.deletes.partitionId) continue;
        if (lsn <= p.meta.flushedLsn) continue;
        p.addTombstones(pks, r.ts);
        p.appliedLsn = lsn;
      }
    }
    for (const part of r.parts) {
      const p = c.partitions.get(part.partitionId);
      if (!p || lsn <= p.meta.flushedLsn || part.numRows === 0) continue;
      const ts = new BigInt64Array(part.numRows).fill(r.ts);
      // A partially loaded collection's growing data holds the loaded columns only (growing-fields.ts).
      const full = new Chunk(p.meta.id, part.numRows, toNamedCols(c, part.cols), ts, c.pkField.name);
      const drop = growingDropped(c);
      const written = full.sizeBytes;
      p.growing.append(withoutColumns(full, drop), drop.size > 0 ? written : undefined, this.sealAtRows(part.numRows, written));
      p.appliedLsn = lsn;
      // Sealed by the size of the rows as written: that is what the flush rebuilds and the log keeps.
      if (p.growing.numRows >= this.deps.sealRows || p.growing.writtenBytes >= limits.growingSealBytes) {
        this.scheduleFlush(c, p);
      }
    }
  }

  /** The rows a growing segment will hold when sealed, if every batch is like this one (`rows` rows of `bytes`). */
  private sealAtRows(rows: number, bytes: number): number {
    const limit = Math.min(this.deps.sealRows, Math.ceil(limits.growingSealBytes / Math.max(1, bytes / rows)));
    return Math.ceil(limit / rows) * rows;
  }

  /**
   * Apply the log from the checkpoint on (at open); records already in a partition's files are
   * skipped. `into` names the collections to apply to (default: the live ones); a query node
   * replays into partitions it has not published yet (engine/follow-catalog.ts).
   */
  async replay(records: AsyncIterable<LogRecord>, into?: (collectionId: number) => CollectionRuntime | undefined): Promise<void> {
    for await (const rec of records) {
      if (rec.type !== RecordType.Write) throw errors.internal(`unknown WAL record type ${rec.type} at LSN ${rec.lsn}`);
      const r = decodeWriteRecord(rec.payload);
      const c = into !== undefined ? into(r.collectionId) : this.deps.catalog.collections.get(r.collectionId);
      if (c) this.apply(c, r, rec.lsn);
      else this.deps.clock.observe(r.ts);
    }
  }

  private scheduleFlush(c: CollectionRuntime, p: PartitionRuntime): void {
    // A follower (query node) never flushes: the writer seals the same rows and it reloads them.
    if (this.autoFlushPending.has(p.meta.id) || this.deps.health.readOnly !== null) return;
    this.autoFlushPending.add(p.meta.id);
    setImmediate(() => {
      this.flushPartition(c, p)
        .catch((e: unknown) => {
          this.lastFlushError = e;
        })
        .finally(() => this.autoFlushPending.delete(p.meta.id));
    });
  }

  async flushCollection(c: CollectionRuntime): Promise<SealedSegmentMeta[]> {
    const out: SealedSegmentMeta[] = [];
    for (const p of c.partitions.values()) {
      const s = await this.flushPartition(c, p);
      if (s) out.push(s);
    }
    return out;
  }

  async flushAll(): Promise<void> {
    for (const c of [...this.deps.catalog.collections.values()]) await this.flushCollection(c);
  }

  /**
   * Seal the partition's growing data into a segment file and snapshot its tombstones, publish
   * both, then commit the partition's new entry (advancing flushedLsn) and only then publish it in
   * memory. Until that commit the sealed rows stay searchable from `sealing`; a failed or crashed
   * flush leaves orphan files (removed at open) and the rows in the WAL; the next flush retries.
   */
  flushPartition(c: CollectionRuntime, p: PartitionRuntime): Promise<SealedSegmentMeta | null> {
    return this.flushLock.run(async () => {
      const { catalog, files } = this.deps;
      this.deps.health.checkWritable();
      if (catalog.collections.get(c.id) !== c || c.partitions.get(p.meta.id) !== p) return null;
      if (p.appliedLsn <= p.meta.flushedLsn && p.sealing.length === 0) return null;
      const g = p.growing;
      p.growing = new GrowingSegment(catalog.allocId());
      p.sealing.push(g);
      const sealingNow = p.sealing.slice();
      const flushedLsn = p.appliedLsn;
      const tombstones = new Map(p.tombstones);
      const chunks = sealingNow.flatMap((s) => s.chunks);
      let segMeta: SealedSegmentMeta | null = null;
      let merged: Chunk | null = null;
      if (chunks.length > 0) {
        // One chunk (a growing tail) is written as it is: only its unused room, if large, is cut.
        let m = chunks.length === 1 ? withoutSlack(chunks[0]!) : mergeChunks(chunks);
        // Columns a partial load dropped from growing data are read back from the log.
        if (c.meta.schema.fields.some((f) => !m.columns.has(f.name))) m = await this.rebuildFromLog(c, p, flushedLsn, m.numRows);
        merged = m;
        segMeta = await this.durably('segment flush', () => this.writeSegment(c, p, m));
      }
      const deleteFile = tombstones.size > 0 ? await this.durably('tombstone flush', () => this.writeTombstones(c, p, tombstones)) : null;
      const oldDeleteFile = p.meta.deleteFile;
      const seg = segMeta;
      await catalog.commit(() => {
        const next = { ...p.meta, flushedLsn, segments: seg ? [...p.meta.segments, seg] : p.meta.segments, deleteFile };
        return {
          draft: { partitions: new Map([[p.meta.id, next]]) },
          publish: () => {
            p.meta = next;
            if (seg) p.sealed.push({ meta: seg, data: p.loaded && merged ? withoutColumns(merged, growingDropped(c)) : null });
            p.sealing = p.sealing.filter((s) => !sealingNow.includes(s));
          },
        };
      });
      if (oldDeleteFile && oldDeleteFile !== deleteFile) await files.remove([oldDeleteFile]);
      await this.dropObsoleteWal();
      if (segMeta) {
        this.deps.scheduleIndex(c);
        this.deps.afterFlush(c, p);
      }
      return segMeta;
    });
  }

  /**
   * Every column of the partition's rows not yet flushed, up to `throughLsn`, from the log (which
   * keeps every record past the partition's flushedLsn): the rows growing data holds, in its order.
   */
  private async rebuildFromLog(c: CollectionRuntime, p: PartitionRuntime, throughLsn: bigint, numRows: number): Promise<Chunk> {
    const chunks: Chunk[] = [];
    for await (const rec of this.deps.wal.readFrom(p.meta.flushedLsn + 1n)) {
      if (rec.lsn > throughLsn) break;
      if (rec.type !== RecordType.Write) continue;
      const r = decodeWriteRecord(rec.payload);
      if (r.collectionId !== c.id) continue;
      for (const part of r.parts) {
        if (part.partitionId !== p.meta.id || part.numRows === 0) continue;
        chunks.push(new Chunk(p.meta.id, part.numRows, toNamedCols(c, part.cols), new BigInt64Array(part.numRows).fill(r.ts), c.pkField.name));
      }
    }
    const full = chunks.length > 0 ? mergeChunks(chunks) : null;
    if (full === null || full.numRows !== numRows) {
      throw errors.internal(`partition ${p.meta.id}: the log holds ${full?.numRows ?? 0} rows to flush, growing data ${numRows}`);
    }
    return full;
  }

  private async writeSegment(c: CollectionRuntime, p: PartitionRuntime, chunk: Chunk): Promise<SealedSegmentMeta> {
    const id = this.deps.catalog.allocId();
    const file = `seg-${id}.sxs`;
    let minTs = chunk.ts[0] ?? 0n;
    let maxTs = minTs;
    for (let i = 0; i < chunk.numRows; i++) {
      const t = chunk.ts[i]!;
      if (t < minTs) minTs = t;
      if (t > maxTs) maxTs = t;
    }
    const cols = toFieldIdCols(c, chunk.columns);
    cols.push({ fieldId: TS_FIELD_ID, column: { kind: 'int64', data: chunk.ts, valid: null } });
    const sizeBytes = await writeSegmentFile(this.deps.files.fs, this.deps.files.dir, file, {
      meta: { collectionId: c.id, partitionId: p.meta.id, segmentId: id },
      numRows: chunk.numRows,
      cols,
    });
    await this.deps.files.publish(file);
    return { id, partitionId: p.meta.id, file, numRows: chunk.numRows, sizeBytes, minTs, maxTs };
  }

  private async writeTombstones(c: CollectionRuntime, p: PartitionRuntime, tomb: Map<PrimaryKey, bigint>): Promise<string> {
    const file = `del-${this.deps.catalog.allocId()}.sxs`;
    const n = tomb.size;
    const ts = new BigInt64Array(n);
    let pkCol: Column;
    if (c.pkField.dataType === 5) {
      const data = new BigInt64Array(n);
      let i = 0;
      for (const [k, v] of tomb) { data[i] = k as bigint; ts[i++] = v; }
      pkCol = { kind: 'int64', data, valid: null };
    } else {
      const data: string[] = [];
      let i = 0;
      for (const [k, v] of tomb) { data.push(k as string); ts[i++] = v; }
      pkCol = { kind: 'varchar', data, valid: null };
    }
    await writeSegmentFile(this.deps.files.fs, this.deps.files.dir, file, {
      meta: { collectionId: c.id, partitionId: p.meta.id, kind: 'tombstones' },
      numRows: n,
      cols: [{ fieldId: TOMB_PK_ID, column: pkCol }, { fieldId: TOMB_TS_ID, column: { kind: 'int64', data: ts, valid: null } }],
    });
    await this.deps.files.publish(file);
    return file;
  }

  /** Read a partition's tombstone snapshot into memory (at open). */
  async readTombstones(p: PartitionRuntime): Promise<void> {
    if (!p.meta.deleteFile) return;
    const seg = await readSegmentFile(this.deps.files.fs, await this.deps.files.localPath(p.meta.deleteFile));
    const pkCol = seg.cols.find((x) => x.fieldId === TOMB_PK_ID)?.column;
    const tsCol = seg.cols.find((x) => x.fieldId === TOMB_TS_ID)?.column;
    if (!pkCol || !tsCol || tsCol.kind !== 'int64') throw errors.internal(`tombstone file ${p.meta.deleteFile} is malformed`);
    for (let i = 0; i < seg.numRows; i++) {
      const pk = pkAt(pkCol, i);
      const t = tsCol.data[i]!;
      const prev = p.tombstones.get(pk);
      if (prev === undefined || prev < t) p.tombstones.set(pk, t);
    }
    p.tombstoneVersion++;
  }

  /**
   * Read one sealed segment file into a chunk, in bounded pieces (storage/segment-stream.ts);
   * `placement` names where fixed-width columns go (the loader's resident memories). Columns it
   * skips (mapped ones) are not in the chunk: they come back by name with their file offset.
   */
  async readSegment(c: CollectionRuntime, meta: SealedSegmentMeta, placement: ColumnPlacement | null = null): Promise<ReadSegment> {
    const seg = await readSegmentPieces(this.deps.files.fs, await this.deps.files.localPath(meta.file), placement);
    if (seg.numRows !== meta.numRows) {
      throw errors.internal(`segment ${meta.file} has ${seg.numRows} rows, the manifest says ${meta.numRows}`);
    }
    const tsCol = seg.cols.find((x) => x.fieldId === TS_FIELD_ID)?.column;
    if (!tsCol || tsCol.kind !== 'int64') throw errors.internal(`segment ${meta.file} has no timestamp column`);
    const skipped = new Map<string, SkippedColumn>();
    for (const x of seg.cols) {
      const f = x.skipped ? c.meta.schema.fields.find((g) => g.fieldId === x.fieldId) : undefined;
      if (f !== undefined) skipped.set(f.name, { column: x.column, dataOffset: x.dataOffset });
    }
    // Skipped columns go through the naming (so they are not taken for fields added since) and out again.
    const cols = seg.cols.filter((x) => x.fieldId !== TS_FIELD_ID);
    const named = toNamedCols(c, cols, seg.numRows);
    for (const name of skipped.keys()) named.delete(name);
    return { chunk: new Chunk(meta.partitionId, seg.numRows, named, tsCol.data, c.pkField.name), skipped };
  }

  /** Delete WAL files no partition needs any more. */
  async dropObsoleteWal(): Promise<void> {
    let keepFrom = this.deps.wal.nextLsn;
    for (const c of this.deps.catalog.collections.values()) {
      for (const p of c.partitions.values()) {
        if (p.appliedLsn > p.meta.flushedLsn && p.meta.flushedLsn + 1n < keepFrom) keepFrom = p.meta.flushedLsn + 1n;
      }
    }
    try {
      await this.deps.wal.truncateBelow(keepFrom);
    } catch (e) {
      throw this.deps.health.storageError('removing WAL files', e, false);
    }
  }

  /** Runs a write of new files; a storage error becomes code 7 (no space, nothing left behind) or fails storage. */
  private async durably<T>(where: string, write: () => Promise<T>): Promise<T> {
    try {
      const out = await write();
      this.deps.health.wrote();
      return out;
    } catch (e) {
      throw this.deps.health.storageError(where, e, true);
    }
  }
}

/** A batch's columns by field id (the segment file's layout). */
export function toFieldIdCols(c: CollectionRuntime, columns: ReadonlyMap<string, Column>): { fieldId: number; column: Column }[] {
  const out: { fieldId: number; column: Column }[] = [];
  for (const [name, column] of columns) {
    const f: FieldSchema | undefined = fieldByName(c.meta.schema, name);
    if (!f) throw errors.fieldNotFound(name);
    out.push({ fieldId: f.fieldId, column });
  }
  return out;
}

function toNamedCols(c: CollectionRuntime, cols: readonly { fieldId: number; column: Column }[], rows?: number): Map<string, Column> {
  const byId = new Map<number, FieldSchema>();
  for (const f of c.meta.schema.fields) byId.set(f.fieldId, f);
  const out = new Map<string, Column>();
  let numRows = rows ?? -1;
  for (const { fieldId, column } of cols) {
    if (numRows < 0) numRows = columnLength(column);
    const f = byId.get(fieldId);
    if (!f) continue; // a field that no longer exists in the schema
    out.set(f.name, column);
  }
  // A field added after these rows were written (AddCollectionField): its default, else NULL.
  // A function output (never computed: rows an older version accepted): NULL, so the WAL replays.
  if (numRows >= 0) {
    const computed = functionOutputFields(c.meta.schema);
    for (const f of c.meta.schema.fields) if (!out.has(f.name)) out.set(f.name, addedFieldColumn(f, numRows, computed.has(f.name)));
  }
  return out;
}

/** The column a field added by AddCollectionField has in rows written before it: its default, else NULL. */
export function addedFieldColumn(f: FieldSchema, numRows: number, functionOutput = false): Column {
  const w = new FieldWriter(functionOutput ? { ...f, nullable: true, defaultValue: null } : f, numRows);
  for (let i = 0; i < numRows; i++) {
    if (!w.setNull(i)) throw errors.internal(`field ${f.name} was added without a default and is not nullable`);
  }
  return w.finish();
}
