/**
 * IEEE half (float16) and bfloat16 conversions, bit patterns as plain numbers (0..0xffff).
 * float32 -> half and float32 -> bfloat16 round to nearest, ties to even (like numpy / ml_dtypes);
 * the Node SDK truncates bfloat16 instead, which differs by at most one unit in the last place.
 */
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 bits of `v` (after rounding to float32). */
function bitsOf(v: number): number {
  f32[0] = v;
  return u32[0] ?? 0;
}

export function float32ToFloat16Bits(v: number): number {
  const x = bitsOf(v);
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && (half & 1) === 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1) === 1)) half++;
  return sign | half;
}

export function float16BitsToFloat32(h: number): number {
  const sign = (h & 0x8000) !== 0 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 0x1f) return m !== 0 ? NaN : sign * Infinity;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

export function float32ToBFloat16Bits(v: number): number {
  const x = bitsOf(v);
  if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0) return ((x >>> 16) & 0x8000) | 0x7fc0;
  const lsb = (x >>> 16) & 1;
  return ((x + 0x7fff + lsb) >>> 16) & 0xffff;
}

export function bfloat16BitsToFloat32(h: number): number {
  u32[0] = (h & 0xffff) << 16;
  return f32[0] ?? 0;
}

/** True when a half bit pattern is Inf or NaN. */
export function isNonFiniteFloat16(h: number): boolean {
  return (h & 0x7c00) === 0x7c00;
}

/** True when a bfloat16 bit pattern is Inf or NaN. */
export function isNonFiniteBFloat16(h: number): boolean {
  return (h & 0x7f80) === 0x7f80;
}
