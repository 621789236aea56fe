/**
 * Element kinds, metric codes and element decoding (float16 / bfloat16 to float32, SIMD lanes).
 * Part of the kernels module (entry: kernels.ts).
 */

export const F32: i32 = 0;
export const F16: i32 = 1;
export const BF16: i32 = 2;
export const I8: i32 = 3;
export const BIN: i32 = 4;
/** HNSW_SQ's SQ8 / SQ6 codes: one byte a dimension, scored against a query table (`sqDist`). */
export const SQ: i32 = 5;

export const L2: i32 = 0;
export const IP: i32 = 1;
export const COS: i32 = 2;
export const HAM: i32 = 3;

/* ---------- element decoding (T is a tag: f32 = float32, u16 = float16, i16 = bfloat16) ---------- */

/** 2^112 as float32: rebiases a float16 exponent (15) to float32's (127), subnormals included. */
export const F16_SCALE: f32 = reinterpret<f32>(0x77800000);

@inline export function f16x4(p: usize): v128 {
  const x = v128.load16x4_u(p);
  const sign = i32x4.shl(v128.and(x, i32x4.splat(0x8000)), 16);
  const em = i32x4.shl(v128.and(x, i32x4.splat(0x7fff)), 13);
  const scaled = f32x4.mul(em, f32x4.splat(F16_SCALE));
  const special = v128.or(em, i32x4.splat(0x7f800000));
  const isSpecial = i32x4.eq(v128.and(x, i32x4.splat(0x7c00)), i32x4.splat(0x7c00));
  return v128.or(v128.bitselect(special, scaled, isSpecial), sign);
}

@inline export function f16One(h: u32): f32 {
  const em = (h & 0x7fff) << 13;
  const sign = (h & 0x8000) << 16;
  if ((h & 0x7c00) == 0x7c00) return reinterpret<f32>(em | 0x7f800000 | sign);
  return reinterpret<f32>(reinterpret<u32>(reinterpret<f32>(em) * F16_SCALE) | sign);
}

/** Four float32 lanes of element i..i+3 of a row at p. */
@inline export function load4<T>(p: usize, i: i32): v128 {
  if (isFloat<T>()) return v128.load(p + (<usize>i << 2));
  if (isSigned<T>()) return i32x4.shl(v128.load16x4_u(p + (<usize>i << 1)), 16);
  return f16x4(p + (<usize>i << 1));
}

/** Element i of a row at p as float32. */
@inline export function load1<T>(p: usize, i: i32): f32 {
  if (isFloat<T>()) return load<f32>(p + (<usize>i << 2));
  if (isSigned<T>()) return reinterpret<f32>(<u32>load<u16>(p + (<usize>i << 1)) << 16);
  return f16One(<u32>load<u16>(p + (<usize>i << 1)));
}

@inline export function lo2(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}
@inline export function hi2(v: v128): v128 {
  return f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 2, 3));
}
