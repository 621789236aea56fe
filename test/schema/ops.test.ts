/** Column operations against a naive model: a column is a plain array of row values (null = NULL). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  ColumnBuilder, columnBytes, columnValueAt, committedBytes, concatColumns, emptyColumn, LAZY_BUFFER_BYTES, ShapeBuilder, sliceColumn, takeRows,
} from '../../src/schema/ops.js';
import { memoryOf } from '../../src/index/memory.js';
import { columnLength, type Column } from '../../src/schema/column.js';
import type { FieldSchema } from '../../src/schema/types.js';
import { DataType } from '../../src/core/enums.js';
import { int64Text, int64Words } from '../../src/core/int64.js';

function field(dataType: DataType, nullable: boolean, dim: number | null = null): FieldSchema {
  return {
    fieldId: 100, name: 'f', description: '', dataType, isPrimaryKey: false, autoId: false, isPartitionKey: false,
    isClusteringKey: false, isDynamic: false, nullable, defaultValue: null, dim, maxLength: 16, maxCapacity: 4,
    elementType: dataType === DataType.Array ? DataType.Int64 : null, typeParams: {},
  };
}

/** A kind: its field, a value generator (model form) and a builder from model rows to a Column. */
interface Kind {
  field: FieldSchema;
  value: fc.Arbitrary<unknown>;
  make(rows: unknown[]): Column;
}

const validOf = (f: FieldSchema, rows: unknown[]) => (f.nullable ? Uint8Array.from(rows, (r) => (r === null ? 0 : 1)) : null);

function kinds(nullable: boolean): Kind[] {
  const mk = <T>(f: FieldSchema, value: fc.Arbitrary<T>, make: (rows: (T | null)[], valid: Uint8Array | null) => Column): Kind =>
    ({ field: f, value, make: (rows) => make(rows as (T | null)[], validOf(f, rows)) });
  return [
    mk(field(DataType.Int64, nullable), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      (r, valid) => ({ kind: 'int64', data: BigInt64Array.from(r, (x) => x ?? 0n), valid })),
    mk(field(DataType.Bool, nullable), fc.boolean(), (r, valid) => ({ kind: 'bool', data: Uint8Array.from(r, (x) => (x === true ? 1 : 0)), valid })),
    mk(field(DataType.Double, nullable), fc.double({ noNaN: true }), (r, valid) => ({ kind: 'double', data: Float64Array.from(r, (x) => x ?? 0), valid })),
    mk(field(DataType.VarChar, nullable), fc.string({ maxLength: 6 }), (r, valid) => ({ kind: 'varchar', data: r.map((x) => x ?? ''), valid })),
    mk(field(DataType.JSON, nullable), fc.dictionary(fc.string({ maxLength: 3 }), fc.integer()).map((d) => ({ ...d })),
      (r, valid) => ({ kind: 'json', data: r.map((x) => x ?? null), valid })),
    mk(field(DataType.Array, nullable), fc.array(fc.bigInt({ min: -5n, max: 5n }), { maxLength: 4 }),
      (r, valid) => ({ kind: 'array', elementType: DataType.Int64, data: r.map((x) => x ?? []), valid })),
    mk(field(DataType.FloatVector, nullable, 3), fc.array(fc.float({ noNaN: true }), { minLength: 3, maxLength: 3 }),
      (r, valid) => ({ kind: 'floatVector', dim: 3, data: Float32Array.from(r.flatMap((x) => x ?? [0, 0, 0])), valid })),
    mk(field(DataType.BinaryVector, nullable, 16), fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 2, maxLength: 2 }),
      (r, valid) => ({ kind: 'binaryVector', dim: 16, data: Uint8Array.from(r.flatMap((x) => x ?? [0, 0])), valid })),
    mk(field(DataType.Float16Vector, nullable, 2), fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 2, maxLength: 2 }),
      (r, valid) => ({ kind: 'float16Vector', dim: 2, data: Uint16Array.from(r.flatMap((x) => x ?? [0, 0])), valid })),
    mk(field(DataType.SparseFloatVector, nullable), fc.uniqueArray(fc.nat(100), { maxLength: 3 }).map((ix) => ix.sort((a, b) => a - b)),
      (r, valid) => ({ kind: 'sparseVector', valid, data: r.map((x) => ({ indices: Uint32Array.from(x ?? []), values: Float32Array.from(x ?? [], (i) => i / 2) })) })),
  ];
}

/** Model view of a column: one entry per row, typed arrays turned into plain arrays. */
function model(c: Column): unknown[] {
  const out: unknown[] = [];
  for (let r = 0; r < columnLength(c); r++) {
    const v = columnValueAt(c, r);
    if (v !== null && typeof v === 'object' && 'indices' in v) out.push(Array.from((v as { indices: Uint32Array }).indices));
    else if (ArrayBuffer.isView(v)) out.push(Array.from(v as Uint8Array));
    else out.push(v);
  }
  return out;
}

const allKinds = [...kinds(false), ...kinds(true)];
const kindArb = fc.constantFrom(...allKinds.map((_, i) => i)).map((i) => allKinds[i] as Kind);
const rowsOf = (k: Kind, max: number) => fc.array(k.field.nullable ? fc.option(k.value, { nil: null }) : k.value, { maxLength: max });

test('takeRows gathers like rows.map(i => model[i]), keeping NULLs', () => {
  fc.assert(fc.property(kindArb.chain((k) => rowsOf(k, 12).filter((r) => r.length > 0).chain((rows) =>
    fc.tuple(fc.constant(k), fc.constant(rows), fc.array(fc.nat(rows.length - 1), { maxLength: 20 })))), ([k, rows, idx]) => {
    const c = k.make(rows);
    const t = takeRows(c, Uint32Array.from(idx));
    assert.deepStrictEqual(model(t), idx.map((i) => model(c)[i]));
    assert.equal(t.kind, c.kind);
    assert.equal(t.valid !== null, c.valid !== null);
  }), { numRuns: 300 });
});

test('sliceColumn is model.slice and an independent copy', () => {
  fc.assert(fc.property(kindArb.chain((k) => rowsOf(k, 12).chain((rows) =>
    fc.tuple(fc.constant(k), fc.constant(rows), fc.nat(rows.length), fc.nat(rows.length)))), ([k, rows, a, b]) => {
    const [s, e] = a <= b ? [a, b] : [b, a];
    const c = k.make(rows);
    const sl = sliceColumn(c, s, e);
    assert.deepStrictEqual(model(sl), model(c).slice(s, e));
    if (sl.kind === 'int64' && sl.data.length > 0 && c.kind === 'int64') {
      const before = c.data[s] ?? 0n;
      sl.data[0] = before + 1n;
      assert.equal(c.data[s], before, 'writing the slice does not touch the source');
    }
  }), { numRuns: 300 });
});

test('concatColumns and ColumnBuilder equal the concatenated models; builder views stay stable', () => {
  fc.assert(fc.property(kindArb.chain((k) => fc.tuple(fc.constant(k), fc.array(rowsOf(k, 40), { maxLength: 6 }))), ([k, parts]) => {
    const cols = parts.map((p) => k.make(p));
    const want = cols.flatMap(model);
    const b = new ColumnBuilder(k.field);
    const snapshots: [Column, unknown[]][] = [];
    for (const c of cols) {
      b.append(c);
      const built = b.build();
      snapshots.push([built, model(built)]);
    }
    assert.equal(b.length, want.length);
    assert.deepStrictEqual(model(b.build()), want);
    for (const [built, m] of snapshots) assert.deepStrictEqual(model(built), m, 'earlier build() results are unchanged by later appends');
    if (cols.length > 0) {
      const cat = concatColumns(cols);
      assert.deepStrictEqual(model(cat), want);
      assert.equal(columnLength(cat), want.length);
    }
    assert.equal(b.build().valid !== null, k.field.nullable);
  }), { numRuns: 200 });
});

test('ColumnBuilder grows by doubling, not per append', () => {
  const f = field(DataType.FloatVector, false, 4);
  const b = new ColumnBuilder(f);
  const one: Column = { kind: 'floatVector', dim: 4, data: new Float32Array([1, 2, 3, 4]), valid: null };
  const buffers = new Set<ArrayBufferLike>();
  for (let i = 0; i < 1000; i++) {
    b.append(one);
    const built = b.build();
    if (built.kind === 'floatVector') buffers.add(built.data.buffer);
  }
  assert.ok(buffers.size <= 8, `${buffers.size} reallocations for 1000 appends`);
  assert.equal(b.length, 1000);
});

test('a builder whose bound is a large buffer allocates it at the first growth, counts its written pages and keeps its rows', () => {
  const dim = 128;
  const capRows = Math.ceil(LAZY_BUFFER_BYTES / (4 * dim)) + 1000; // just past the lazy size
  const b = new ShapeBuilder({ kind: 'floatVector', dim, elementType: DataType.None }, false, 2000, capRows);
  const batch = (k: number): Column => ({ kind: 'floatVector', dim, data: Float32Array.from({ length: 1000 * dim }, (_, i) => k * 4096 + (i % 4096)), valid: null }); // exact in float32
  const buffers = new Set<ArrayBufferLike>();
  const counted: number[] = [];
  let rows = 0;
  for (let k = 0; rows + 1000 <= capRows; k++) {
    b.append(batch(k));
    rows += 1000;
    const built = b.build();
    assert.equal(built.kind, 'floatVector');
    if (built.kind !== 'floatVector') return;
    buffers.add(built.data.buffer);
    if (k < 5) counted.push(memoryOf((t) => t.column(built)));
  }
  // 2,000 rows first, then the bound at once: two buffers, never a third.
  assert.equal(buffers.size, 2);
  const last = [...buffers][1]!;
  assert.equal(last.byteLength, capRows * dim * 4);
  // Accounting follows the written rows (whole pages), not the buffer: 3,000 rows after the jump.
  assert.equal(counted[0], 1000 * dim * 4 * 2, 'the first buffer (room for 2,000 rows) counts whole');
  assert.equal(counted[2], Math.ceil((3000 * dim * 4) / 4096) * 4096);
  assert.equal(counted[4], Math.ceil((5000 * dim * 4) / 4096) * 4096);
  assert.equal(committedBytes(last), Math.ceil((rows * dim * 4) / 4096) * 4096);
  const all = b.build();
  if (all.kind !== 'floatVector') return;
  for (const k of [0, 1, 2, Math.floor(rows / 1000) - 1]) assert.equal(all.data[k * 1000 * dim + 7], k * 4096 + 7, `batch ${k} kept`);
  // A builder without a bound, or with a small one, never jumps.
  const small = new ShapeBuilder({ kind: 'floatVector', dim, elementType: DataType.None }, false, 16, 4096);
  for (let k = 0; k < 3; k++) small.append(batch(k));
  const sb = small.build();
  if (sb.kind !== 'floatVector') return;
  assert.equal(sb.data.buffer.byteLength, 4096 * dim * 4);
  assert.equal(committedBytes(sb.data.buffer), sb.data.buffer.byteLength);
});

test('a builder whose allocation at the bound is refused grows by doubling and keeps its rows', () => {
  const dim = 128;
  const capRows = Math.ceil(LAZY_BUFFER_BYTES / (4 * dim)) + 1000;
  const Real = globalThis.Float32Array;
  let refused = 0;
  // What a strict overcommit policy does to a 64 MiB calloc: V8 throws "Array buffer allocation failed".
  class Refusing extends Real {
    constructor(...args: unknown[]) {
      if (typeof args[0] === 'number' && args[0] * 4 >= LAZY_BUFFER_BYTES) {
        refused++;
        throw new RangeError('Array buffer allocation failed');
      }
      super(...(args as [number]));
    }
  }
  const b = new ShapeBuilder({ kind: 'floatVector', dim, elementType: DataType.None }, false, 2000, capRows);
  const batch = (k: number): Column => ({ kind: 'floatVector', dim, data: Real.from({ length: 1000 * dim }, (_, i) => k * 4096 + (i % 4096)), valid: null });
  const sizes: number[] = [];
  globalThis.Float32Array = Refusing as unknown as Float32ArrayConstructor;
  try {
    for (let k = 0; k < 40; k++) {
      b.append(batch(k));
      const built = b.build();
      if (built.kind === 'floatVector' && sizes.at(-1) !== built.data.buffer.byteLength) sizes.push(built.data.buffer.byteLength);
    }
  } finally {
    globalThis.Float32Array = Real;
  }
  assert.equal(refused, 1, 'the bound is tried once, then the builder doubles');
  assert.deepEqual(sizes, [2000, 4000, 8000, 16000, 32000, 64000].map((r) => r * dim * 4));
  const all = b.build();
  if (all.kind !== 'floatVector') return;
  assert.equal(committedBytes(all.data.buffer), all.data.buffer.byteLength, 'a doubled buffer counts whole');
  for (const k of [0, 1, 17, 39]) assert.equal(all.data[k * 1000 * dim + 7], k * 4096 + 7, `batch ${k} kept`);
});

test('the unwritten pages of a buffer allocated at its bound hold no memory (RSS)', () => {
  const dim = 128;
  const capRows = (512 * 1024 * 1024) / (4 * dim); // a 512 MiB bound
  const b = new ShapeBuilder({ kind: 'floatVector', dim, elementType: DataType.None }, false, 1000, capRows);
  const batch: Column = { kind: 'floatVector', dim, data: new Float32Array(1000 * dim).fill(1), valid: null };
  const before = process.memoryUsage().rss;
  for (let k = 0; k < 4; k++) b.append(batch);
  const grown = process.memoryUsage().rss - before;
  const built = b.build();
  assert.equal(built.kind === 'floatVector' && built.data.buffer.byteLength, 512 * 1024 * 1024);
  assert.ok(grown < 128 * 1024 * 1024, `RSS grew by ${(grown / 1048576).toFixed(0)} MiB for 4,000 rows in a 512 MiB buffer`);
  assert.equal(b.length, 4000);
});

test('concatColumns mixes nullable and non-nullable inputs; emptyColumn has zero rows', () => {
  const a: Column = { kind: 'int32', data: new Int32Array([1, 2]), valid: null };
  const b: Column = { kind: 'int32', data: new Int32Array([0, 4]), valid: new Uint8Array([0, 1]) };
  assert.deepStrictEqual(model(concatColumns([a, b])), [1, 2, null, 4]);
  for (const k of allKinds) {
    const e = emptyColumn(k.field);
    assert.equal(columnLength(e), 0);
    assert.equal(e.valid !== null, k.field.nullable);
    assert.equal(e.kind, k.make([]).kind);
  }
  assert.throws(() => concatColumns([a, { kind: 'int64', data: new BigInt64Array(1), valid: null }]));
});

test('columnBytes grows with content', () => {
  const small: Column = { kind: 'floatVector', dim: 4, data: new Float32Array(4), valid: null };
  const big: Column = { kind: 'floatVector', dim: 4, data: new Float32Array(400), valid: null };
  assert.equal(columnBytes(small), 16);
  assert.equal(columnBytes(big), 1600);
  const s1: Column = { kind: 'varchar', data: ['a'], valid: null };
  const s2: Column = { kind: 'varchar', data: ['a'.repeat(1000)], valid: new Uint8Array(1) };
  assert.ok(columnBytes(s2) > columnBytes(s1) + 900);
  const j: Column = { kind: 'json', data: [{ k: 'x'.repeat(500) }], valid: null };
  assert.ok(columnBytes(j) > 500);
});

test('takeRows copies int64 values of every width (32-bit word pairs), and int64Text prints them as String does', () => {
  const edge = [0n, 1n, -1n, 7n, 2n ** 31n - 1n, -(2n ** 31n), 2n ** 31n, -(2n ** 31n) - 1n, 2n ** 32n, 2n ** 40n + 3n, 2n ** 63n - 1n, -(2n ** 63n), -4294967296n, 4294967295n];
  fc.assert(fc.property(fc.array(fc.oneof(fc.constantFrom(...edge), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })), { minLength: 1, maxLength: 40 }), fc.nat(), (values, seed) => {
    const data = BigInt64Array.from(values);
    const rows = Array.from({ length: 1 + (seed % 60) }, (_, i) => (seed * 7 + i * 13) % values.length);
    const out = takeRows({ kind: 'int64', data, valid: null }, rows);
    assert.equal(out.kind, 'int64');
    assert.deepEqual(Array.from(out.data as BigInt64Array), rows.map((r) => values[r]!));
    const words = int64Words(data);
    for (let r = 0; r < values.length; r++) assert.equal(int64Text(data, words, r), String(values[r]!));
  }), { numRuns: 300 });
});
