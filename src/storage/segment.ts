/**
 * Immutable segment files: one sealed segment's rows, column by column.
 *
 * Format version 1 (little-endian):
 *
 *    0  u8[8]  magic "SXSEG\0\0\0"
 *    8  u32    format version (1)
 *   12  u32    numRows
 *   16  u64    file length in bytes, trailing CRC included
 *   24  u32    meta length M
 *   28  u32    reserved (0)
 *   32  u8[M]  meta: UTF-8 JSON object, zero padded to a multiple of 8 bytes
 *   32 + pad8(M)   column data, codec.ts layout (numRows must match), up to length - 4
 *   length - 4     u32 CRC-32C of every byte before it
 *
 * A file is written once, as `<name>.tmp`, fsync'd, renamed to `<name>` and the directory
 * fsync'd; it is never modified afterwards. Reading verifies magic, version, length and CRC.
 */
import { posix } from 'node:path';
import { assert } from '../core/assert.js';
import { crc32cFast } from '../index/wasm/crc.js';
import { columnSections } from './codec.js';
import type { FieldColumn } from './codec.js';
import { decodeColumns, pad8 } from './codec-decode.js';
import { storageErrors } from './errors.js';
import type { FileSystem } from './fs/types.js';
import { writeFileAtomic } from './fs/durable.js';

export const SEGMENT_MAGIC = Uint8Array.from([0x53, 0x58, 0x53, 0x45, 0x47, 0, 0, 0]); // "SXSEG\0\0\0"
export const SEGMENT_VERSION = 1;
const HEADER_BYTES = 32;

export interface SegmentData {
  meta: Record<string, unknown>;
  numRows: number;
  cols: FieldColumn[];
}


export function encodeSegment(seg: SegmentData): Uint8Array {
  const { parts, lengthBytes } = segmentParts(seg);
  const out = new Uint8Array(lengthBytes);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * The file's bytes as pieces, in order: the header and meta, the column sections (views of the
 * columns' own arrays, small ones gathered) and the CRC. Written piece by piece, a segment's column
 * data is never copied in memory (a 64 MiB buffer per flush cost more in page faults than its write).
 */
export function segmentParts(seg: SegmentData): { parts: Uint8Array[]; lengthBytes: number } {
  const metaBytes = new TextEncoder().encode(JSON.stringify(seg.meta));
  const columns = columnSections(seg.cols, seg.numRows);
  const columnsAt = HEADER_BYTES + pad8(metaBytes.length);
  const lengthBytes = columnsAt + columns.lengthBytes + 4;
  const head = new Uint8Array(columnsAt);
  const dv = new DataView(head.buffer);
  head.set(SEGMENT_MAGIC, 0);
  dv.setUint32(8, SEGMENT_VERSION, true);
  dv.setUint32(12, seg.numRows, true);
  dv.setBigUint64(16, BigInt(lengthBytes), true);
  dv.setUint32(24, metaBytes.length, true);
  head.set(metaBytes, HEADER_BYTES);
  const parts = gatherSmall([head, ...columns.parts]);
  let crc = 0;
  for (const p of parts) crc = crc32cFast(p, crc);
  const tail = new Uint8Array(4);
  new DataView(tail.buffer).setUint32(0, crc, true);
  parts.push(tail);
  return { parts, lengthBytes };
}

/** Pieces below this many bytes are gathered into one (one write instead of many tiny ones). */
const GATHER_BYTES = 64 * 1024;

function gatherSmall(pieces: readonly Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let run: Uint8Array[] = [];
  let runBytes = 0;
  const flush = (): void => {
    if (run.length === 1) out.push(run[0]!);
    else if (run.length > 1) {
      const b = new Uint8Array(runBytes);
      let at = 0;
      for (const r of run) { b.set(r, at); at += r.length; }
      out.push(b);
    }
    run = [];
    runBytes = 0;
  };
  for (const p of pieces) {
    if (p.length >= GATHER_BYTES) { flush(); out.push(p); continue; }
    run.push(p);
    runBytes += p.length;
    if (runBytes >= GATHER_BYTES) flush();
  }
  flush();
  return out;
}

export function decodeSegment(bytes: Uint8Array, file: string): SegmentData {
  const corrupt = (at: number, why: string) => storageErrors.corruptFile(file, at, why);
  if (bytes.length < HEADER_BYTES + 4) throw corrupt(0, `file is ${bytes.length} bytes, too short for a segment`);
  for (let i = 0; i < SEGMENT_MAGIC.length; i++) if (bytes[i] !== SEGMENT_MAGIC[i]) throw corrupt(0, 'bad magic (not a segment file)');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(8, true);
  if (version !== SEGMENT_VERSION) throw storageErrors.unsupportedVersion(file, version, SEGMENT_VERSION);
  const lengthBytes = dv.getBigUint64(16, true);
  if (lengthBytes !== BigInt(bytes.length)) throw corrupt(16, `header says ${lengthBytes} bytes, file has ${bytes.length}`);
  const crcAt = bytes.length - 4;
  if (dv.getUint32(crcAt, true) !== crc32cFast(bytes.subarray(0, crcAt))) throw corrupt(crcAt, 'checksum mismatch');
  const numRows = dv.getUint32(12, true);
  const metaLength = dv.getUint32(24, true);
  const columnsAt = HEADER_BYTES + pad8(metaLength);
  if (columnsAt > crcAt) throw corrupt(24, `meta length ${metaLength} overruns the file`);
  const meta = parseMeta(bytes.subarray(HEADER_BYTES, HEADER_BYTES + metaLength), corrupt);
  const decoded = decodeColumns(bytes.subarray(columnsAt, crcAt), { file, baseOffset: columnsAt });
  if (decoded.numRows !== numRows) throw corrupt(columnsAt, `column data holds ${decoded.numRows} rows, header says ${numRows}`);
  return { meta, numRows, cols: decoded.cols };
}

function parseMeta(bytes: Uint8Array, corrupt: (at: number, why: string) => Error): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw corrupt(HEADER_BYTES, 'meta is not valid JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw corrupt(HEADER_BYTES, 'meta is not a JSON object');
  return v as Record<string, unknown>;
}

/** Writes `dir/fileName` durably and atomically; returns its size in bytes. */
export async function writeSegmentFile(fs: FileSystem, dir: string, fileName: string, seg: SegmentData): Promise<number> {
  assert(!fileName.includes('/'), 'segment file name must not contain a slash');
  const { parts, lengthBytes } = segmentParts(seg);
  await writeFileAtomic(fs, dir, fileName, parts);
  return lengthBytes;
}

/** Reads and verifies a segment file; a damaged file refuses with an error naming it. */
export async function readSegmentFile(fs: FileSystem, path: string): Promise<SegmentData> {
  return decodeSegment(await fs.readFile(path), path);
}

/** Removes `*.tmp` leftovers of interrupted segment writes in `dir`; returns their names. */
export async function removeTempSegmentFiles(fs: FileSystem, dir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await fs.readdir(dir)) {
    if (!name.endsWith('.tmp')) continue;
    await fs.unlink(posix.join(dir, name));
    removed.push(name);
  }
  if (removed.length > 0) await fs.fsyncDir(dir);
  return removed;
}
