/**
 * Bulk import jobs (their requests, states, progress and reasons) as one small JSON document, kept
 * apart from the MANIFEST like the RBAC and resource-group catalogs: file `IMPORTS`, format
 * version 1, magic "SXIMPT\0\0", in the checksummed layout of json-doc.ts, replaced atomically.
 * Whether a job's rows are in the catalog is never read from here: the catalog commit that adds
 * them records the job (engine/import-stage.ts), so this file may lag it after a crash.
 */
import type { FileSystem } from './fs/types.js';
import { readJsonDoc, writeJsonDoc, type JsonDocFormat } from './json-doc.js';

export const IMPORT_JOBS_FILE = 'IMPORTS';
export const IMPORT_JOBS_MAGIC = Uint8Array.from([0x53, 0x58, 0x49, 0x4d, 0x50, 0x54, 0, 0]); // "SXIMPT\0\0"
const FORMAT: JsonDocFormat = { file: IMPORT_JOBS_FILE, magic: IMPORT_JOBS_MAGIC, version: 1, what: 'an import job list' };

/** Atomically replaces `dir/IMPORTS` with `body` (JSON-safe). */
export const writeImportJobs = (fs: FileSystem, dir: string, body: unknown): Promise<void> => writeJsonDoc(FORMAT, fs, dir, body);
/** The current body, or null when none was ever written. */
export const readImportJobs = (fs: FileSystem, dir: string): Promise<unknown | null> => readJsonDoc(FORMAT, fs, dir);
