import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DataType } from '../../src/core/enums.js';
import { INT64_MAX, INT64_MIN } from '../../src/core/int64.js';
import { MilvusError } from '../../src/core/errors.js';
import type { Column } from '../../src/schema/column.js';
import type { ArrayElement, JsonValue } from '../../src/schema/types.js';
import { decodeColumns, encodeColumns } from '../../src/storage/codec.js';
import type { FieldColumn } from '../../src/storage/codec.js';

const validArb = (n: number) =>
  fc.option(fc.array(fc.constantFrom(0, 1), { minLength: n, maxLength: n }).map((v) => Uint8Array.from(v)), { nil: null });

const exactly = (n: number) => ({ minLength: n, maxLength: n });
const text = fc.string({ unit: 'binary', maxLength: 12 });

const elementArbs: [DataType, fc.Arbitrary<ArrayElement>][] = [
  [DataType.Bool, fc.boolean()],
  [DataType.Int8, fc.integer({ min: -128, max: 127 })],
  [DataType.Int16, fc.integer({ min: -32768, max: 32767 })],
  [DataType.Int32, fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })],
  [DataType.Int64, fc.bigInt(INT64_MIN, INT64_MAX)],
  [DataType.Float, fc.float()],
  [DataType.Double, fc.double()],
  [DataType.VarChar, text],
];

function arrayColumn(n: number): fc.Arbitrary<Column> {
  return fc.constantFrom(...elementArbs).chain(([elementType, el]) =>
    fc.record({
      data: fc.array(fc.array(el, { maxLength: 5 }), exactly(n)),
      valid: validArb(n),
    }).map(({ data, valid }): Column => ({ kind: 'array', elementType, data, valid })),
  );
}

function vector<K extends 'floatVector' | 'float16Vector' | 'bfloat16Vector' | 'int8Vector' | 'binaryVector'>(
  kind: K, n: number, data: (len: number) => fc.Arbitrary<Float32Array | Uint16Array | Int8Array | Uint8Array>,
): fc.Arbitrary<Column> {
  const bits = kind === 'binaryVector';
  return fc.integer({ min: 1, max: 6 }).chain((d) => {
    const dim = bits ? d * 8 : d;
    const width = bits ? d : d;
    return fc.record({ data: data(n * width), valid: validArb(n) }).map(({ data: v, valid }) => ({ kind, dim, data: v, valid }) as Column);
  });
}

function columnArb(n: number): fc.Arbitrary<Column> {
  const v = validArb(n);
  const scalar = <T>(kind: Column['kind'], data: fc.Arbitrary<T>) =>
    fc.record({ data, valid: v }).map(({ data: d, valid }) => ({ kind, data: d, valid }) as Column);
  return fc.oneof(
    scalar('bool', fc.array(fc.constantFrom(0, 1), exactly(n)).map((x) => Uint8Array.from(x))),
    scalar('int8', fc.int8Array(exactly(n))),
    scalar('int16', fc.int16Array(exactly(n))),
    scalar('int32', fc.int32Array(exactly(n))),
    scalar('int64', fc.bigInt64Array(exactly(n))),
    scalar('float', fc.float32Array(exactly(n))),
    scalar('double', fc.float64Array(exactly(n))),
    scalar('varchar', fc.array(text, exactly(n))),
    scalar('json', fc.array(fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.parse(JSON.stringify(v)) as JsonValue), exactly(n))), // JSON text has no -0
    arrayColumn(n),
    vector('floatVector', n, (len) => fc.float32Array(exactly(len))),
    vector('float16Vector', n, (len) => fc.uint16Array(exactly(len))),
    vector('bfloat16Vector', n, (len) => fc.uint16Array(exactly(len))),
    vector('int8Vector', n, (len) => fc.int8Array(exactly(len))),
    vector('binaryVector', n, (len) => fc.uint8Array(exactly(len))),
    scalar('sparseVector', fc.array(
      fc.uniqueArray(fc.nat({ max: 2 ** 32 - 1 }), { maxLength: 6 }).chain((idx) => {
        const indices = Uint32Array.from(idx.sort((a, b) => a - b));
        return fc.float32Array(exactly(indices.length)).map((values) => ({ indices, values }));
      }),
      exactly(n),
    )),
  );
}

const batchArb = fc.integer({ min: 0, max: 10 }).chain((numRows) =>
  fc.array(columnArb(numRows), { maxLength: 6 }).map((cols) => ({
    numRows,
    cols: cols.map((column, i): FieldColumn => ({ fieldId: 100 + i * 3, column })),
  })),
);

/** Typed arrays compare by content; deepStrictEqual would also compare the backing buffer lengths of views. */
function normalise(x: unknown): unknown {
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) {
    return { typed: x.constructor.name, items: Array.from(x as unknown as ArrayLike<unknown>) };
  }
  if (Array.isArray(x)) return x.map(normalise);
  if (x !== null && typeof x === 'object') {
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, normalise(v)]));
  }
  return x;
}

function assertAligned(cols: FieldColumn[]): void {
  for (const { column } of cols) {
    if (ArrayBuffer.isView(column.data)) {
      const bpe = (column.data as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
      assert.equal(column.data.byteOffset % bpe, 0, `${column.kind} data misaligned`);
    }
  }
}

test('property: decode(encode(x)) equals x for random columns of every kind', () => {
  fc.assert(
    fc.property(batchArb, ({ numRows, cols }) => {
      const bytes = encodeColumns(cols, numRows);
      assert.equal(bytes.length % 8, 0);
      const back = decodeColumns(bytes);
      assert.equal(back.numRows, numRows);
      assert.deepStrictEqual(normalise(back.cols), normalise(cols));
      assertAligned(back.cols);
    }),
    { numRuns: 300 },
  );
});

test('property: decoding from an unaligned buffer copies into aligned arrays', () => {
  fc.assert(
    fc.property(batchArb, fc.integer({ min: 1, max: 7 }), ({ numRows, cols }, shift) => {
      const bytes = encodeColumns(cols, numRows);
      const holder = new Uint8Array(bytes.length + shift);
      holder.set(bytes, shift);
      const back = decodeColumns(holder.subarray(shift));
      assert.deepStrictEqual(normalise(back.cols), normalise(cols));
      assertAligned(back.cols);
    }),
    { numRuns: 100 },
  );
});

test('property: damaged bytes decode or throw a MilvusError, never anything else', () => {
  fc.assert(
    fc.property(batchArb, fc.nat(), fc.integer({ min: 1, max: 255 }), ({ numRows, cols }, where, xor) => {
      const bytes = encodeColumns(cols, numRows);
      const at = where % bytes.length;
      const damaged = bytes.slice();
      damaged[at] = (damaged[at] as number) ^ xor;
      for (const input of [damaged, bytes.subarray(0, at)]) {
        try {
          decodeColumns(input);
        } catch (e) {
          assert.ok(e instanceof MilvusError, `threw ${String(e)}`);
        }
      }
    }),
    { numRuns: 500 },
  );
});

test('int64 array elements and int64 columns keep the full 64-bit range exactly', () => {
  const cols: FieldColumn[] = [
    { fieldId: 1, column: { kind: 'array', elementType: DataType.Int64, data: [[INT64_MIN, INT64_MAX], [], [-1n, 2n ** 53n + 1n]], valid: null } },
    { fieldId: 2, column: { kind: 'int64', data: BigInt64Array.of(INT64_MIN, INT64_MAX, 2n ** 53n + 1n), valid: Uint8Array.of(1, 0, 1) } },
  ];
  const back = decodeColumns(encodeColumns(cols, 3)).cols;
  const arr = back[0]?.column;
  assert.ok(arr?.kind === 'array');
  assert.equal(arr.elementType, DataType.Int64);
  assert.deepStrictEqual(arr.data, [[INT64_MIN, INT64_MAX], [], [-1n, 2n ** 53n + 1n]]);
  const ints = back[1]?.column;
  assert.ok(ints?.kind === 'int64');
  assert.deepStrictEqual([...ints.data], [INT64_MIN, INT64_MAX, 2n ** 53n + 1n]);
  assert.deepStrictEqual([...(ints.valid ?? [])], [1, 0, 1]);
});

test('vectors are stored raw: a float vector column costs 4 bytes per element plus fixed headers', () => {
  const n = 100;
  const dim = 16;
  const data = new Float32Array(n * dim).map((_, i) => i * 0.5);
  const bytes = encodeColumns([{ fieldId: 101, column: { kind: 'floatVector', dim, data, valid: null } }], n);
  assert.equal(bytes.length, 16 + 24 + n * dim * 4);
  const back = decodeColumns(bytes).cols[0]?.column;
  assert.ok(back?.kind === 'floatVector');
  assert.deepStrictEqual([...back.data], [...data]);
});

test('a column whose length differs from numRows is refused at encode time', () => {
  assert.throws(() => encodeColumns([{ fieldId: 1, column: { kind: 'int32', data: Int32Array.of(1, 2), valid: null } }], 3));
});
