/** Int64 helpers: 64-bit integers are `bigint` everywhere below the wire codecs. */
export const INT64_MIN = -(1n << 63n);
export const INT64_MAX = (1n << 63n) - 1n;

export function isInt64(v: bigint): boolean {
  return v >= INT64_MIN && v <= INT64_MAX;
}

/** Parse a decimal string or integral number into an int64 bigint; undefined when it is not one. */
export function parseInt64(v: unknown): bigint | undefined {
  let b: bigint;
  if (typeof v === 'bigint') b = v;
  else if (typeof v === 'number') {
    if (!Number.isInteger(v)) return undefined;
    b = BigInt(v);
  } else if (typeof v === 'string') {
    if (!/^[+-]?\d+$/.test(v.trim())) return undefined;
    b = BigInt(v.trim());
  } else return undefined;
  return isInt64(b) ? b : undefined;
}

/** An int64 array as its 32-bit words (low word first on the little-endian hosts Node runs on). */
export function int64Words(data: BigInt64Array): Int32Array {
  return new Int32Array(data.buffer, data.byteOffset, data.length * 2);
}

/**
 * The decimal text of `data[row]`, without making a BigInt when the value fits in 32 bits (its high
 * word is then the sign of its low word); `words` = int64Words(data). Hit ids and int64 output values.
 */
export function int64Text(data: BigInt64Array, words: Int32Array, row: number): string {
  const lo = words[2 * row]!;
  return words[2 * row + 1] === lo >> 31 ? String(lo) : String(data[row]);
}
