/**
 * Half-precision codecs. float16 (IEEE binary16) and bfloat16 vectors are stored as Uint16Array bit
 * patterns; search decodes them to float32 once per block and runs the float32 kernels.
 */

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

function decodeFloat16Bits(h: number): number {
  const sign = (h & 0x8000) !== 0 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant === 0 ? sign * Infinity : NaN;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** All 65,536 float16 bit patterns decoded to float32 (built once at module load, 256 KiB). */
export const FLOAT16_TABLE: Float32Array = (() => {
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) t[h] = decodeFloat16Bits(h);
  return t;
})();

const FLOAT16_TABLE_BITS = new Uint32Array(FLOAT16_TABLE.buffer);

/** float16 bits -> number. */
export function decodeFloat16(h: number): number {
  return FLOAT16_TABLE[h & 0xffff]!;
}

/** number -> float16 bits, round to nearest even; overflow gives ±Inf, NaN gives 0x7e00 (sign kept). */
export function encodeFloat16(x: number): number {
  f32Scratch[0] = x;
  const bits = u32Scratch[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
  const e = exp - 112; // rebias 127 -> 15
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    const full = mant | 0x800000;
    const shift = 14 - e;
    let h = full >>> shift;
    const rem = full & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && (h & 1) === 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1) === 1)) h++; // a carry into the exponent is correct
  return sign | h;
}

/** number -> bfloat16 bits (the top half of the float32), round to nearest even; NaN stays NaN. */
export function float32ToBfloat16(x: number): number {
  f32Scratch[0] = x;
  const bits = u32Scratch[0]!;
  if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x7fffff) !== 0) return (bits >>> 16) | 0x40;
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

/** bfloat16 bits -> number. */
export function bfloat16ToFloat32(b: number): number {
  u32Scratch[0] = (b & 0xffff) << 16;
  return f32Scratch[0]!;
}

/** Decode `count` float16 values from `src[srcOff..]` into `out[outOff..]`. */
export function decodeFloat16Into(src: Uint16Array, srcOff: number, out: Float32Array, outOff: number, count: number): void {
  // Copying bit patterns (not float values) is markedly faster in V8 and keeps NaN payloads.
  const table = FLOAT16_TABLE_BITS;
  const outBits = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < count; i++) outBits[outOff + i] = table[src[srcOff + i]!]!;
}

/** Decode `count` bfloat16 values into float32 by placing the bits in the top half of a word. */
export function decodeBfloat16Into(src: Uint16Array, srcOff: number, out: Float32Array, outOff: number, count: number): void {
  const outBits = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < count; i++) outBits[outOff + i] = src[srcOff + i]! << 16;
}

/** Widen `count` int8 values to float32 (exact). */
export function decodeInt8Into(src: Int8Array, srcOff: number, out: Float32Array, outOff: number, count: number): void {
  for (let i = 0; i < count; i++) out[outOff + i] = src[srcOff + i]!;
}
