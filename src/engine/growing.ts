/**
 * Growing segments: the rows appended to a partition since its last seal, searchable at once.
 *
 * The last chunk of a growing segment while batches of fixed-width columns (numbers, bool, dense and
 * binary vectors) are appended to it in place: each column is a buffer grown by doubling (up to the
 * rows at which the segment will be sealed; a column whose buffer at that bound reaches
 * LAZY_BUFFER_BYTES, such as 128-d vectors, jumps to it at its first growth, and only its written
 * pages hold memory), and the chunk readers see views of its first rows, so a row is copied at most
 * about twice in all instead of once per logarithmic merge. Rows below a published
 * view never change (appends write past it; growth copies into a new buffer), so a chunk handed to a
 * reader stays immutable. Columns of variable width (VarChar, JSON, arrays, sparse) cannot be viewed
 * that way: batches with them are kept as chunks merged logarithmically (so single-row inserts cost
 * O(log n) copies per row, not O(n)).
 */
import type { Column } from '../schema/column.js';
import { committedBytes, isListKind, shapeOf, ShapeBuilder, sliceColumn } from '../schema/ops.js';
import { Chunk, mergeChunks } from './chunk.js';

export class GrowingTail {
  private readonly cols = new Map<string, ShapeBuilder>();
  private readonly ts: ShapeBuilder;
  private rows = 0;
  /** The chunk over every row appended so far. */
  chunk: Chunk;

  /**
   * A tail holding `first`'s rows, with room for twice as many, grown up to `capRows` (ShapeBuilder).
   * (Room for `capRows` at once from the start would spare the copies, but a small bound's buffer
   * is committed whole and memory accounting counts it: a 10-row growing segment would count as its
   * seal bound.)
   */
  constructor(first: Chunk, capRows: number) {
    const start = Math.max(first.numRows, Math.min(capRows, 2 * first.numRows));
    for (const [name, c] of first.columns) this.cols.set(name, new ShapeBuilder(shapeOf(c), c.valid !== null, start, capRows));
    this.ts = new ShapeBuilder(shapeOf(tsColumn(first)), false, start, capRows);
    this.chunk = first;
    this.append(first);
  }

  /** True when a chunk's rows can go into this tail: the same columns of the same shapes and nullability. */
  static fits(c: Chunk): boolean {
    for (const col of c.columns.values()) if (isListKind(col.kind)) return false;
    return c.mapped.size === 0;
  }

  accepts(c: Chunk): boolean {
    if (c.partitionId !== this.chunk.partitionId || c.pkField !== this.chunk.pkField || c.columns.size !== this.cols.size) return false;
    for (const [name, col] of c.columns) {
      const b = this.cols.get(name);
      if (b === undefined || (col.valid !== null) !== b.nullable) return false;
      const s = shapeOf(col);
      if (s.kind !== b.shape.kind || s.dim !== b.shape.dim) return false;
    }
    return true;
  }

  /** Copies `c`'s rows in and publishes the longer chunk as `chunk`. */
  append(c: Chunk): void {
    for (const [name, col] of c.columns) this.cols.get(name)!.append(col);
    this.ts.append(tsColumn(c));
    this.rows += c.numRows;
    const columns = new Map<string, Column>();
    for (const [name, b] of this.cols) columns.set(name, b.build());
    this.chunk = new Chunk(c.partitionId, this.rows, columns, (this.ts.build() as { data: BigInt64Array }).data, c.pkField);
  }
}

/**
 * `c`, or a copy of it in which each column (and the timestamps) whose unused room is more than an
 * eighth of the memory its buffer holds is cut to its rows (a tail sealed before it filled its buffers:
 * a flush; the unwritten pages of a buffer allocated at its bound hold nothing, so such a column is
 * kept as it is): what a sealed segment keeps in memory.
 */
export function withoutSlack(c: Chunk): Chunk {
  if (!GrowingTail.fits(c)) return c;
  const slack = (col: Column) => hasSlack(col.data as ArrayBufferView) || (col.valid !== null && hasSlack(col.valid));
  let any = hasSlack(c.ts);
  for (const col of c.columns.values()) any ||= slack(col);
  if (!any) return c;
  const columns = new Map<string, Column>();
  for (const [name, col] of c.columns) columns.set(name, slack(col) ? sliceColumn(col, 0, c.numRows) : col);
  return new Chunk(c.partitionId, c.numRows, columns, hasSlack(c.ts) ? c.ts.slice() : c.ts, c.pkField);
}

/** `c` with copies of its fixed-width columns (list columns are the batch's own arrays already). */
function ownColumns(c: Chunk): Chunk {
  const columns = new Map<string, Column>();
  for (const [name, col] of c.columns) columns.set(name, isListKind(col.kind) ? col : sliceColumn(col, 0, c.numRows));
  return new Chunk(c.partitionId, c.numRows, columns, c.ts, c.pkField);
}

/** More than an eighth of the memory behind `a` unused (a lazily committed buffer holds only its written pages). */
function hasSlack(a: ArrayBufferView): boolean {
  const held = committedBytes(a.buffer);
  return held - a.byteLength > held / 8;
}

function tsColumn(c: Chunk): Column {
  return { kind: 'int64', data: c.ts, valid: null };
}

/**
 * Rows appended to a partition since its last seal; searchable at once. Batches of fixed-width
 * columns are appended in place to the last chunk (growing-tail.ts); others are kept as chunks
 * merged logarithmically.
 */
export class GrowingSegment {
  chunks: Chunk[] = [];
  numRows = 0;
  /** Bytes of the rows as written, every column (what a flush writes; more than `sizeBytes` under a partial load). */
  writtenBytes = 0;
  /** Bytes the chunks before the tail hold. */
  private chunkBytes = 0;
  private tail: GrowingTail | null = null;

  constructor(readonly segmentId: number) {}

  /** Bytes held in memory: the chunks' buffers (the tail's whole, room not yet used included). */
  get sizeBytes(): number {
    return this.chunkBytes + (this.tail === null ? 0 : this.tail.chunk.sizeBytes);
  }

  /**
   * `writtenBytes`: the rows' size with every column, when `chunk` holds fewer (growing-fields.ts).
   * `capRows`: the rows at which the segment will be sealed (the tail's buffers grow up to it).
   */
  append(chunk: Chunk, writtenBytes?: number, capRows = Infinity): void {
    const bytes = chunk.sizeBytes;
    this.numRows += chunk.numRows;
    this.writtenBytes += writtenBytes ?? bytes;
    const next = this.chunks.slice();
    if (this.tail !== null && this.tail.accepts(chunk)) {
      this.tail.append(chunk);
      next[next.length - 1] = this.tail.chunk;
      this.chunks = next;
      return;
    }
    if (this.tail !== null) this.chunkBytes += this.tail.chunk.sizeBytes;
    this.tail = null;
    if (GrowingTail.fits(chunk)) {
      this.tail = new GrowingTail(chunk, capRows);
      next.push(this.tail.chunk);
      this.chunks = next;
      return;
    }
    this.chunkBytes += bytes;
    // Kept as it is: its typed columns may be the caller's arrays (validation takes them as they are).
    next.push(ownColumns(chunk));
    // Logarithmic method: merge while the previous chunk is not much larger than the last.
    while (next.length >= 2) {
      const last = next[next.length - 1]!;
      const prev = next[next.length - 2]!;
      if (prev.numRows > 2 * last.numRows) break;
      next.splice(next.length - 2, 2, mergeChunks([prev, last]));
    }
    // Readers hold the previous array; replace rather than mutate.
    this.chunks = next;
  }

  /** The same rows in other chunks (fewer columns: growing-fields.ts); readers holding the old array keep it. */
  replaceChunks(chunks: Chunk[]): void {
    this.chunks = chunks;
    this.tail = null;
    this.chunkBytes = 0;
    for (const c of chunks) this.chunkBytes += c.sizeBytes;
  }

  /** One chunk with every row, for sealing. */
  merged(): Chunk | null {
    if (this.chunks.length === 0) return null;
    return mergeChunks(this.chunks);
  }
}
