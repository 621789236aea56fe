/**
 * The resource groups (their configuration, which nodes each holds, which group serves each loaded
 * collection's replica) as one small JSON document, kept apart from the MANIFEST like the RBAC
 * catalog. File `RESOURCE_GROUPS`, format version 1, magic "SXRGRP\0\0", in the checksummed
 * layout of json-doc.ts, replaced atomically exactly like the MANIFEST.
 */
import type { FileSystem } from './fs/types.js';
import type { DocStore } from './ports.js';
import { readJsonDoc, writeJsonDoc, type JsonDocFormat } from './json-doc.js';

export const RESOURCE_GROUPS_FILE = 'RESOURCE_GROUPS';
export const RESOURCE_GROUPS_MAGIC = Uint8Array.from([0x53, 0x58, 0x52, 0x47, 0x52, 0x50, 0, 0]); // "SXRGRP\0\0"
export const RESOURCE_GROUPS_VERSION = 1;
const FORMAT: JsonDocFormat = { file: RESOURCE_GROUPS_FILE, magic: RESOURCE_GROUPS_MAGIC, version: RESOURCE_GROUPS_VERSION, what: 'a resource group catalog' };

/** Atomically replaces `dir/RESOURCE_GROUPS` with `body` (JSON-safe). */
export const writeResourceGroups = (fs: FileSystem, dir: string, body: unknown): Promise<void> => writeJsonDoc(FORMAT, fs, dir, body);
/** The current body, or null when none was ever written. */
export const readResourceGroups = (fs: FileSystem, dir: string): Promise<unknown | null> => readJsonDoc(FORMAT, fs, dir);

/** The data directory's `RESOURCE_GROUPS` file as a DocStore. */
export function localResourceGroupsStore(fs: FileSystem, dir: string): DocStore {
  return { read: () => readResourceGroups(fs, dir), write: (body) => writeResourceGroups(fs, dir, body), writable: true };
}
