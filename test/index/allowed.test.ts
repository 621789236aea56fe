/** allowedRows (wasm listMask, and the JS loop) against a naive listing, over random filters and caps. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { allowedRows, allowedRowsJs } from '../../src/index/allowed.js';

function naive(filter: Uint8Array, valid: Uint8Array | null, numRows: number, cap: number): number[] | null {
  const out: number[] = [];
  for (let r = 0; r < numRows; r++) if (filter[r] !== 0 && (valid === null || valid[r] !== 0)) out.push(r);
  return out.length > Math.max(0, Math.floor(cap)) ? null : out;
}

/** A filter of `n` bytes at a random byte offset (aligned or not), with runs of zeros and arbitrary non-zero bytes. */
const filterCase = fc.record({
  n: fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 4000, max: 9000 })),
  density: fc.constantFrom(0, 0.001, 0.01, 0.2, 0.9, 1),
  offset: fc.integer({ min: 0, max: 7 }),
  seed: fc.integer(),
  withValid: fc.boolean(),
  capFraction: fc.constantFrom(0, 0.005, 0.05, 0.5, 1, 2),
});

test('allowedRows lists exactly filter AND valid, ascending, or null past cap (wasm and JS paths, aligned or not)', () => {
  fc.assert(fc.property(filterCase, ({ n, density, offset, seed, withValid, capFraction }) => {
    let s = seed >>> 0;
    const rand = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const filter = new Uint8Array(n + offset + 8).subarray(offset, offset + n);
    // Runs: long zero stretches (the skipping paths) and bytes other than 1.
    for (let r = 0; r < n; r++) filter[r] = rand() < density ? 1 + Math.floor(rand() * 255) : 0;
    const valid = withValid ? Uint8Array.from({ length: n }, () => (rand() < 0.8 ? 1 + Math.floor(rand() * 3) : 0)) : null;
    const cap = Math.floor(n * density * capFraction);
    const want = naive(filter, valid, n, cap);
    for (const got of [allowedRows(filter, valid, n, cap), allowedRowsJs(filter, valid, n, cap)]) {
      if (want === null) assert.equal(got, null);
      else assert.deepEqual(got === null ? null : Array.from(got), want);
    }
  }), { numRuns: 300 });
});

test('allowedRows only reads the first numRows bytes of a longer filter', () => {
  const filter = new Uint8Array(10_000).fill(1);
  const got = allowedRows(filter, null, 5000, 5000);
  assert.equal(got?.length, 5000);
  assert.equal(got?.[4999], 4999);
  assert.equal(allowedRows(filter, null, 5000, 4999), null);
});
