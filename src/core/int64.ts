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
