/** Byte layouts of vectors on the wire: little-endian, rows concatenated (reference §1.6, §1.7). */
import { errors } from '../../../core/errors.js';
import type { SparseVector } from '../../../schema/types.js';

/** 2 bytes per element, little-endian, copied into an aligned Uint16Array. */
export function uint16sFromBytes(b: Uint8Array, what: string): Uint16Array {
  if (b.length % 2 !== 0) throw errors.invalidParameter(`${what}: 16-bit vector bytes`, { expected: 'an even length', actual: b.length });
  const out = new Uint16Array(b.length / 2);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getUint16(i * 2, true);
  return out;
}

/** One sparse row: repeated (uint32 LE index, float32 LE value) pairs. */
export function sparseFromBytes(b: Uint8Array, what: string): SparseVector {
  if (b.length % 8 !== 0) throw errors.invalidParameter(`${what}: sparse vector bytes`, { expected: 'a multiple of 8', actual: b.length });
  const n = b.length / 8;
  const indices = new Uint32Array(n);
  const values = new Float32Array(n);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < n; i++) {
    indices[i] = view.getUint32(i * 8, true);
    values[i] = view.getFloat32(i * 8 + 4, true);
  }
  return { indices, values };
}

export function sparseToBytes(v: SparseVector): Buffer {
  const out = Buffer.alloc(v.indices.length * 8);
  for (let i = 0; i < v.indices.length; i++) {
    out.writeUInt32LE(v.indices[i] ?? 0, i * 8);
    out.writeFloatLE(v.values[i] ?? 0, i * 8 + 4);
  }
  return out;
}
