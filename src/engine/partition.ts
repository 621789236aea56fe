/**
 * Runtime state of one partition: its growing segment, its sealed segments (with their columns in
 * memory only while loaded) and its tombstones. The durable part is `meta` (see meta.ts).
 */
import type { MappedFile } from './page-cache.js';
import { memoryOf, type MemoryTally } from '../index/memory.js';
import type { ResidentColumn } from '../index/wasm/resident.js';
import type { Bitset } from '../schema/column.js';
import { Chunk } from './chunk.js';
import { GrowingSegment } from './growing.js';
import type { PartitionMeta, SealedSegmentMeta } from './meta.js';
import type { PrimaryKey } from './pk.js';

export interface SealedSegment {
  meta: SealedSegmentMeta;
  /** Columns in memory while the partition is loaded; null when released. */
  data: Chunk | null;
  /** Vector columns held in their own wasm memory while loaded; released with the segment. */
  residents?: ResidentColumn[];
  /** The segment file, open for mapped (mmap.enabled) columns while loaded. */
  mappedFile?: MappedFile | undefined;
  /** Bytes of each column of the file by field id, once a partial load needed them (load-estimate.ts). */
  columnBytes?: ReadonlyMap<number, number>;
}

/** What a loaded sealed segment holds: its chunk and its resident columns' wasm memories, each buffer once. */
export function countSegmentMemory(s: SealedSegment, t: MemoryTally): void {
  if (s.data === null) return;
  for (const r of s.residents ?? []) t.memory(r.memory);
  s.data.countMemory(t);
}

export function segmentMemoryBytes(s: SealedSegment): number {
  return s.data === null ? 0 : memoryOf((t) => countSegmentMemory(s, t));
}

export class PartitionRuntime {
  growing: GrowingSegment;
  /** Growing segments handed to a flush that has not reached the manifest yet: still searchable. */
  sealing: GrowingSegment[] = [];
  sealed: SealedSegment[];
  /** pk -> the newest delete timestamp; a row is deleted when its ts < that. */
  tombstones = new Map<PrimaryKey, bigint>();
  tombstoneVersion = 0;
  /** Highest WAL LSN applied to this partition. */
  appliedLsn: bigint;
  loaded = false;

  constructor(
    public meta: PartitionMeta,
    growingId: number,
  ) {
    this.growing = new GrowingSegment(growingId);
    this.sealed = meta.segments.map((m) => ({ meta: m, data: null }));
    this.appliedLsn = meta.flushedLsn;
  }

  /** Every chunk a read may scan right now (loaded sealed segments, sealing and growing data). */
  chunks(): Chunk[] {
    const out: Chunk[] = [];
    for (const s of this.sealed) if (s.data) out.push(s.data);
    for (const g of this.sealing) for (const c of g.chunks) out.push(c);
    for (const c of this.growing.chunks) out.push(c);
    return out;
  }

  get numRowsTotal(): number {
    let n = this.growing.numRows;
    for (const g of this.sealing) n += g.numRows;
    for (const s of this.sealed) n += s.meta.numRows;
    return n;
  }

  addTombstones(pks: readonly PrimaryKey[], ts: bigint): void {
    for (const pk of pks) {
      const prev = this.tombstones.get(pk);
      if (prev === undefined || prev < ts) this.tombstones.set(pk, ts);
    }
    this.tombstoneVersion++;
  }

  /** One byte per row, 1 = deleted; null when nothing in the chunk can be deleted. Cached per chunk. */
  deletedMask(chunk: Chunk): Bitset | null {
    if (this.tombstones.size === 0) return null;
    if (chunk.deletedVersion === this.tombstoneVersion) return chunk.deleted;
    let mask: Uint8Array | null = null;
    const ts = chunk.ts;
    for (let row = 0; row < chunk.numRows; row++) {
      const del = this.tombstones.get(chunk.pk(row));
      if (del !== undefined && ts[row]! < del) {
        if (!mask) mask = new Uint8Array(chunk.numRows);
        mask[row] = 1;
      }
    }
    chunk.deleted = mask;
    chunk.deletedVersion = this.tombstoneVersion;
    return mask;
  }

  /**
   * Forget the tombstones of `applied` that compaction has applied to the sealed segments, except
   * those that still hide an unsealed row: writes land in growing data while compaction rewrites,
   * and a tombstone that hides such a row must stay until that row is sealed and compacted too.
   */
  clearAppliedTombstones(applied: ReadonlyMap<PrimaryKey, bigint>): void {
    const stillHiding = new Set<PrimaryKey>();
    const unsealed = [...this.sealing.flatMap((g) => g.chunks), ...this.growing.chunks];
    for (const chunk of unsealed) {
      for (let row = 0; row < chunk.numRows; row++) {
        const pk = chunk.pk(row);
        const del = applied.get(pk);
        if (del !== undefined && chunk.ts[row]! < del) stillHiding.add(pk);
      }
    }
    for (const [pk, ts] of applied) {
      if (this.tombstones.get(pk) === ts && !stillHiding.has(pk)) this.tombstones.delete(pk);
    }
    this.tombstoneVersion++;
  }

  /** Bytes of sealed data held in memory: columns, resident memories, indexes, caches. */
  get loadedBytes(): number {
    let n = 0;
    for (const s of this.sealed) n += segmentMemoryBytes(s);
    return n;
  }

  get sealedBytesOnDisk(): number {
    let n = 0;
    for (const s of this.sealed) n += s.meta.sizeBytes;
    return n;
  }
}
