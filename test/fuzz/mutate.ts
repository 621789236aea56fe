/** Byte and value mutators shared by the fuzz files; every choice comes from the seeded Rng. */
import type { Rng } from '../expr/gen.js';

export function randomBytes(r: Rng, n: number): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) out[i] = r.int(0, 255);
  return out;
}

/** Protobuf-flavoured byte values: varints at their edges, tags, lengths that lie. */
const INTERESTING = [
  [0x00], [0xff], [0x7f], [0x80], [0xff, 0xff, 0xff, 0xff, 0x0f], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
  [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], [0x0a, 0xff, 0xff, 0xff, 0x7f], [0x12, 0x00], [0x08, 0x80, 0x80, 0x80, 0x80, 0x10],
  [0x1a, 0x05], [0x0b], [0x0c], [0x0f], [0x22, 0x80, 0x01],
];

/** 1 to 4 random edits: flips, inserts, deletes, truncation, duplicated spans, interesting values. */
export function mutateBytes(r: Rng, input: Buffer): Buffer {
  let b = Buffer.from(input);
  for (let m = r.int(1, 4); m > 0; m--) {
    const at = r.int(0, b.length);
    switch (r.int(0, 7)) {
      case 0: if (b.length > 0) { const i = Math.min(at, b.length - 1); b[i] = (b[i] ?? 0) ^ (1 << r.int(0, 7)); } break;
      case 1: b = Buffer.concat([b.subarray(0, at), randomBytes(r, r.int(1, 8)), b.subarray(at)]); break;
      case 2: b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + r.int(1, 16)))]); break;
      case 3: b = b.subarray(0, at); break;
      case 4: { const from = r.int(0, b.length); const span = b.subarray(from, from + r.int(1, 32)); b = Buffer.concat([b.subarray(0, at), span, b.subarray(at)]); break; }
      case 5: b = Buffer.concat([b.subarray(0, at), Buffer.from(r.pick(INTERESTING)), b.subarray(at)]); break;
      case 6: if (b.length > 0) b[Math.min(at, b.length - 1)] = r.pick([0, 0xff, 0x7f, 0x80]); break;
      default: b = Buffer.concat([b, Buffer.from(r.pick(INTERESTING)), randomBytes(r, r.int(0, 6))]);
    }
  }
  return b;
}

export const NASTY_STRINGS = [
  '', ' ', 'fz', 'fz_other', '_default', 'default', 'vec', 'id', 'a', 'meta', '$meta', 'vec_idx', '%', '\u0000', 'é😀', '../..', '-1', '0',
  '9223372036854775808', '-9223372036854775809', 'NaN', 'Infinity', '1e400', 'x'.repeat(300), 'y'.repeat(70_000), '{"a":', '[]', '{}', 'null', 'true',
  'id in [1,2,3]', 'a > 1 and b < 2', 'meta["a"] == 1', 'L2', 'IP', 'COSINE', 'HNSW', 'FLAT', 'IVF_FLAT', 'AUTOINDEX', 'Strong', 'Bounded', 'rrf', 'weighted',
  '{"nprobe":10}', '{"ef":-1}', '{"k":0}', '{"weights":[1,2,3]}', 'mmap.enabled', 'collection.ttl.seconds', 'limit', 'topk', 'offset', 'params', 'anns_field', 'metric_type',
];

export const NASTY_NUMBERS = [0, -1, 1, 2, 16_384, 16_385, 2 ** 31 - 1, -(2 ** 31), 2 ** 32, 2 ** 53, -(2 ** 53), Number.MAX_SAFE_INTEGER, 1e308, -1e308, 0.5, NaN, Infinity, -Infinity];
export const NASTY_INT64 = ['0', '-1', '1', '16385', '9223372036854775807', '-9223372036854775808', '18446744073709551615', '4294967296', '100000000000'];
