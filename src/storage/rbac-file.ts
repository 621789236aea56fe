/**
 * The access-control catalog (users, roles, grants, privilege groups) as one small JSON document,
 * kept apart from the MANIFEST so that access-control changes never rewrite the data catalog.
 * File `RBAC`, format version 1, magic "SXRBAC\0\0", in the checksummed layout of json-doc.ts,
 * replaced atomically exactly like the MANIFEST. The body holds bcrypt hashes, never passwords.
 */
import type { FileSystem } from './fs/types.js';
import type { DocStore } from './ports.js';
import { decodeJsonDoc, encodeJsonDoc, readJsonDoc, writeJsonDoc, type JsonDocFormat } from './json-doc.js';

export const RBAC_FILE = 'RBAC';
export const RBAC_MAGIC = Uint8Array.from([0x53, 0x58, 0x52, 0x42, 0x41, 0x43, 0, 0]); // "SXRBAC\0\0"
export const RBAC_VERSION = 1;
const FORMAT: JsonDocFormat = { file: RBAC_FILE, magic: RBAC_MAGIC, version: RBAC_VERSION, what: 'an access-control catalog' };

export const encodeRbac = (body: unknown): Uint8Array => encodeJsonDoc(FORMAT, body);
export const decodeRbac = (bytes: Uint8Array, file: string): unknown => decodeJsonDoc(FORMAT, bytes, file);
/** Atomically replaces `dir/RBAC` with `body` (JSON-safe). */
export const writeRbac = (fs: FileSystem, dir: string, body: unknown): Promise<void> => writeJsonDoc(FORMAT, fs, dir, body);
/** The current catalog body, or null when none was ever written. */
export const readRbac = (fs: FileSystem, dir: string): Promise<unknown | null> => readJsonDoc(FORMAT, fs, dir);

/** The data directory's `RBAC` file as a DocStore. */
export function localRbacStore(fs: FileSystem, dir: string): DocStore {
  return { read: () => readRbac(fs, dir), write: (body) => writeRbac(fs, dir, body), writable: true };
}
