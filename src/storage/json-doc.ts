/**
 * A small checksummed JSON document replaced atomically, never modified in place: the layout of the
 * MANIFEST and of the access-control catalog (RBAC), each with its own magic (little-endian):
 *
 *    0  u8[8]  magic
 *    8  u32    format version
 *   12  u32    body length N
 *   16  u8[N]  body: UTF-8 JSON
 *   16 + N     u32 CRC-32C of bytes [0, 16 + N)
 *
 * Replacement: write `NAME.tmp`, fsync it, rename it over `NAME`, fsync the directory. A crash at
 * any step leaves either the old or the new document; a leftover `NAME.tmp` is removed by the next read.
 */
import { posix } from 'node:path';
import { crc32c } from '../core/crc32c.js';
import { storageErrors } from './errors.js';
import type { FileSystem } from './fs/types.js';
import { writeFileAtomic } from './fs/durable.js';

export interface JsonDocFormat {
  /** The file name in its directory. */
  file: string;
  magic: Uint8Array;
  version: number;
  /** What the document is, for error messages ("a manifest"). */
  what: string;
}

const HEADER_BYTES = 16;

export function encodeJsonDoc(f: JsonDocFormat, body: unknown): Uint8Array {
  return encodeJsonDocBytes(f, new TextEncoder().encode(JSON.stringify(body)));
}

/** The document around a body that is already UTF-8 JSON (the catalog store's bytes). */
export function encodeJsonDocBytes(f: JsonDocFormat, json: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + json.length + 4);
  const dv = new DataView(out.buffer);
  out.set(f.magic, 0);
  dv.setUint32(8, f.version, true);
  dv.setUint32(12, json.length, true);
  out.set(json, HEADER_BYTES);
  dv.setUint32(HEADER_BYTES + json.length, crc32c(out.subarray(0, HEADER_BYTES + json.length)), true);
  return out;
}

export function decodeJsonDoc(f: JsonDocFormat, bytes: Uint8Array, file: string): unknown {
  const corrupt = (at: number, why: string) => storageErrors.corruptFile(file, at, why);
  if (bytes.length < HEADER_BYTES + 4) throw corrupt(0, `file is ${bytes.length} bytes, too short for ${f.what}`);
  for (let i = 0; i < f.magic.length; i++) if (bytes[i] !== f.magic[i]) throw corrupt(0, `bad magic (not ${f.what})`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(8, true);
  if (version !== f.version) throw storageErrors.unsupportedVersion(file, version, f.version);
  const length = dv.getUint32(12, true);
  if (HEADER_BYTES + length + 4 !== bytes.length) throw corrupt(12, `body length ${length} does not match the file size ${bytes.length}`);
  const crcAt = HEADER_BYTES + length;
  if (dv.getUint32(crcAt, true) !== crc32c(bytes.subarray(0, crcAt))) throw corrupt(crcAt, 'checksum mismatch');
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(HEADER_BYTES, crcAt))) as unknown;
  } catch {
    throw corrupt(HEADER_BYTES, 'body is not valid JSON');
  }
}

/** Atomically replaces `dir/<file>` with `body` (JSON-safe). */
export async function writeJsonDoc(f: JsonDocFormat, fs: FileSystem, dir: string, body: unknown): Promise<void> {
  await writeFileAtomic(fs, dir, f.file, encodeJsonDoc(f, body));
}

/** The current body, or null when none was ever written. */
export async function readJsonDoc(f: JsonDocFormat, fs: FileSystem, dir: string): Promise<unknown | null> {
  const doc = await readJsonDocFile(f, fs, dir);
  return doc === null ? null : decodeJsonDoc(f, doc.bytes, doc.path);
}

/**
 * The current document's file bytes (not yet checked), or null when none was ever written. A
 * leftover temp file of an interrupted replacement is removed first.
 */
export async function readJsonDocFile(f: JsonDocFormat, fs: FileSystem, dir: string): Promise<{ bytes: Uint8Array; path: string } | null> {
  const tmp = posix.join(dir, `${f.file}.tmp`);
  if (await fs.exists(tmp)) {
    await fs.unlink(tmp);
    await fs.fsyncDir(dir);
  }
  const path = posix.join(dir, f.file);
  if (!(await fs.exists(path))) return null;
  return { bytes: await fs.readFile(path), path };
}
