/** The reply writer: JSON.stringify's output for bigint-free values, exact int64 otherwise. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseJsonBody } from '../../src/server/http/json-in.js';
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

test('request bodies: the lossless parser agrees with JSON.parse, and keeps integers beyond 2^53 exact', () => {
  fc.assert(fc.property(fc.jsonValue(), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (v, big) => {
    // A long integer anywhere forces the slow path; the rest must parse exactly as JSON.parse does.
    const digits = (big < 0n ? -big : big).toString().padStart(17, '1');
    const literal = big < 0n ? `-${digits}` : digits;
    const text = JSON.stringify({ v, pad: 'PAD' }).replace('"PAD"', literal);
    const expected = JSON.parse(JSON.stringify({ v })) as Record<string, unknown>;
    const parsed = parseJsonBody(text) as Record<string, unknown>;
    // Integers beyond 2^53 come back as bigint (exact); as numbers they equal what JSON.parse gives.
    assert.deepEqual(JSON.parse(JSON.stringify(parsed['v'], (_k, x: unknown) => (typeof x === 'bigint' ? Number(x) : x))), expected['v']);
    assert.equal(parsed['pad'], BigInt(literal));
  }), { numRuns: 200 });
  const r = parseJsonBody('{"id": 9007199254740993, "f": 9007199254740993.0, "small": 12, "s": "9007199254740993", "neg": -9223372036854775808}') as Record<string, unknown>;
  assert.equal(r['id'], 9007199254740993n);
  assert.equal(r['f'], 9007199254740992);
  assert.equal(r['small'], 12);
  assert.equal(r['s'], '9007199254740993');
  assert.equal(r['neg'], -9223372036854775808n);
  for (const bad of ['{"a": 12345678901234567', '[12345678901234567,]', '{"a" 12345678901234567}', '12345678901234567 x', '"\u0001" 12345678901234567']) {
    assert.throws(() => parseJsonBody(bad), SyntaxError, bad);
  }
  const proto = parseJsonBody('{"__proto__": {"polluted": 12345678901234567890}}') as Record<string, unknown>;
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  assert.ok(Object.prototype.hasOwnProperty.call(proto, '__proto__'));
});
