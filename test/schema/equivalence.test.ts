/**
 * Property: for random schemas and random data, rowsToBatch over SDK-style rows and validateBatch
 * over the equivalent row-dense Columns give identical batches; and the batch holds what the
 * logical data says (values, NULLs, defaults).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildCollectionSchema, type CollectionSpec, type FieldSpec } from '../../src/schema/build.js';
import { rowsToBatch, validateBatch } from '../../src/schema/rows.js';
import { columnValueAt } from '../../src/schema/ops.js';
import type { Column } from '../../src/schema/column.js';
import type { FieldSchema, JsonValue, ScalarValue } from '../../src/schema/types.js';
import { DataType } from '../../src/core/enums.js';
import { float16BitsToFloat32, bfloat16BitsToFloat32 } from '../../src/schema/half.js';

/** One logical cell: null means missing / NULL. */
type Cell = unknown;

interface FieldGen {
  spec: Omit<FieldSpec, 'name'>;
  /** A valid logical value (already in stored form: bigint for int64, float32-rounded floats...). */
  value: fc.Arbitrary<unknown>;
}

/** Deep copy with ordinary prototypes (fast-check builds null-prototype objects). */
function plain(v: unknown): JsonValue {
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, JsonValue> = {};
    for (const k of Object.keys(v)) {
      Object.defineProperty(out, k, { value: plain((v as Record<string, unknown>)[k]), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return v as JsonValue;
}

const f32 = fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).map(Math.fround);
const int64 = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
const text = (max: number) => fc.string({ maxLength: max }).filter((s) => Buffer.byteLength(s) <= max);
const json: fc.Arbitrary<JsonValue> = fc.jsonValue({ maxDepth: 3 }).map(plain).filter((v) => v !== null);
const sparse = fc.dictionary(fc.integer({ min: 0, max: 1000 }).map(String), f32, { maxKeys: 5 });

const halfBits = (bf: boolean) => fc.integer({ min: 0, max: 0xffff }).filter((h) => bf ? (h & 0x7f80) !== 0x7f80 : (h & 0x7c00) !== 0x7c00);

const scalarGens: fc.Arbitrary<FieldGen>[] = [
  fc.constant({ spec: { dataType: DataType.Bool }, value: fc.boolean() }),
  fc.constant({ spec: { dataType: DataType.Int8 }, value: fc.integer({ min: -128, max: 127 }) }),
  fc.constant({ spec: { dataType: DataType.Int16 }, value: fc.integer({ min: -32768, max: 32767 }) }),
  fc.constant({ spec: { dataType: DataType.Int32 }, value: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) }),
  fc.constant({ spec: { dataType: DataType.Int64 }, value: int64 }),
  fc.constant({ spec: { dataType: DataType.Float }, value: f32 }),
  fc.constant({ spec: { dataType: DataType.Double }, value: fc.double({ noNaN: true, noDefaultInfinity: true }) }),
  fc.constant({ spec: { dataType: DataType.VarChar, maxLength: 12 }, value: text(12) }),
  fc.constant({ spec: { dataType: DataType.JSON }, value: json }),
  fc.constant({ spec: { dataType: DataType.Array, elementType: DataType.Int64, maxCapacity: 4 }, value: fc.array(int64, { maxLength: 4 }) }),
  fc.constant({ spec: { dataType: DataType.Array, elementType: DataType.VarChar, maxCapacity: 3, maxLength: 5 }, value: fc.array(text(5), { maxLength: 3 }) }),
  fc.constant({ spec: { dataType: DataType.Array, elementType: DataType.Float, maxCapacity: 3 }, value: fc.array(f32, { maxLength: 3 }) }),
];

const vectorGens: fc.Arbitrary<FieldGen>[] = [
  fc.integer({ min: 2, max: 6 }).map((dim) => ({ spec: { dataType: DataType.FloatVector, dim }, value: fc.array(f32, { minLength: dim, maxLength: dim }) })),
  fc.integer({ min: 2, max: 4 }).map((dim) => ({ spec: { dataType: DataType.Float16Vector, dim }, value: fc.array(halfBits(false), { minLength: dim, maxLength: dim }) })),
  fc.integer({ min: 2, max: 4 }).map((dim) => ({ spec: { dataType: DataType.BFloat16Vector, dim }, value: fc.array(halfBits(true), { minLength: dim, maxLength: dim }) })),
  fc.integer({ min: 2, max: 4 }).map((dim) => ({ spec: { dataType: DataType.Int8Vector, dim }, value: fc.array(fc.integer({ min: -128, max: 127 }), { minLength: dim, maxLength: dim }) })),
  fc.integer({ min: 1, max: 3 }).map((bytes) => ({ spec: { dataType: DataType.BinaryVector, dim: bytes * 8 }, value: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: bytes, maxLength: bytes }) })),
  fc.constant({ spec: { dataType: DataType.SparseFloatVector }, value: sparse }),
];

interface Case {
  spec: CollectionSpec;
  gens: FieldGen[];
  isUpsert: boolean;
}

/** Nullable / default flavour for a non-PK field. */
function withNullRule(g: FieldGen, rule: 0 | 1 | 2 | 3): fc.Arbitrary<FieldGen> {
  const t = g.spec.dataType;
  const canDefault = t !== DataType.JSON && t !== DataType.Array && t < 100;
  const nullable = rule === 1 || rule === 3;
  if (!canDefault || rule < 2) return fc.constant({ ...g, spec: { ...g.spec, nullable } });
  return g.value.map((d) => ({ ...g, spec: { ...g.spec, nullable, defaultValue: d as ScalarValue } }));
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  pkVarChar: fc.boolean(),
  autoId: fc.boolean(),
  isUpsert: fc.boolean(),
  dynamic: fc.boolean(),
  vectors: fc.array(fc.oneof(...vectorGens), { minLength: 1, maxLength: 3 }),
  scalars: fc.array(fc.tuple(fc.oneof(...scalarGens), fc.constantFrom<0 | 1 | 2 | 3>(0, 1, 2, 3)), { maxLength: 6 }),
  vectorNullable: fc.boolean(),
}).chain((r) => {
  const scalars = r.scalars.length === 0 ? fc.constant([] as FieldGen[]) : fc.tuple(...r.scalars.map(([g, rule]) => withNullRule(g, rule)));
  return scalars.map((sc) => {
    const pkGen: FieldGen = r.pkVarChar
      ? { spec: { dataType: DataType.VarChar, maxLength: 20, isPrimaryKey: true, autoId: r.autoId }, value: text(20) }
      : { spec: { dataType: DataType.Int64, isPrimaryKey: true, autoId: r.autoId }, value: int64 };
    const vecs = r.vectors.map((g, i) => ({ ...g, spec: { ...g.spec, nullable: r.vectorNullable && i > 0 } }));
    const gens = [pkGen, ...vecs, ...sc];
    const spec: CollectionSpec = { name: 'c', enableDynamicField: r.dynamic, fields: gens.map((g, i) => ({ name: `f${i}`, ...g.spec })) };
    return { spec, gens, isUpsert: r.isUpsert };
  });
});

/** Logical data: cells[field][row] (null = missing/NULL), plus dynamic objects per row. */
interface Data {
  cells: Cell[][];
  dyn: Record<string, JsonValue>[];
}

function dataArb(c: Case, fields: FieldSchema[]): fc.Arbitrary<Data> {
  return fc.integer({ min: 1, max: 5 }).chain((n) => {
    const cols = c.gens.map((g, i) => {
      const f = fields[i];
      const allowNull = f !== undefined && !f.isPrimaryKey && (f.nullable || f.defaultValue !== null);
      const cell = allowNull ? fc.option(g.value, { nil: null, freq: 3 }) : g.value;
      return fc.array(cell, { minLength: n, maxLength: n });
    });
    const dyn = fc.array(fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }).map((k) => `dyn_${k}`), json, { maxKeys: 3 }).map((d) => plain(d) as Record<string, JsonValue>), { minLength: n, maxLength: n });
    return fc.record({ cells: fc.tuple(...cols), dyn });
  });
}

/** How an SDK would send one cell in a row object (several shapes per type). */
function rowForm(f: FieldSchema, v: Cell, pick: number): unknown {
  if (v === null) return pick % 2 === 0 ? undefined : null;
  switch (f.dataType) {
    case DataType.Int64: {
      const b = v as bigint;
      if (pick % 3 === 0) return b.toString();
      if (pick % 3 === 1 && b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(b);
      return b;
    }
    case DataType.FloatVector: return pick % 2 === 0 ? v : Float32Array.from(v as number[]);
    case DataType.Float16Vector: case DataType.BFloat16Vector: {
      const bits = v as number[];
      if (pick % 3 === 0) return Uint16Array.from(bits);
      if (pick % 3 === 1) return new Uint8Array(Uint16Array.from(bits).buffer);
      return bits.map(f.dataType === DataType.Float16Vector ? float16BitsToFloat32 : bfloat16BitsToFloat32);
    }
    case DataType.Int8Vector: return pick % 2 === 0 ? v : Int8Array.from(v as number[]);
    case DataType.BinaryVector: return pick % 2 === 0 ? v : Uint8Array.from(v as number[]);
    case DataType.SparseFloatVector: {
      const entries = Object.entries(v as Record<string, number>).map(([k, x]) => [Number(k), x] as [number, number]).reverse();
      if (pick % 4 === 0) return v;
      if (pick % 4 === 1) return entries;
      if (pick % 4 === 2) return entries.map(([index, value]) => ({ index, value }));
      return { indices: entries.map((e) => e[0]), values: entries.map((e) => e[1]) };
    }
    case DataType.Array: return f.elementType === DataType.Int64 && pick % 2 === 0 ? (v as bigint[]).map(String) : v;
    default: return v;
  }
}

/** The row-dense Column the gRPC codec would hand over for one field. */
function columnForm(f: FieldSchema, cells: Cell[], pick: number): Column {
  const n = cells.length;
  const valid = cells.some((x) => x === null) || (f.nullable && pick % 2 === 0) ? Uint8Array.from(cells, (x) => (x === null ? 0 : 1)) : null;
  const nums = (zero: number) => cells.map((x) => (x === null ? zero : (x as number)));
  const flat = (width: number) => cells.flatMap((x) => (x === null ? new Array<number>(width).fill(0) : (x as number[])));
  switch (f.dataType) {
    case DataType.Bool: return { kind: 'bool', data: Uint8Array.from(cells, (x) => (x === true ? 1 : 0)), valid };
    case DataType.Int8: return pick % 2 === 0 ? { kind: 'int8', data: Int8Array.from(nums(0)), valid } : { kind: 'int32', data: Int32Array.from(nums(0)), valid };
    case DataType.Int16: return { kind: 'int16', data: Int16Array.from(nums(0)), valid };
    case DataType.Int32: return { kind: 'int32', data: Int32Array.from(nums(0)), valid };
    case DataType.Int64: return { kind: 'int64', data: BigInt64Array.from(cells, (x) => (x === null ? 0n : (x as bigint))), valid };
    case DataType.Float: return { kind: 'float', data: Float32Array.from(nums(0)), valid };
    case DataType.Double: return { kind: 'double', data: Float64Array.from(nums(0)), valid };
    case DataType.VarChar: return { kind: 'varchar', data: cells.map((x) => (x === null ? '' : (x as string))), valid };
    case DataType.JSON: return { kind: 'json', data: cells.map((x) => (x === null ? null : (x as JsonValue))), valid };
    case DataType.Array: return { kind: 'array', elementType: f.elementType ?? DataType.None, data: cells.map((x) => (x === null ? [] : (x as never[]))), valid };
    case DataType.FloatVector: return { kind: 'floatVector', dim: f.dim ?? 0, data: Float32Array.from(flat(f.dim ?? 0)), valid };
    case DataType.Float16Vector: return { kind: 'float16Vector', dim: f.dim ?? 0, data: Uint16Array.from(flat(f.dim ?? 0)), valid };
    case DataType.BFloat16Vector: return { kind: 'bfloat16Vector', dim: f.dim ?? 0, data: Uint16Array.from(flat(f.dim ?? 0)), valid };
    case DataType.Int8Vector: return { kind: 'int8Vector', dim: f.dim ?? 0, data: Int8Array.from(flat(f.dim ?? 0)), valid };
    case DataType.BinaryVector: return { kind: 'binaryVector', dim: f.dim ?? 0, data: Uint8Array.from(flat((f.dim ?? 0) / 8)), valid };
    case DataType.SparseFloatVector: return {
      kind: 'sparseVector', valid, data: cells.map((x) => {
        const e = Object.entries((x ?? {}) as Record<string, number>).map(([k, y]) => [Number(k), y] as const).sort((a, b) => a[0] - b[0]);
        return { indices: Uint32Array.from(e, (p) => p[0]), values: Float32Array.from(e, (p) => p[1]) };
      }),
    };
    default: throw new Error(`no column form for ${f.dataType} (${n} rows)`);
  }
}

function insertable(f: FieldSchema, isUpsert: boolean): boolean {
  return !f.isDynamic && !(f.isPrimaryKey && f.autoId && !isUpsert);
}

test('rowsToBatch and validateBatch agree on equivalent input, and keep the logical data', () => {
  fc.assert(fc.property(caseArb.chain((c) => {
    const schema = buildCollectionSchema(c.spec);
    return fc.tuple(fc.constant(c), fc.constant(schema), dataArb(c, schema.fields), fc.array(fc.nat(), { minLength: 64, maxLength: 64 }));
  }), ([c, schema, data, picks]) => {
    const fields = schema.fields.filter((f) => !f.isDynamic);
    const n = data.dyn.length;
    const pick = (i: number) => picks[i % picks.length] ?? 0;
    const rows: Record<string, unknown>[] = [];
    for (let r = 0; r < n; r++) {
      const row: Record<string, unknown> = {};
      fields.forEach((f, i) => {
        if (!insertable(f, c.isUpsert)) return;
        const v = rowForm(f, data.cells[i]?.[r] ?? null, pick(i * 7 + r));
        if (v !== undefined) row[f.name] = v;
      });
      if (schema.enableDynamicField) {
        const d = data.dyn[r] ?? {};
        if (pick(r) % 2 === 0) Object.assign(row, d);
        else row['$meta'] = d;
      }
      rows.push(row);
    }
    const columns = new Map<string, Column>();
    fields.forEach((f, i) => {
      if (!insertable(f, c.isUpsert)) return;
      const cells = data.cells[i] ?? [];
      if (cells.every((x) => x === null) && pick(i) % 3 === 0) return;
      columns.set(f.name, columnForm(f, cells, pick(i + 11)));
    });
    if (schema.enableDynamicField && pick(5) % 4 !== 0) columns.set('$meta', { kind: 'json', data: data.dyn, valid: null });
    if (schema.enableDynamicField && !columns.has('$meta') && data.dyn.some((d) => Object.keys(d).length > 0)) {
      columns.set('$meta', { kind: 'json', data: data.dyn, valid: null });
    }

    const opts = { isUpsert: c.isUpsert };
    const fromRows = rowsToBatch(schema, rows, opts);
    const fromCols = validateBatch(schema, { numRows: n, columns }, opts);
    assert.deepStrictEqual(fromCols, fromRows);

    // The batch holds the logical data.
    fields.forEach((f, i) => {
      const col = fromRows.columns.get(f.name);
      if (!insertable(f, c.isUpsert)) { assert.equal(col, undefined, `${f.name} must be absent`); return; }
      assert.ok(col !== undefined, `${f.name} missing`);
      assert.equal(col.valid !== null, f.nullable, `${f.name}: valid present iff nullable`);
      for (let r = 0; r < n; r++) {
        const cell = data.cells[i]?.[r] ?? null;
        const got = columnValueAt(col, r);
        if (cell === null) {
          if (f.defaultValue !== null) assert.deepStrictEqual(got, f.defaultValue);
          else assert.equal(got, null);
        } else assertCell(f, got, cell);
      }
    });
    if (schema.enableDynamicField) assert.deepStrictEqual(fromRows.columns.get('$meta')?.data, data.dyn);
  }), { numRuns: 300 });
});

function assertCell(f: FieldSchema, got: unknown, cell: Cell): void {
  switch (f.dataType) {
    case DataType.FloatVector: case DataType.Float16Vector: case DataType.BFloat16Vector:
    case DataType.Int8Vector: case DataType.BinaryVector:
      assert.deepStrictEqual(Array.from(got as ArrayLike<number>), cell);
      return;
    case DataType.SparseFloatVector: {
      const s = got as { indices: Uint32Array; values: Float32Array };
      const want = Object.entries(cell as Record<string, number>).map(([k, v]) => [Number(k), v]).sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0));
      assert.deepStrictEqual(Array.from(s.indices, (x, k) => [x, s.values[k]]), want);
      return;
    }
    default: assert.deepStrictEqual(got, cell);
  }
}
