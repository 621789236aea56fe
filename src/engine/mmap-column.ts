/**
 * mmap.enabled (Milvus's collection / field property, and DISKANN's raw vectors implicitly): a loaded
 * sealed segment's fixed-width column read from its segment file on demand, through the engine's
 * bounded page cache (page-cache.ts), instead of being copied into memory at load. Scans read it in
 * windows of at most limits.mmapWindowBytes (one scratch array per column, reused); output fields
 * read only the rows asked for. Validity bytes (nullable fields) stay in memory (one byte per row).
 *
 * Which fields are mapped (`mappedFieldNames`): the field's own `mmap.enabled` type param wins over
 * the collection's `mmap.enabled` property (Milvus's precedence; no global default: off). Only
 * fixed-width columns (numbers, bool, dense and binary vectors) and never the primary key (every
 * read needs it for deletes). A vector field whose index searches rows it holds in memory (HNSW,
 * IVF_SQ8 and the other quantised IVF types: the index's data, which index-level mmap would govern)
 * keeps its column resident; one whose index reads a mapped field's rows on demand (descriptor
 * `openMapped`: IVF_FLAT, from a list-order file, mapped-rows.ts) is mapped; a field with a disk index
 * (descriptor `openFile`, DISKANN) is mapped whatever its settings, its index reading full-precision
 * rows from its own file.
 */
import { assert } from '../core/assert.js';
import { errors } from '../core/errors.js';
import { limits } from '../core/limits.js';
import { getIndexDescriptor } from '../index/registry.js';
import type { Column, ColumnKind } from '../schema/column.js';
import { columnKindFor } from '../schema/column.js';
import type { FieldSchema } from '../schema/types.js';
import type { CollectionMeta } from './meta.js';
import type { MappedFile, PageCache } from './page-cache.js';

export const MMAP_KEY = 'mmap.enabled';

type MappedKind = 'bool' | 'int8' | 'int16' | 'int32' | 'int64' | 'float' | 'double'
  | 'floatVector' | 'float16Vector' | 'bfloat16Vector' | 'int8Vector' | 'binaryVector';

/** Bytes per element of each kind a column can be mapped as. */
const ELEMENT_BYTES: Readonly<Record<MappedKind, number>> = {
  bool: 1, int8: 1, int16: 2, int32: 4, int64: 8, float: 4, double: 8,
  floatVector: 4, float16Vector: 2, bfloat16Vector: 2, int8Vector: 1, binaryVector: 1,
};

function isMappedKind(k: ColumnKind): k is MappedKind {
  return Object.prototype.hasOwnProperty.call(ELEMENT_BYTES, k);
}

/** Go's strconv.ParseBool, which Milvus applies to mmap.enabled; undefined when not a bool. */
export function parseMmapValue(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return undefined;
}

/** Elements per row of a field's column (vector dim, binary dim / 8, else 1). */
function elementsPerRow(kind: MappedKind, f: FieldSchema): number {
  if (kind === 'binaryVector') return (f.dim ?? 0) / 8;
  if (kind.endsWith('Vector')) return f.dim ?? 0;
  return 1;
}

/** Names of the fields whose sealed columns load mapped, with their bytes per row. */
export function mappedFieldNames(c: { meta: Pick<CollectionMeta, 'properties' | 'schema' | 'indexes'> }): Map<string, number> {
  const out = new Map<string, number>();
  const collectionWide = parseMmapValue(c.meta.properties[MMAP_KEY]);
  for (const f of c.meta.schema.fields) {
    if (f.isPrimaryKey || f.isDynamic) continue;
    let kind: ColumnKind;
    try { kind = columnKindFor(f.dataType); } catch { continue; }
    if (!isMappedKind(kind)) continue;
    const index = c.meta.indexes.find((i) => i.fieldId === f.fieldId);
    const desc = index ? tryDescriptor(index.indexType) : null;
    const diskIndex = desc?.openFile !== undefined;
    const indexHoldsRows = desc !== null && desc !== undefined && !diskIndex && desc.exactThreshold !== Number.POSITIVE_INFINITY
      && desc.openMapped === undefined;
    const wanted = parseMmapValue(f.typeParams[MMAP_KEY]) ?? collectionWide ?? false;
    if (diskIndex || (wanted && !indexHoldsRows)) out.set(f.name, ELEMENT_BYTES[kind] * elementsPerRow(kind, f));
  }
  return out;
}

function tryDescriptor(indexType: string): ReturnType<typeof getIndexDescriptor> | null {
  try { return getIndexDescriptor(indexType); } catch { return null; }
}

/** A fixed-width column of a loaded sealed segment, read from the segment file on demand. */
export class MappedColumn {
  readonly kind: MappedKind;
  readonly dim: number;
  readonly rowBytes: number;
  private readonly elementBytes: number;
  private scratch: Uint8Array | null = null;

  constructor(
    like: Column,
    readonly numRows: number,
    readonly valid: Uint8Array | null,
    private readonly cache: PageCache,
    readonly file: MappedFile,
    /** Offset of row 0 in the file. */
    readonly dataOffset: number,
  ) {
    assert(isMappedKind(like.kind), `column kind ${like.kind} cannot be mapped`);
    this.kind = like.kind;
    this.dim = 'dim' in like ? like.dim : 0;
    this.elementBytes = ELEMENT_BYTES[this.kind];
    const width = this.kind === 'binaryVector' ? this.dim / 8 : this.kind.endsWith('Vector') ? this.dim : 1;
    this.rowBytes = this.elementBytes * width;
  }

  /** Bytes the column would take in memory. */
  get sizeBytes(): number {
    return this.numRows * this.rowBytes;
  }

  /** Rows per scan window. */
  get windowRows(): number {
    return Math.max(1, Math.floor(limits.mmapWindowBytes / Math.max(1, this.rowBytes)));
  }

  /**
   * Rows [from, from + count) as a column over this column's scratch window: valid until the next
   * call of `window` (callers scan it and let go; nothing may keep it).
   */
  window(from: number, count: number): Column {
    assert(from >= 0 && count >= 0 && from + count <= this.numRows && count <= this.windowRows, 'mapped window bounds');
    const bytes = count * this.rowBytes;
    if (this.scratch === null) this.scratch = new Uint8Array(this.windowRows * this.rowBytes);
    const into = this.scratch.subarray(0, bytes);
    this.cache.read(this.file, this.dataOffset + from * this.rowBytes, into);
    return this.columnOver(into, this.valid === null ? null : this.valid.subarray(from, from + count));
  }

  /** The column's kind, dim and validity with no rows (what a disk index opens with). */
  shape(): Column {
    return this.columnOver(new Uint8Array(0), this.valid);
  }

  /** Raw bytes of the column from byte `at` (relative to row 0). */
  readBytes(at: number, into: Uint8Array): void {
    assert(at >= 0 && at + into.length <= this.sizeBytes, 'mapped byte range');
    this.cache.read(this.file, this.dataOffset + at, into);
  }

  /** The whole column in a fresh array (a transient copy, e.g. for a filter over a mapped scalar). */
  materialize(): Column {
    const into = new Uint8Array(this.numRows * this.rowBytes);
    this.cache.read(this.file, this.dataOffset, into);
    return this.columnOver(into, this.valid);
  }

  /** The values of `rows`, in that order (output fields, group-by values). */
  take(rows: ArrayLike<number>): Column {
    const n = rows.length;
    const into = new Uint8Array(n * this.rowBytes);
    const valid = this.valid === null ? null : new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const r = rows[i]!;
      if (r < 0 || r >= this.numRows) throw errors.internal(`mapped row ${r} outside [0, ${this.numRows})`);
      this.cache.read(this.file, this.dataOffset + r * this.rowBytes, into.subarray(i * this.rowBytes, (i + 1) * this.rowBytes));
      if (valid !== null) valid[i] = this.valid![r]!;
    }
    return this.columnOver(into, valid);
  }

  private columnOver(bytes: Uint8Array, valid: Uint8Array | null): Column {
    const b = bytes.buffer, o = bytes.byteOffset, n = bytes.byteLength / this.elementBytes;
    switch (this.kind) {
      case 'bool': return { kind: 'bool', data: bytes, valid };
      case 'int8': return { kind: 'int8', data: new Int8Array(b, o, n), valid };
      case 'int16': return { kind: 'int16', data: new Int16Array(b, o, n), valid };
      case 'int32': return { kind: 'int32', data: new Int32Array(b, o, n), valid };
      case 'int64': return { kind: 'int64', data: new BigInt64Array(b, o, n), valid };
      case 'float': return { kind: 'float', data: new Float32Array(b, o, n), valid };
      case 'double': return { kind: 'double', data: new Float64Array(b, o, n), valid };
      case 'floatVector': return { kind: 'floatVector', dim: this.dim, data: new Float32Array(b, o, n), valid };
      case 'float16Vector': return { kind: 'float16Vector', dim: this.dim, data: new Uint16Array(b, o, n), valid };
      case 'bfloat16Vector': return { kind: 'bfloat16Vector', dim: this.dim, data: new Uint16Array(b, o, n), valid };
      case 'int8Vector': return { kind: 'int8Vector', dim: this.dim, data: new Int8Array(b, o, n), valid };
      case 'binaryVector': return { kind: 'binaryVector', dim: this.dim, data: bytes, valid };
    }
  }
}

/**
 * Where a decoded column's rows start in its segment file, when the decoder handed out a view of the
 * file's bytes (aligned columns: always, the codec pads to 8 bytes), else null.
 */
export function fileOffsetOf(col: Column, fileBuffer: ArrayBufferLike, fileByteOffset: number): number | null {
  if (!isMappedKind(col.kind)) return null;
  const data = col.data as ArrayBufferView;
  if (data.buffer !== fileBuffer) return null;
  return data.byteOffset - fileByteOffset;
}
