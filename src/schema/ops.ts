/**
 * Column operations the engine needs: empty columns, reading one value, gathering rows, slicing,
 * concatenation, memory accounting and an amortised-growth builder for growing segments.
 */
import type { ArrayElement, FieldSchema, JsonValue, SparseVector } from './types.js';
import { columnKindFor, columnLength, isNullAt, vectorWidth, type Column, type ColumnKind } from './column.js';
import { DataType } from '../core/enums.js';
import { assert } from '../core/assert.js';
import { JSON_MAX_DEPTH } from './json.js';

type NumData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array | Uint16Array;

/** The shape every column of one field shares. */
export interface ColumnShape {
  kind: ColumnKind;
  /** Vector dim (bits for binary), 0 for non-vectors and sparse. */
  dim: number;
  /** Array element type, DataType.None for non-arrays. */
  elementType: DataType;
}

export function shapeOfField(field: FieldSchema): ColumnShape {
  const kind = columnKindFor(field.dataType);
  const fixedVector = kind === 'floatVector' || kind === 'float16Vector' || kind === 'bfloat16Vector'
    || kind === 'int8Vector' || kind === 'binaryVector';
  assert(!fixedVector || (field.dim !== null && field.dim > 0), `vector field ${field.name} has no dim`);
  return { kind, dim: fixedVector ? field.dim ?? 0 : 0, elementType: field.elementType ?? DataType.None };
}

export function shapeOf(c: Column): ColumnShape {
  switch (c.kind) {
    case 'floatVector': case 'float16Vector': case 'bfloat16Vector': case 'int8Vector': case 'binaryVector':
      return { kind: c.kind, dim: c.dim, elementType: DataType.None };
    case 'array': return { kind: c.kind, dim: 0, elementType: c.elementType };
    default: return { kind: c.kind, dim: 0, elementType: DataType.None };
  }
}

function sameShape(a: ColumnShape, b: ColumnShape): boolean {
  return a.kind === b.kind && a.dim === b.dim && a.elementType === b.elementType;
}

/** Elements of `data` per row for a shape. */
function widthOf(s: ColumnShape): number {
  if (s.kind === 'binaryVector') return s.dim / 8;
  return s.dim > 0 ? s.dim : 1;
}

function allocNum(kind: ColumnKind, n: number): NumData {
  switch (kind) {
    case 'bool': case 'binaryVector': return new Uint8Array(n);
    case 'int8': case 'int8Vector': return new Int8Array(n);
    case 'int16': return new Int16Array(n);
    case 'int32': return new Int32Array(n);
    case 'float': case 'floatVector': return new Float32Array(n);
    case 'double': return new Float64Array(n);
    case 'float16Vector': case 'bfloat16Vector': return new Uint16Array(n);
    default: throw new Error(`column kind ${kind} is not numeric`);
  }
}

/** Internal storage: one of three families. */
type Store =
  | { t: 'num'; data: NumData }
  | { t: 'big'; data: BigInt64Array }
  | { t: 'list'; data: unknown[] };

function storeOf(c: Column): Store {
  switch (c.kind) {
    case 'int64': return { t: 'big', data: c.data };
    case 'varchar': case 'json': case 'array': case 'sparseVector': return { t: 'list', data: c.data };
    default: return { t: 'num', data: c.data };
  }
}

/** Rebuild a column of `shape` from storage. The casts are safe: storage was made for this kind. */
function makeColumn(s: ColumnShape, store: Store, valid: Uint8Array | null): Column {
  const { data } = store;
  switch (s.kind) {
    case 'bool': return { kind: 'bool', data: data as Uint8Array, valid };
    case 'int8': return { kind: 'int8', data: data as Int8Array, valid };
    case 'int16': return { kind: 'int16', data: data as Int16Array, valid };
    case 'int32': return { kind: 'int32', data: data as Int32Array, valid };
    case 'int64': return { kind: 'int64', data: data as BigInt64Array, valid };
    case 'float': return { kind: 'float', data: data as Float32Array, valid };
    case 'double': return { kind: 'double', data: data as Float64Array, valid };
    case 'varchar': return { kind: 'varchar', data: data as string[], valid };
    case 'json': return { kind: 'json', data: data as JsonValue[], valid };
    case 'array': return { kind: 'array', elementType: s.elementType, data: data as ArrayElement[][], valid };
    case 'sparseVector': return { kind: 'sparseVector', data: data as SparseVector[], valid };
    case 'floatVector': return { kind: 'floatVector', dim: s.dim, data: data as Float32Array, valid };
    case 'float16Vector': return { kind: 'float16Vector', dim: s.dim, data: data as Uint16Array, valid };
    case 'bfloat16Vector': return { kind: 'bfloat16Vector', dim: s.dim, data: data as Uint16Array, valid };
    case 'int8Vector': return { kind: 'int8Vector', dim: s.dim, data: data as Int8Array, valid };
    case 'binaryVector': return { kind: 'binaryVector', dim: s.dim, data: data as Uint8Array, valid };
  }
}

/** A column with no rows for `field` (nullable fields get an empty `valid`). */
export function emptyColumn(field: FieldSchema): Column {
  const s = shapeOfField(field);
  const store: Store = s.kind === 'int64' ? { t: 'big', data: new BigInt64Array(0) }
    : isListKind(s.kind) ? { t: 'list', data: [] } : { t: 'num', data: allocNum(s.kind, 0) };
  return makeColumn(s, store, field.nullable ? new Uint8Array(0) : null);
}

export function isListKind(k: ColumnKind): boolean {
  return k === 'varchar' || k === 'json' || k === 'array' || k === 'sparseVector';
}

/**
 * The value at `row`: null for NULL; bigint for int64; boolean for bool; a subarray view for
 * fixed-width vectors (do not mutate it); SparseVector, JsonValue and ArrayElement[] as stored.
 */
export function columnValueAt(c: Column, row: number): unknown {
  if (isNullAt(c, row)) return null;
  switch (c.kind) {
    case 'bool': return c.data[row] !== 0;
    case 'floatVector': case 'float16Vector': case 'bfloat16Vector': case 'int8Vector': case 'binaryVector': {
      const w = vectorWidth(c);
      return c.data.subarray(row * w, (row + 1) * w);
    }
    default: return c.data[row];
  }
}

const int64WordViews = new WeakMap<BigInt64Array, Int32Array>();

/** An int64 column's data as 32-bit words; the view is kept per array (a view costs more than a few rows' copy). */
function wordsOfInt64(data: BigInt64Array): Int32Array {
  let v = int64WordViews.get(data);
  if (v === undefined) int64WordViews.set(data, (v = new Int32Array(data.buffer, data.byteOffset, data.length * 2)));
  return v;
}

/**
 * dst's row i = src's row rows[i], `w` elements each (same element type). A plain loop: for short
 * rows such as a search's few hits, a `subarray` + `set` per row costs more than the copy.
 */
function copyRowsOf(src: NumData, dst: NumData, rows: ArrayLike<number>, w: number): void {
  const from = src as Float32Array;
  const to = dst as Float32Array;
  for (let i = 0; i < rows.length; i++) {
    const a = (rows[i] ?? 0) * w;
    const b = i * w;
    for (let j = 0; j < w; j++) to[b + j] = from[a + j]!;
  }
}

/** Gather `rows` (any order, repeats allowed) into a new column; `valid` is gathered too. */
export function takeRows(c: Column, rows: ArrayLike<number>): Column {
  const s = shapeOf(c);
  const w = widthOf(s);
  const n = rows.length;
  const len = columnLength(c);
  for (let i = 0; i < n; i++) {
    const r = rows[i] ?? -1;
    // The message is built only on failure: a template argument would format two numbers per row.
    if (!(Number.isInteger(r) && r >= 0 && r < len)) assert(false, `takeRows: row ${r} outside [0, ${len})`);
  }
  const src = storeOf(c);
  let out: Store;
  if (src.t === 'num') {
    const dst = allocNum(s.kind, n * w);
    if (w === 1) for (let i = 0; i < n; i++) dst[i] = src.data[rows[i] ?? 0] ?? 0;
    else copyRowsOf(src.data, dst, rows, w);
    out = { t: 'num', data: dst };
  } else if (src.t === 'big') {
    // Copied as 32-bit word pairs: reading a BigInt64Array element makes a BigInt.
    const dst = new BigInt64Array(n);
    const from = wordsOfInt64(src.data);
    const to = new Int32Array(dst.buffer, dst.byteOffset, n * 2);
    for (let i = 0; i < n; i++) {
      const r = rows[i] ?? 0;
      to[2 * i] = from[2 * r]!;
      to[2 * i + 1] = from[2 * r + 1]!;
    }
    out = { t: 'big', data: dst };
  } else {
    const dst = new Array<unknown>(n);
    for (let i = 0; i < n; i++) dst[i] = src.data[rows[i] ?? 0];
    out = { t: 'list', data: dst };
  }
  let valid: Uint8Array | null = null;
  if (c.valid !== null) {
    valid = new Uint8Array(n);
    for (let i = 0; i < n; i++) valid[i] = c.valid[rows[i] ?? 0] ?? 0;
  }
  return makeColumn(s, out, valid);
}

/** Rows [start, end) as an independent copy. */
export function sliceColumn(c: Column, start: number, end: number): Column {
  const len = columnLength(c);
  assert(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= len,
    `sliceColumn: [${start}, ${end}) outside [0, ${len}]`);
  const s = shapeOf(c);
  const w = widthOf(s);
  const src = storeOf(c);
  const out: Store = src.t === 'num' ? { t: 'num', data: src.data.slice(start * w, end * w) }
    : src.t === 'big' ? { t: 'big', data: src.data.slice(start, end) }
      : { t: 'list', data: src.data.slice(start, end) };
  return makeColumn(s, out, c.valid === null ? null : c.valid.slice(start, end));
}

/** Concatenate columns of one shape; the result has `valid` when any input has. */
export function concatColumns(cs: readonly Column[]): Column {
  const first = cs[0];
  assert(first !== undefined, 'concatColumns needs at least one column');
  const nullable = cs.some((c) => c.valid !== null);
  let rows = 0;
  for (const c of cs) rows += columnLength(c);
  // Sized once: each row is copied once (no doubling, no final trim), and build() views exactly `rows`.
  const b = new ShapeBuilder(shapeOf(first), nullable, rows);
  for (const c of cs) b.append(c);
  return b.build();
}

/** Approximate bytes a column holds in memory (for load accounting; JS heap overheads estimated). */
export function columnBytes(c: Column): number {
  let n = c.valid === null ? 0 : c.valid.byteLength;
  switch (c.kind) {
    case 'varchar': for (const s of c.data) n += 16 + s.length; break;
    case 'json': for (const v of c.data) n += jsonBytes(v, 0); break;
    case 'array':
      for (const a of c.data) {
        n += 16 + 8 * a.length;
        for (const e of a) if (typeof e === 'string') n += 16 + e.length;
      }
      break;
    case 'sparseVector': for (const v of c.data) n += 96 + v.indices.byteLength + v.values.byteLength; break;
    default: n += c.data.byteLength;
  }
  return n;
}

function jsonBytes(v: JsonValue, depth: number): number {
  if (v === null || typeof v === 'boolean' || typeof v === 'number') return 8;
  if (typeof v === 'string') return 16 + v.length;
  if (depth > JSON_MAX_DEPTH) return 16;
  let n = 32;
  if (Array.isArray(v)) for (const x of v) n += 8 + jsonBytes(x, depth + 1);
  else for (const k of Object.keys(v)) n += 24 + k.length + jsonBytes(v[k] ?? null, depth + 1);
  return n;
}

/**
 * Buffers at least this large are allocated as fresh mappings whose pages are committed only when
 * first written: glibc's malloc serves every request above its largest mmap threshold (32 MiB on
 * 64-bit) with its own mmap and calloc leaves those zero pages untouched (other allocators do the
 * same for blocks this large). A builder that knows its bound allocates it whole at this size, so
 * rows are never copied into a bigger buffer, and memory accounting counts the written part only.
 */
export const LAZY_BUFFER_BYTES = 32 * 1024 * 1024;

const PAGE_BYTES = 4096;

/** Bytes written so far into each lazily committed buffer (see LAZY_BUFFER_BYTES). */
const writtenPrefix = new WeakMap<ArrayBufferLike, { bytes: number }>();

/**
 * Bytes of `b` that hold memory: its whole length, or for a buffer a ShapeBuilder allocated at its
 * bound, the written prefix rounded up to whole pages.
 */
export function committedBytes(b: ArrayBufferLike): number {
  const w = writtenPrefix.get(b);
  if (w === undefined) return b.byteLength;
  return Math.min(b.byteLength, Math.ceil(w.bytes / PAGE_BYTES) * PAGE_BYTES);
}

/**
 * Appends columns of one shape; typed arrays grow by doubling, up to `capRows` while that suffices,
 * except that a buffer of `capRows` rows as large as LAZY_BUFFER_BYTES is allocated at once when the
 * first growth comes (its unwritten pages cost nothing), so rows are copied at most once more.
 */
export class ShapeBuilder {
  private store: Store;
  /** Allocating at the bound failed once (see allocAtBound). */
  private boundRefused = false;
  private valid: Uint8Array | null;
  private rows = 0;
  private readonly width: number;

  /** `capacityRows`: rows to allocate for at once (a builder that knows its final size never grows). */
  constructor(readonly shape: ColumnShape, readonly nullable: boolean, capacityRows = 16, private readonly capRows = Infinity) {
    this.width = widthOf(shape);
    this.store = shape.kind === 'int64' ? { t: 'big', data: new BigInt64Array(capacityRows) }
      : isListKind(shape.kind) ? { t: 'list', data: [] } : { t: 'num', data: allocNum(shape.kind, capacityRows * this.width) };
    this.valid = nullable ? new Uint8Array(capacityRows) : null;
  }

  get length(): number {
    return this.rows;
  }

  append(c: Column): void {
    const s = shapeOf(c);
    assert(sameShape(s, this.shape), `cannot append a ${s.kind}(${s.dim}) column to a ${this.shape.kind}(${this.shape.dim}) builder`);
    const n = columnLength(c);
    this.reserve(this.rows + n);
    const src = storeOf(c);
    const st = this.store;
    if (st.t === 'num' && src.t === 'num') st.data.set(src.data, this.rows * this.width);
    else if (st.t === 'big' && src.t === 'big') st.data.set(src.data, this.rows);
    else if (st.t === 'list' && src.t === 'list') for (let i = 0; i < n; i++) st.data.push(src.data[i]);
    if (this.valid !== null) {
      if (c.valid !== null) this.valid.set(c.valid, this.rows);
      else this.valid.fill(1, this.rows, this.rows + n);
    } else if (c.valid !== null) {
      for (let i = 0; i < n; i++) assert(c.valid[i] !== 0, 'NULL appended to a builder of a non-nullable field');
    }
    this.rows += n;
    if (st.t !== 'list') {
      const w = writtenPrefix.get(st.data.buffer);
      if (w !== undefined) w.bytes = this.rows * this.width * st.data.BYTES_PER_ELEMENT;
    }
  }

  private reserve(rows: number): void {
    const st = this.store;
    if (this.valid !== null && this.valid.length < rows) {
      const next = new Uint8Array(capacityFor(this.valid.length, rows, this.capRows));
      next.set(this.valid);
      this.valid = next;
    }
    if (st.t === 'num' && st.data.length < rows * this.width) {
      const kind = this.shape.kind;
      const atBound = this.atBound(rows, st.data.BYTES_PER_ELEMENT) ? this.allocAtBound(() => allocNum(kind, this.capRows * this.width)) : null;
      const next = atBound ?? allocNum(kind, capacityFor(st.data.length / this.width, rows, this.capRows) * this.width);
      next.set(st.data);
      if (atBound !== null) writtenPrefix.set(next.buffer, { bytes: st.data.byteLength });
      st.data = next;
    } else if (st.t === 'big' && st.data.length < rows) {
      const atBound = this.atBound(rows, 8) ? this.allocAtBound(() => new BigInt64Array(this.capRows)) : null;
      const next = atBound ?? new BigInt64Array(capacityFor(st.data.length, rows, this.capRows));
      next.set(st.data);
      if (atBound !== null) writtenPrefix.set(next.buffer, { bytes: st.data.byteLength });
      st.data = next;
    }
  }

  /** Whether growth to `rows` should allocate the bound at once (a lazily committed buffer). */
  private atBound(rows: number, bytesPerElement: number): boolean {
    return !this.boundRefused && Number.isFinite(this.capRows) && rows <= this.capRows
      && this.capRows * this.width * bytesPerElement >= LAZY_BUFFER_BYTES;
  }

  /**
   * The buffer at the bound, or null when the allocation is refused (a strict overcommit policy such as
   * `vm.overcommit_memory=2` charges the whole block at once): the builder grows by doubling from then on.
   */
  private allocAtBound<T>(alloc: () => T): T | null {
    try {
      return alloc();
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      this.boundRefused = true;
      return null;
    }
  }

  /** The rows so far. Typed arrays are views of the builder's buffers: later appends never modify them. */
  build(): Column {
    const st = this.store;
    const n = this.rows;
    const out: Store = st.t === 'num' ? { t: 'num', data: st.data.subarray(0, n * this.width) }
      : st.t === 'big' ? { t: 'big', data: st.data.subarray(0, n) } : { t: 'list', data: st.data.slice(0, n) };
    return makeColumn(this.shape, out, this.valid === null ? null : this.valid.subarray(0, n));
  }
}

function capacityFor(current: number, needed: number, capRows = Infinity): number {
  let cap = Math.max(16, current);
  while (cap < needed) cap *= 2;
  return needed <= capRows ? Math.min(cap, capRows) : cap;
}

/** Accumulates columns of one field (growing segments). `build()` returns the rows so far. */
export class ColumnBuilder {
  private readonly inner: ShapeBuilder;

  constructor(readonly field: FieldSchema) {
    this.inner = new ShapeBuilder(shapeOfField(field), field.nullable);
  }

  append(c: Column): void {
    this.inner.append(c);
  }

  get length(): number {
    return this.inner.length;
  }

  build(): Column {
    return this.inner.build();
  }
}
