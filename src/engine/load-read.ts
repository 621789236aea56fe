/**
 * How the loader reads a sealed segment: in bounded pieces (storage/segment-stream.ts), each dense
 * or binary vector column straight into a wasm memory of its own (index/wasm/resident.ts) where the
 * kernels search it in place, mapped columns (mmap.enabled) only checksummed and left in the file,
 * every other column in an array of its own. Nothing holds the file's bytes afterwards, and the
 * load never holds a column twice.
 */
import { isVectorKind } from '../index/metrics.js';
import { reserveResident, type ResidentColumn, type ResidentReservation } from '../index/wasm/resident.js';
import type { Column, ColumnKind } from '../schema/column.js';
import type { ColumnPlacement, Placed } from '../storage/segment-stream.js';
import { Chunk } from './chunk.js';
import type { CollectionRuntime } from './collection.js';
import type { SealedSegment } from './partition.js';

/** Places vector columns in resident memories, skips mapped ones; frees what it placed on failure. */
export class ResidentPlacement implements ColumnPlacement {
  private readonly reserved = new Map<number, ResidentReservation>();
  private readonly names = new Map<number, string>();
  private readonly skip = new Set<number>();

  /** `mapped`: names of the fields left in the file; `unloaded`: fields not loaded at all (partial load). */
  constructor(c: CollectionRuntime, mapped: Iterable<string>, private readonly unloaded: ReadonlySet<string> = new Set()) {
    for (const f of c.meta.schema.fields) this.names.set(f.fieldId, f.name);
    const m = new Set(mapped);
    for (const f of c.meta.schema.fields) if (m.has(f.name) || unloaded.has(f.name)) this.skip.add(f.fieldId);
  }

  place(fieldId: number, kind: ColumnKind, dim: number, numRows: number, byteLength: number): Placed | 'skip' | null {
    if (this.skip.has(fieldId)) return 'skip';
    if (!this.names.has(fieldId) || !isVectorKind(kind)) return null;
    const r = reserveResident(kind, dim, numRows, byteLength);
    if (r === null) return null;
    this.reserved.get(fieldId)?.release();
    this.reserved.set(fieldId, r);
    return { bytes: r.bytes, checksum: r.checksum };
  }

  /** The read failed: give back every memory reserved. */
  release(): void {
    for (const r of this.reserved.values()) r.release();
    this.reserved.clear();
  }

  /** `raw` with its placed vector columns made resident (recorded in `s.residents`). */
  residentChunk(raw: Chunk, s: SealedSegment): Chunk {
    const columns = new Map<string, Column>(raw.columns);
    for (const name of this.unloaded) columns.delete(name);
    const residents: ResidentColumn[] = [];
    for (const [fieldId, r] of this.reserved) {
      const name = this.names.get(fieldId)!;
      const col = columns.get(name);
      if (col === undefined) {
        r.release();
        continue;
      }
      const resident = r.finish(col.valid);
      residents.push(resident);
      columns.set(name, resident.column);
    }
    this.reserved.clear();
    s.residents = residents;
    return new Chunk(raw.partitionId, raw.numRows, columns, raw.ts, raw.pkField);
  }
}
