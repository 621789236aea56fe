/**
 * Index files: one vector index of one sealed segment, next to the segment file.
 *
 * Format version 1 (little-endian):
 *
 *    0  u8[8]  magic "SXIDX\0\0\0"
 *    8  u32    format version (1)
 *   12  u32    meta length M
 *   16  u64    payload length P
 *   24  u8[M]  meta: UTF-8 JSON object (index type, metric, params, segment, field), zero padded to 8
 *   24 + pad8(M)      payload: the index's own serialisation (VectorIndex.serialize())
 *   ... + P           u32 CRC-32C of every byte before it
 *
 * Written once (temp, fsync, rename, fsync dir) and never modified; reading verifies everything.
 */
import { crc32c } from '../core/crc32c.js';
import { crc32cFast } from '../index/wasm/crc.js';
import { pad8 } from './codec-decode.js';
import { storageErrors } from './errors.js';
import { writeFileAtomic } from './fs/durable.js';
import type { FileSystem } from './fs/types.js';
import { posix } from 'node:path';
import type { PayloadReader } from '../index/descriptor.js';
import { PieceReader, READ_PIECE_BYTES } from './piece-reader.js';

const MAGIC = Uint8Array.from([0x53, 0x58, 0x49, 0x44, 0x58, 0, 0, 0]); // "SXIDX\0\0\0"
export const INDEX_FILE_VERSION = 1;
const HEADER_BYTES = 24;


export interface IndexFileData {
  meta: Record<string, unknown>;
  payload: Uint8Array;
}

export function encodeIndexFile(data: IndexFileData): Uint8Array {
  const meta = new TextEncoder().encode(JSON.stringify(data.meta));
  const metaPadded = pad8(meta.length);
  const total = HEADER_BYTES + metaPadded + data.payload.length + 4;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint32(8, INDEX_FILE_VERSION, true);
  view.setUint32(12, meta.length, true);
  view.setBigUint64(16, BigInt(data.payload.length), true);
  out.set(meta, HEADER_BYTES);
  out.set(data.payload, HEADER_BYTES + metaPadded);
  view.setUint32(total - 4, crc32c(out.subarray(0, total - 4)), true);
  return out;
}

export function decodeIndexFile(bytes: Uint8Array, file: string): IndexFileData {
  if (bytes.length < HEADER_BYTES + 4) throw storageErrors.corruptFile(file, 0, 'shorter than an index file header');
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) throw storageErrors.corruptFile(file, i, 'bad index file magic');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== INDEX_FILE_VERSION) throw storageErrors.unsupportedVersion(file, version, INDEX_FILE_VERSION);
  const metaLen = view.getUint32(12, true);
  const payloadLen = Number(view.getBigUint64(16, true));
  const expected = HEADER_BYTES + pad8(metaLen) + payloadLen + 4;
  if (expected !== bytes.length) throw storageErrors.corruptFile(file, 16, `length ${bytes.length} does not match header (${expected})`);
  const crc = view.getUint32(bytes.length - 4, true);
  if (crc32cFast(bytes.subarray(0, bytes.length - 4)) !== crc) throw storageErrors.corruptFile(file, bytes.length - 4, 'CRC mismatch');
  const meta = JSON.parse(new TextDecoder().decode(bytes.subarray(HEADER_BYTES, HEADER_BYTES + metaLen))) as Record<string, unknown>;
  const start = HEADER_BYTES + pad8(metaLen);
  return { meta, payload: bytes.subarray(start, start + payloadLen) };
}

export async function writeIndexFile(fs: FileSystem, dir: string, fileName: string, data: IndexFileData): Promise<number> {
  const bytes = encodeIndexFile(data);
  await writeFileAtomic(fs, dir, fileName, bytes);
  return bytes.length;
}

export async function readIndexFile(fs: FileSystem, path: string): Promise<IndexFileData> {
  return decodeIndexFile(await fs.readFile(path), posix.basename(path));
}

/** Where an index file's payload lies, for indexes that read it in place (DISKANN). */
export interface IndexPayloadRegion {
  offset: number;
  length: number;
}

const CHECK_CHUNK_BYTES = 1 << 20;

/**
 * Check an index file as `readIndexFile` does (magic, version, length, CRC over every byte) while
 * holding at most 1 MiB of it, and return where its payload is.
 */
export async function locateIndexPayload(fs: FileSystem, path: string): Promise<IndexPayloadRegion> {
  const file = posix.basename(path);
  const h = await fs.open(path, 'r');
  try {
    const size = await h.size();
    const head = new Uint8Array(Math.min(size, HEADER_BYTES));
    await h.read(head, 0);
    if (size < HEADER_BYTES + 4) throw storageErrors.corruptFile(file, 0, 'shorter than an index file header');
    for (let i = 0; i < MAGIC.length; i++) if (head[i] !== MAGIC[i]) throw storageErrors.corruptFile(file, i, 'bad index file magic');
    const view = new DataView(head.buffer);
    const version = view.getUint32(8, true);
    if (version !== INDEX_FILE_VERSION) throw storageErrors.unsupportedVersion(file, version, INDEX_FILE_VERSION);
    const metaLen = view.getUint32(12, true);
    const payloadLen = Number(view.getBigUint64(16, true));
    const expected = HEADER_BYTES + pad8(metaLen) + payloadLen + 4;
    if (expected !== size) throw storageErrors.corruptFile(file, 16, `length ${size} does not match header (${expected})`);
    let crc = 0;
    const buf = new Uint8Array(Math.min(CHECK_CHUNK_BYTES, size));
    for (let at = 0; at < size - 4; at += buf.length) {
      const part = buf.subarray(0, Math.min(buf.length, size - 4 - at));
      if ((await h.read(part, at)) !== part.length) throw storageErrors.corruptFile(file, at, 'short read');
      crc = crc32cFast(part, crc);
    }
    const tail = new Uint8Array(4);
    await h.read(tail, size - 4);
    if (new DataView(tail.buffer).getUint32(0, true) !== crc) throw storageErrors.corruptFile(file, size - 4, 'CRC mismatch');
    return { offset: HEADER_BYTES + pad8(metaLen), length: payloadLen };
  } finally {
    await h.close();
  }
}

/**
 * Read an index file's payload in order through `decode` (bounded positional reads, checksummed as
 * they arrive; no buffer of the whole file), then check that every payload byte was read and the
 * file's CRC. What `decode` returned is given to `discard` when that check fails.
 */
export async function readIndexPayload<T>(
  fs: FileSystem, path: string, decode: (payload: PayloadReader) => Promise<T>, discard: (t: T) => void, pieceBytes = READ_PIECE_BYTES,
): Promise<T> {
  const file = posix.basename(path);
  const h = await fs.open(path, 'r');
  try {
    const r = new PieceReader(h, await h.size(), file, pieceBytes);
    if (r.size < HEADER_BYTES + 4) throw storageErrors.corruptFile(file, 0, 'shorter than an index file header');
    const head = await r.bytes(HEADER_BYTES, 'index file header');
    for (let i = 0; i < MAGIC.length; i++) if (head[i] !== MAGIC[i]) throw storageErrors.corruptFile(file, i, 'bad index file magic');
    const view = new DataView(head.buffer);
    const version = view.getUint32(8, true);
    if (version !== INDEX_FILE_VERSION) throw storageErrors.unsupportedVersion(file, version, INDEX_FILE_VERSION);
    const metaLen = view.getUint32(12, true);
    const length = Number(view.getBigUint64(16, true));
    const expected = HEADER_BYTES + pad8(metaLen) + length + 4;
    if (expected !== r.size) throw storageErrors.corruptFile(file, 16, `length ${r.size} does not match header (${expected})`);
    await r.skip(pad8(metaLen), 'index file meta');
    const start = r.position;
    const reader: PayloadReader = {
      length,
      read: async (dst) => {
        if (r.position + dst.length > start + length) throw storageErrors.corruptFile(file, r.position, `payload read of ${dst.length} bytes passes its end`);
        await r.into(dst, 'index payload');
      },
    };
    const out = await decode(reader);
    try {
      if (r.position !== start + length) throw storageErrors.corruptFile(file, r.position, `${start + length - r.position} payload bytes not read`);
      await r.finish();
    } catch (e) {
      discard(out);
      throw e;
    }
    return out;
  } finally {
    await h.close();
  }
}
