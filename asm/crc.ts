/**
 * CRC-32C (Castagnoli), slicing-by-8, as src/core/crc32c.ts computes it (same results, same seed
 * convention): the TypeScript side writes the 8 x 256 u32 table (core/crc32c.ts CRC32C_TABLE) into
 * the memory and passes its offset. Part of the kernels module (entry: kernels.ts).
 */
export function crc32c(table: usize, ptr: usize, len: usize, seed: u32): u32 {
  let crc: u32 = ~seed;
  let i: usize = 0;
  const end8 = len & ~(<usize>7);
  for (; i < end8; i += 8) {
    const lo = load<u32>(ptr + i) ^ crc;
    const hi = load<u32>(ptr + i + 4);
    crc =
      load<u32>(table + (((7 << 8) + (lo & 0xff)) << 2)) ^
      load<u32>(table + (((6 << 8) + ((lo >> 8) & 0xff)) << 2)) ^
      load<u32>(table + (((5 << 8) + ((lo >> 16) & 0xff)) << 2)) ^
      load<u32>(table + (((4 << 8) + (lo >> 24)) << 2)) ^
      load<u32>(table + (((3 << 8) + (hi & 0xff)) << 2)) ^
      load<u32>(table + (((2 << 8) + ((hi >> 8) & 0xff)) << 2)) ^
      load<u32>(table + (((1 << 8) + ((hi >> 16) & 0xff)) << 2)) ^
      load<u32>(table + ((hi >> 24) << 2));
  }
  for (; i < len; i++) crc = load<u32>(table + (((crc ^ load<u8>(ptr + i)) & 0xff) << 2)) ^ (crc >> 8);
  return ~crc;
}
