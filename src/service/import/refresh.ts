/**
 * A refresh of an external collection (schema/external.ts) is an import job of its own kind: the
 * files are the Parquet files found at the collection's `external_source` when the job runs, their
 * columns are renamed from each field's `external_field` to the field, and the commit replaces
 * every row the collection had (engine/import-stage.ts, one catalog commit).
 */
import { importErrors } from '../../core/errors.js';
import type { CollectionSchema } from '../../schema/types.js';
import type { ImportSource } from './sources.js';

const isParquet = (p: string): boolean => p.toLowerCase().endsWith('.parquet');

/** The Parquet files of `externalSource` (one file, or a folder's files), one group each. */
export async function refreshFiles(source: ImportSource | null, externalSource: string): Promise<string[][]> {
  if (source === null) {
    throw importErrors.failed(`cannot read external source ${externalSource}: the server has no import source (start it with --import-root or --import-s3-bucket)`);
  }
  if (!externalSource.startsWith('s3://') && /^[a-z][a-z0-9+.-]*:\/\//i.test(externalSource)) {
    throw importErrors.failed(`cannot read external source ${externalSource}: only s3:// and local paths are supported`);
  }
  if (isParquet(externalSource)) return [[externalSource]];
  const folder = externalSource.endsWith('/') ? externalSource : `${externalSource}/`;
  const files = (await source.list(folder)).filter(isParquet);
  if (files.length === 0) throw importErrors.failed(`external source ${externalSource} holds no .parquet files`);
  return files.map((f) => [f]);
}

/** external_field -> field name, for the fields that map one. */
export function externalColumnMap(schema: CollectionSchema): Map<string, string> {
  const map = new Map<string, string>();
  for (const f of schema.fields) if (f.externalField !== undefined) map.set(f.externalField, f.name);
  return map;
}

/** Renames a row's external columns to their fields; other columns are dropped (a file may hold more). */
export function renameRow(row: Record<string, unknown>, map: ReadonlyMap<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [ext, name] of map) if (ext in row) out[name] = row[ext];
  return out;
}
