/**
 * The manifest: one small JSON document naming everything durable (collections, segment files,
 * checkpoint LSN). It is replaced atomically, never modified in place.
 *
 * File `MANIFEST`, format version 1 (little-endian):
 *
 *    0  u8[8]  magic "SXMAN\0\0\0"
 *    8  u32    format version (1)
 *   12  u32    body length N
 *   16  u8[N]  body: UTF-8 JSON
 *   16 + N     u32 CRC-32C of bytes [0, 16 + N)
 *
 * Replacement: write `MANIFEST.tmp`, fsync it, rename it over `MANIFEST`, fsync the directory.
 * A crash at any step leaves either the old or the new manifest; a leftover `MANIFEST.tmp` is
 * removed by the next read.
 */
import { posix } from 'node:path';
import { crc32c } from '../core/crc32c.js';
import { storageErrors } from './errors.js';
import type { FileSystem } from './fs/types.js';
import { writeFileAtomic } from './fs/durable.js';

export const MANIFEST_FILE = 'MANIFEST';
export const MANIFEST_MAGIC = Uint8Array.from([0x53, 0x58, 0x4d, 0x41, 0x4e, 0, 0, 0]); // "SXMAN\0\0\0"
export const MANIFEST_VERSION = 1;
const HEADER_BYTES = 16;

export function encodeManifest(body: unknown): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(body));
  const out = new Uint8Array(HEADER_BYTES + json.length + 4);
  const dv = new DataView(out.buffer);
  out.set(MANIFEST_MAGIC, 0);
  dv.setUint32(8, MANIFEST_VERSION, true);
  dv.setUint32(12, json.length, true);
  out.set(json, HEADER_BYTES);
  dv.setUint32(HEADER_BYTES + json.length, crc32c(out.subarray(0, HEADER_BYTES + json.length)), true);
  return out;
}

export function decodeManifest(bytes: Uint8Array, file: string): unknown {
  const corrupt = (at: number, why: string) => storageErrors.corruptFile(file, at, why);
  if (bytes.length < HEADER_BYTES + 4) throw corrupt(0, `file is ${bytes.length} bytes, too short for a manifest`);
  for (let i = 0; i < MANIFEST_MAGIC.length; i++) if (bytes[i] !== MANIFEST_MAGIC[i]) throw corrupt(0, 'bad magic (not a manifest)');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(8, true);
  if (version !== MANIFEST_VERSION) throw storageErrors.unsupportedVersion(file, version, MANIFEST_VERSION);
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

/** Atomically replaces `dir/MANIFEST` with `body` (JSON-safe). */
export async function writeManifest(fs: FileSystem, dir: string, body: unknown): Promise<void> {
  await writeFileAtomic(fs, dir, MANIFEST_FILE, encodeManifest(body));
}

/** The current manifest body, or null when none was ever written. */
export async function readManifest(fs: FileSystem, dir: string): Promise<unknown | null> {
  const tmp = posix.join(dir, `${MANIFEST_FILE}.tmp`);
  if (await fs.exists(tmp)) {
    await fs.unlink(tmp);
    await fs.fsyncDir(dir);
  }
  const path = posix.join(dir, MANIFEST_FILE);
  if (!(await fs.exists(path))) return null;
  return decodeManifest(await fs.readFile(path), path);
}
