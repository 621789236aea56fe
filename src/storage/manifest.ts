/**
 * The manifest: one small JSON document naming everything durable (collections, segment files,
 * checkpoint LSN). File `MANIFEST`, format version 1, magic "SXMAN\0\0\0", in the checksummed
 * layout of json-doc.ts, replaced atomically and never modified in place.
 */
import type { FileSystem } from './fs/types.js';
import { decodeJsonDoc, encodeJsonDoc, readJsonDoc, writeJsonDoc, type JsonDocFormat } from './json-doc.js';

export const MANIFEST_FILE = 'MANIFEST';
export const MANIFEST_MAGIC = Uint8Array.from([0x53, 0x58, 0x4d, 0x41, 0x4e, 0, 0, 0]); // "SXMAN\0\0\0"
export const MANIFEST_VERSION = 1;
/** The manifest's layout (json-doc.ts), also used by the local catalog store. */
export const MANIFEST_FORMAT: JsonDocFormat = { file: MANIFEST_FILE, magic: MANIFEST_MAGIC, version: MANIFEST_VERSION, what: 'a manifest' };

export const encodeManifest = (body: unknown): Uint8Array => encodeJsonDoc(MANIFEST_FORMAT, body);
export const decodeManifest = (bytes: Uint8Array, file: string): unknown => decodeJsonDoc(MANIFEST_FORMAT, bytes, file);
/** Atomically replaces `dir/MANIFEST` with `body` (JSON-safe). */
export const writeManifest = (fs: FileSystem, dir: string, body: unknown): Promise<void> => writeJsonDoc(MANIFEST_FORMAT, fs, dir, body);
/** The current manifest body, or null when none was ever written. */
export const readManifest = (fs: FileSystem, dir: string): Promise<unknown | null> => readJsonDoc(MANIFEST_FORMAT, fs, dir);
