import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bfloat16BitsToFloat32, float16BitsToFloat32, float32ToBFloat16Bits, float32ToFloat16Bits } from '../../src/schema/half.js';

test('float16: known bit patterns, rounding to nearest even, overflow to Inf, subnormals', () => {
  assert.equal(float32ToFloat16Bits(1), 0x3c00);
  assert.equal(float32ToFloat16Bits(-2), 0xc000);
  assert.equal(float32ToFloat16Bits(65504), 0x7bff);
  assert.equal(float32ToFloat16Bits(65520), 0x7c00, 'rounds up past the max to Inf');
  assert.equal(float32ToFloat16Bits(1 + 2 ** -11), 0x3c00, 'tie goes to even');
  assert.equal(float32ToFloat16Bits(1 + 3 * 2 ** -11), 0x3c02, 'tie goes to even (up)');
  assert.equal(float32ToFloat16Bits(2 ** -24), 0x0001);
  assert.equal(float32ToFloat16Bits(2 ** -26), 0x0000);
  for (let h = 0; h < 0x7c00; h += 7) assert.equal(float32ToFloat16Bits(float16BitsToFloat32(h)), h, `round trip ${h}`);
});

test('bfloat16: upper half of float32 with rounding, exact round trip', () => {
  assert.equal(float32ToBFloat16Bits(1), 0x3f80);
  assert.equal(float32ToBFloat16Bits(-3), 0xc040);
  assert.equal(float32ToBFloat16Bits(1 + 2 ** -8), 0x3f80, 'tie goes to even');
  assert.equal(float32ToBFloat16Bits(1 + 3 * 2 ** -8), 0x3f82);
  for (let h = 0; h < 0x7f80; h += 13) assert.equal(float32ToBFloat16Bits(bfloat16BitsToFloat32(h)), h);
});
