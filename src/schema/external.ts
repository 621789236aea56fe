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
