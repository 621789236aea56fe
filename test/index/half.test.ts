import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bfloat16ToFloat32, decodeFloat16, encodeFloat16, float32ToBfloat16 } from '../../src/index/kernels/half.js';
import { refDecodeBf16, refDecodeF16, rng } from './helpers.js';

test('decodeFloat16 agrees with an independent decoder on all 65,536 patterns', () => {
  for (let h = 0; h < 65536; h++) {
    const want = refDecodeF16(h);
    const got = decodeFloat16(h);
    if (Number.isNaN(want)) assert.ok(Number.isNaN(got), `h=${h}`);
    else assert.equal(got, want, `h=${h.toString(16)}`);
  }
});

test('encodeFloat16 inverts decode for every non-NaN pattern (signed zeros included)', () => {
  for (let h = 0; h < 65536; h++) {
    if ((h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0) continue;
    assert.equal(encodeFloat16(decodeFloat16(h)), h, `h=${h.toString(16)}`);
  }
  assert.equal(encodeFloat16(NaN) & 0x7e00, 0x7e00);
});

test('encodeFloat16 rounds to nearest, ties to even, and overflows to infinity', () => {
  assert.equal(encodeFloat16(1), 0x3c00);
  assert.equal(encodeFloat16(1 + 2 ** -11), 0x3c00); // tie -> even mantissa 0
  assert.equal(encodeFloat16(1 + 3 * 2 ** -11), 0x3c02); // tie -> even mantissa 2
  assert.equal(encodeFloat16(1 + 2 ** -11 + 2 ** -20), 0x3c01);
  assert.equal(encodeFloat16(65504), 0x7bff);
  assert.equal(encodeFloat16(65519), 0x7bff);
  assert.equal(encodeFloat16(65520), 0x7c00);
  assert.equal(encodeFloat16(-1e9), 0xfc00);
  assert.equal(encodeFloat16(2 ** -24), 0x0001);
  assert.equal(encodeFloat16(2 ** -25), 0x0000); // tie between 0 and the smallest subnormal -> even (0)
  assert.equal(encodeFloat16(1.5 * 2 ** -25), 0x0001);
  assert.equal(encodeFloat16(3 * 2 ** -25), 0x0002); // tie between subnormals 1 and 2 -> 2
  assert.equal(encodeFloat16(-0), 0x8000);
  const r = rng(7);
  for (let t = 0; t < 5000; t++) {
    const x = Math.fround((r() * 2 - 1) * 2 ** Math.floor(r() * 40 - 26));
    const h = encodeFloat16(x);
    const err = Math.abs(decodeFloat16(h) - x);
    for (const nb of [h - 1, h + 1]) {
      if ((nb & 0x7fff) >= 0x7c00 || nb < 0 || (nb & 0x8000) !== (h & 0x8000)) continue;
      assert.ok(err <= Math.abs(decodeFloat16(nb) - x), `x=${x} h=${h.toString(16)} nb=${nb.toString(16)}`);
    }
  }
});

test('bfloat16 keeps the top half with round-to-nearest-even and round-trips', () => {
  assert.equal(float32ToBfloat16(1), 0x3f80);
  assert.equal(float32ToBfloat16(-2), 0xc000);
  assert.equal(float32ToBfloat16(1 + 2 ** -8), 0x3f80); // tie -> even
  assert.equal(float32ToBfloat16(1 + 3 * 2 ** -8), 0x3f82); // tie -> even
  assert.equal(float32ToBfloat16(1 + 2 ** -8 + 2 ** -12), 0x3f81);
  assert.ok(Number.isNaN(bfloat16ToFloat32(float32ToBfloat16(NaN))));
  assert.equal(bfloat16ToFloat32(float32ToBfloat16(3.4e38)), Infinity); // rounds past the largest finite
  for (let b = 0; b < 65536; b += 7) {
    const v = refDecodeBf16(b);
    if (Number.isNaN(v)) continue;
    assert.equal(bfloat16ToFloat32(b), v);
    assert.equal(float32ToBfloat16(v), b);
  }
});
