/**
 * The access-control catalog (users, roles, grants, privilege groups) as one small checksummed JSON
 * document, replaced atomically exactly like the MANIFEST and never modified in place. It is kept
 * apart from the MANIFEST so that access-control changes never rewrite the data catalog.
 *
 * File `RBAC`, format version 1 (little-endian), the MANIFEST's layout with its own magic:
 *
 *    0  u8[8]  magic "SXRBAC\0\0"
 *    8  u32    format version (1)
 *   12  u32    body length N
 *   16  u8[N]  body: UTF-8 JSON
 *   16 + N     u32 CRC-32C of bytes [0, 16 + N)
 *
 * Replacement: write `RBAC.tmp`, fsync it, rename it over `RBAC`, fsync the directory. A crash at
 * any step leaves either the old or the new catalog; a leftover `RBAC.tmp` is removed on read.
 * The body holds bcrypt hashes, never passwords.
 */
import { posix } from 'node:path';
import { crc32c } from '../core/crc32c.js';
import { storageErrors } from './errors.js';
import type { FileSystem } from './fs/types.js';
import { writeFileAtomic } from './fs/durable.js';

export const RBAC_FILE = 'RBAC';
export const RBAC_MAGIC = Uint8Array.from([0x53, 0x58, 0x52, 0x42, 0x41, 0x43, 0, 0]); // "SXRBAC\0\0"
export const RBAC_VERSION = 1;
const HEADER_BYTES = 16;

export function encodeRbac(body: unknown): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(body));
  const out = new Uint8Array(HEADER_BYTES + json.length + 4);
  const dv = new DataView(out.buffer);
  out.set(RBAC_MAGIC, 0);
  dv.setUint32(8, RBAC_VERSION, true);
  dv.setUint32(12, json.length, true);
  out.set(json, HEADER_BYTES);
  dv.setUint32(HEADER_BYTES + json.length, crc32c(out.subarray(0, HEADER_BYTES + json.length)), true);
  return out;
}

export function decodeRbac(bytes: Uint8Array, file: string): unknown {
  const corrupt = (at: number, why: string) => storageErrors.corruptFile(file, at, why);
  if (bytes.length < HEADER_BYTES + 4) throw corrupt(0, `file is ${bytes.length} bytes, too short for an access-control catalog`);
  for (let i = 0; i < RBAC_MAGIC.length; i++) if (bytes[i] !== RBAC_MAGIC[i]) throw corrupt(0, 'bad magic (not an access-control catalog)');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(8, true);
  if (version !== RBAC_VERSION) throw storageErrors.unsupportedVersion(file, version, RBAC_VERSION);
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

/** Atomically replaces `dir/RBAC` with `body` (JSON-safe). */
export async function writeRbac(fs: FileSystem, dir: string, body: unknown): Promise<void> {
  await writeFileAtomic(fs, dir, RBAC_FILE, encodeRbac(body));
}

/** The current catalog body, or null when none was ever written. */
export async function readRbac(fs: FileSystem, dir: string): Promise<unknown | null> {
  const tmp = posix.join(dir, `${RBAC_FILE}.tmp`);
  if (await fs.exists(tmp)) {
    await fs.unlink(tmp);
    await fs.fsyncDir(dir);
  }
  const path = posix.join(dir, RBAC_FILE);
  if (!(await fs.exists(path))) return null;
  return decodeRbac(await fs.readFile(path), path);
}
