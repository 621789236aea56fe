/**
 * External collections (Milvus 2.6): a collection whose rows come from files outside Sextant
 * (`external_source`, read as `external_spec` says), each field naming its column with
 * `external_field`. Sextant adds the primary key itself, an auto-ID Int64 `__virtual_pk__`;
 * rows arrive only by a refresh (service/external.ts), never by insert, upsert or delete.
 */
import { DataType } from '../core/enums.js';
import { errors } from '../core/errors.js';
import type { FieldSchema } from './types.js';

export const VIRTUAL_PK_NAME = '__virtual_pk__';
/** The external file formats a refresh reads (service/import/formats). */
const FORMATS: ReadonlySet<string> = new Set(['parquet']);

export interface ExternalSpecInput {
  externalSource?: string;
  externalSpec?: string;
  enableDynamicField?: boolean;
  functionCount: number;
  structCount: number;
}

const invalid = (what: string) => errors.invalidParameter(what);

export function isExternal(spec: { externalSource?: string | undefined }): boolean {
  return spec.externalSource !== undefined && spec.externalSource !== '';
}

/** The parsed `external_spec` (a JSON object; `format` defaults to parquet). */
export function parseExternalSpec(raw: string | undefined): { format: string } & Record<string, unknown> {
  if (raw === undefined || raw === '') return { format: 'parquet' };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw invalid(`external_spec must be a JSON object, got ${JSON.stringify(raw.slice(0, 64))}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw invalid('external_spec must be a JSON object');
  const obj = json as Record<string, unknown>;
  const format = obj['format'] ?? 'parquet';
  if (typeof format !== 'string' || !FORMATS.has(format.toLowerCase())) {
    throw invalid(`unsupported external format ${JSON.stringify(format)}, supported: ${[...FORMATS].join(', ')}`);
  }
  return { ...obj, format: format.toLowerCase() };
}

/**
 * Checks the external parts of a schema being built; for an external collection appends the
 * virtual primary key (id `nextFieldId`). A plain collection may not name external fields.
 */
export function checkExternalSchema(spec: ExternalSpecInput, fields: FieldSchema[], nextFieldId: number): void {
  if (!isExternal(spec)) {
    if (spec.externalSpec !== undefined && spec.externalSpec !== '') throw invalid('external_spec is given without external_source');
    const named = fields.find((f) => f.externalField !== undefined);
    if (named !== undefined) throw invalid(`field ${named.name} has external_field but the collection has no external_source`);
    return;
  }
  parseExternalSpec(spec.externalSpec);
  if (spec.enableDynamicField === true) throw invalid('external collection does not support dynamic field');
  if (spec.functionCount > 0) throw invalid('external collection does not support functions');
  if (spec.structCount > 0) throw invalid('external collection does not support struct array fields');
  const seen = new Map<string, string>();
  for (const f of fields) {
    if (f.name === VIRTUAL_PK_NAME) throw invalid(`field name ${VIRTUAL_PK_NAME} is reserved for the virtual primary key of an external collection`);
    if (f.isPrimaryKey) throw invalid(`external collection does not support user-defined primary key, field name = ${f.name}`);
    if (f.isPartitionKey) throw invalid(`external collection does not support partition key, field name = ${f.name}`);
    if (f.externalField === undefined) throw invalid(`field ${f.name} of an external collection must have external_field`);
    const other = seen.get(f.externalField);
    if (other !== undefined) throw invalid(`fields ${other} and ${f.name} map the same external_field ${f.externalField}`);
    seen.set(f.externalField, f.name);
  }
  fields.push({
    fieldId: nextFieldId, name: VIRTUAL_PK_NAME, description: 'virtual primary key of an external collection', dataType: DataType.Int64,
    isPrimaryKey: true, autoId: true, isPartitionKey: false, isClusteringKey: false, isDynamic: false,
    nullable: false, defaultValue: null, dim: null, maxLength: null, maxCapacity: null, elementType: null, typeParams: {},
  });
}

/**
 * `extfs` keys whose values are credentials: Milvus's secret keys (access_key_id, access_key_value,
 * ssl_ca_cert, external_id), the aliases a refresh also reads for the secret key, and a session token.
 */
const SECRET_EXTFS_KEYS: ReadonlySet<string> = new Set([
  'access_key_id', 'access_key_value', 'access_key_val', 'secret_access_key', 'ssl_ca_cert', 'external_id', 'session_token',
]);
/** What a secret's value is shown as (Milvus's RedactExternalSpec). */
export const REDACTED = '***';

function redactExtfs(extfs: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(extfs)) out[k] = SECRET_EXTFS_KEYS.has(k) && v !== '' && v !== null && v !== undefined ? REDACTED : v;
  return out;
}

/**
 * `external_spec` as shown to users (describe, refresh job info): every secret `extfs` value
 * (an object, or its JSON text) replaced by `***`; text that is not a JSON object shows as
 * `<invalid spec>`, never echoed. The stored spec is not changed: refreshes read it.
 */
export function redactExternalSpec(spec: string): string {
  if (spec === '') return '';
  let obj: unknown;
  try {
    obj = JSON.parse(spec);
  } catch {
    return '<invalid spec>';
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return '<invalid spec>';
  const o = obj as Record<string, unknown>;
  const extfs = o['extfs'];
  if (typeof extfs === 'object' && extfs !== null && !Array.isArray(extfs)) return JSON.stringify({ ...o, extfs: redactExtfs(extfs as Record<string, unknown>) });
  if (typeof extfs === 'string' && extfs.trim() !== '') {
    let inner: unknown;
    try {
      inner = JSON.parse(extfs);
    } catch {
      return JSON.stringify({ ...o, extfs: '<invalid extfs>' });
    }
    if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) return JSON.stringify({ ...o, extfs: '<invalid extfs>' });
    return JSON.stringify({ ...o, extfs: JSON.stringify(redactExtfs(inner as Record<string, unknown>)) });
  }
  return spec;
}
