/**
 * A refresh of an external collection (schema/external.ts) is an import job of its own kind: the
 * files are the Parquet files found at the collection's `external_source` when the job runs (in
 * its subfolders too), their columns are renamed from each field's `external_field` to the field,
 * and the commit replaces every row the collection had (engine/import-stage.ts, one catalog commit).
 * An `s3://bucket/path` source is read with the spec's `extfs` settings (`access_key_id`,
 * `access_key_value`, `address`, `use_ssl`, `region`, `bucket_name`), each one the spec leaves out
 * taken from the server's import bucket settings; other sources are read from the import source.
 */
import { importErrors } from '../../core/errors.js';
import { limits } from '../../core/limits.js';
import { parseExternalSpec } from '../../schema/external.js';
import type { CollectionSchema } from '../../schema/types.js';
import { s3Source, type ImportSource } from './sources.js';
import type { ImportOptions, ImportS3Options } from './types.js';

/** The `extfs` members a refresh uses (an object, or its JSON text as the Go SDK documents it). */
interface Extfs { accessKeyId?: string; secretAccessKey?: string; endpoint?: string; region?: string; bucket?: string }

function extfsOf(externalSpec: string): Extfs {
  let raw = parseExternalSpec(externalSpec)['extfs'];
  if (typeof raw === 'string' && raw.trim() !== '') {
    try {
      raw = JSON.parse(raw);
    } catch {
      throw importErrors.failed('external_spec.extfs must be a JSON object');
    }
  }
  if (raw === undefined || raw === null || raw === '') return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw importErrors.failed('external_spec.extfs must be a JSON object');
  const o = raw as Record<string, unknown>;
  const text = (...keys: string[]): string | undefined => {
    for (const k of keys) if (typeof o[k] === 'string' && o[k] !== '') return o[k];
    return undefined;
  };
  const out: Extfs = {};
  const set = (key: keyof Extfs, v: string | undefined): void => { if (v !== undefined) out[key] = v; };
  set('accessKeyId', text('access_key_id'));
  set('secretAccessKey', text('access_key_value', 'access_key_val', 'secret_access_key'));
  set('region', text('region'));
  set('bucket', text('bucket_name'));
  const address = text('address', 'endpoint');
  if (address !== undefined) {
    const ssl = o['use_ssl'] !== false && o['use_ssl'] !== 'false';
    set('endpoint', /^https?:\/\//i.test(address) ? address : `${ssl ? 'https' : 'http'}://${address}`);
  }
  return out;
}

/**
 * The source a refresh reads: for `s3://bucket/...` with `extfs` settings, or a bucket other than
 * the import bucket, an S3 source over that bucket (unset settings from the server's import
 * bucket); otherwise the server's import source.
 */
export function refreshSource(opts: ImportOptions, fallback: ImportSource | null, externalSource: string, externalSpec: string): ImportSource | null {
  const m = /^s3:\/\/([^/]+)\//i.exec(externalSource);
  if (m === null) return fallback;
  const ext = extfsOf(externalSpec);
  const server: Partial<ImportS3Options> = opts.s3 ?? {};
  const bucket = m[1]!;
  if (Object.keys(ext).length === 0 && server.bucket === bucket) return fallback;
  if (ext.bucket !== undefined && ext.bucket !== bucket) throw importErrors.failed(`external_spec.extfs.bucket_name ${ext.bucket} is not the bucket of ${externalSource}`);
  const s3: ImportS3Options = { bucket, region: ext.region ?? server.region ?? 'us-east-1' };
  const endpoint = ext.endpoint ?? server.endpoint;
  if (endpoint !== undefined) s3.endpoint = endpoint;
  const accessKeyId = ext.accessKeyId ?? server.accessKeyId;
  const secretAccessKey = ext.secretAccessKey ?? server.secretAccessKey;
  if (accessKeyId !== undefined && secretAccessKey !== undefined) { s3.accessKeyId = accessKeyId; s3.secretAccessKey = secretAccessKey; }
  return s3Source(s3);
}

const isParquet = (p: string): boolean => p.toLowerCase().endsWith('.parquet');

/** The Parquet files of `externalSource` (one file, or a folder's files and its subfolders'), one group each. */
export async function refreshFiles(source: ImportSource | null, externalSource: string): Promise<string[][]> {
  if (source === null) {
    throw importErrors.failed(`cannot read external source ${externalSource}: the server has no import source (start it with --import-root or --import-s3-bucket)`);
  }
  if (!externalSource.startsWith('s3://') && /^[a-z][a-z0-9+.-]*:\/\//i.test(externalSource)) {
    throw importErrors.failed(`cannot read external source ${externalSource}: only s3:// and local paths are supported`);
  }
  if (isParquet(externalSource)) return [[externalSource]];
  const folder = externalSource.endsWith('/') ? externalSource : `${externalSource}/`;
  const files = (await source.list(folder, true)).filter(isParquet);
  if (files.length === 0) throw importErrors.failed(`external source ${externalSource} holds no .parquet files`);
  if (files.length > limits.importMaxFilesPerJob) throw importErrors.failed(`external source ${externalSource} holds more than ${limits.importMaxFilesPerJob} .parquet files`);
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
