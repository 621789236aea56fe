/** The reply writer: JSON.stringify's output for bigint-free values, exact int64 otherwise. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { toJsonText } from '../../src/server/http/json-out.js';

test('matches JSON.stringify on plain JSON values', () => {
  fc.assert(fc.property(fc.jsonValue(), (v) => {
    assert.equal(toJsonText(v, { int64AsNumber: true }), JSON.stringify(v));
  }), { numRuns: 300 });
});

test('bigint as an exact number or a string; typed arrays as lists; undefined members dropped', () => {
  const v = { a: 2n ** 63n - 1n, b: [-(2n ** 63n)], c: new Float32Array([0.5, 2]), d: undefined, e: new BigInt64Array([3n]), f: [undefined] };
  assert.equal(toJsonText(v, { int64AsNumber: true }), '{"a":9223372036854775807,"b":[-9223372036854775808],"c":[0.5,2],"e":[3],"f":[null]}');
  assert.equal(toJsonText(v, { int64AsNumber: false }), '{"a":"9223372036854775807","b":["-9223372036854775808"],"c":[0.5,2],"e":["3"],"f":[null]}');
  assert.equal(toJsonText({ x: NaN, y: Infinity }, { int64AsNumber: true }), '{"x":null,"y":null}');
});
