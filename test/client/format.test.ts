/** Column values as the SDK shows them (int64 strings, decoded half floats, sparse dicts, NULL). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataType } from '../../src/core/enums.js';
import { float32ToFloat16Bits, float32ToBFloat16Bits } from '../../src/schema/half.js';
import { cutDecimals, formatValue } from '../../src/client/format.js';
import { vectorList } from '../../src/client/search-request.js';

test('formatValue renders each column kind the way the SDK does', () => {
  const valid = Uint8Array.of(1, 0);
  assert.equal(formatValue({ kind: 'int64', data: BigInt64Array.of(9007199254740993n, 0n), valid }, 0), '9007199254740993');
  assert.equal(formatValue({ kind: 'int64', data: BigInt64Array.of(1n, 0n), valid }, 1), null);
  assert.equal(formatValue({ kind: 'bool', data: Uint8Array.of(0, 1), valid: null }, 1), true);
  assert.equal(formatValue({ kind: 'float', data: Float32Array.of(0.1), valid: null }, 0), Math.fround(0.1));
  assert.deepEqual(formatValue({ kind: 'array', elementType: DataType.Int64, data: [[1n, 2n]], valid: null }, 0), ['1', '2']);
  const half = Uint16Array.of(float32ToFloat16Bits(1.5), float32ToFloat16Bits(-2), float32ToFloat16Bits(0.25), float32ToFloat16Bits(8));
  assert.deepEqual(formatValue({ kind: 'float16Vector', dim: 2, data: half, valid: null }, 1), [0.25, 8]);
  const bf = Uint16Array.of(float32ToBFloat16Bits(3), float32ToBFloat16Bits(-0.5));
  assert.deepEqual(formatValue({ kind: 'bfloat16Vector', dim: 2, data: bf, valid: null }, 0), [3, -0.5]);
  assert.deepEqual(formatValue({ kind: 'binaryVector', dim: 16, data: Uint8Array.of(1, 2, 255, 4), valid: null }, 1), [255, 4]);
  const sparse = { indices: Uint32Array.of(3, 7, 9), values: Float32Array.of(0.5, 0, 2) };
  assert.deepEqual(formatValue({ kind: 'sparseVector', data: [sparse], valid: null }, 0), { 3: 0.5, 9: 2 });
  const json = { a: [1, { b: 2 }] };
  const got = formatValue({ kind: 'json', data: [json], valid: null }, 0) as { a: unknown[] };
  assert.deepEqual(got, json);
  got.a.push(3);
  assert.equal(json.a.length, 2, 'results are copies: mutating them leaves stored data alone');
});

test('cutDecimals truncates like the SDK formatNumberPrecision', () => {
  assert.equal(cutDecimals(0.12399999, 2), 0.12);
  assert.equal(cutDecimals(1.9999, 3), 1.999);
  assert.equal(cutDecimals(5, 2), 5);
});

test('vectorList tells one vector from a list of vectors like formatSearchData', () => {
  assert.equal(vectorList([1, 2, 3]).length, 1);
  assert.equal(vectorList([[1, 2], [3, 4]]).length, 2);
  assert.equal(vectorList({ 1: 0.5 }).length, 1);
  assert.equal(vectorList([{ index: 1, value: 0.5 }]).length, 1);
  assert.equal(vectorList([{ 1: 0.5 }, { 2: 1 }]).length, 2);
  assert.equal(vectorList(Uint8Array.of(1, 2)).length, 1);
});
