/**
 * Collection schemas for `create collection`, from flags or from a JSON file.
 *
 * Flag form, one `-f` per field:  name:TYPE[:N][:option...]
 *   N         dim for vector types, max_length for VARCHAR, max_capacity for ARRAY
 *   options   primary | auto_id | nullable | partition_key | default=VALUE | element=TYPE | max_length=N
 *             | external=COLUMN (the field's external_field in an external collection)
 * e.g. `-f id:INT64:primary:auto_id -f title:VARCHAR:256 -f vec:FLOAT_VECTOR:128 -f tags:ARRAY:16:element=VARCHAR:max_length=32`.
 * `-p NAME` (old milvus_cli) marks the primary field and `-a` turns on its auto id.
 *
 * JSON form (`-f schema.json` or `--schema-file schema.json`):
 *   {"collection_name": "book", "description": "", "enable_dynamic_field": false,
 *    "fields": [{"name": "id", "type": "INT64", "is_primary": true, "auto_id": false},
 *               {"name": "vec", "type": "FLOAT_VECTOR", "dim": 4}, ...]}
 * Field keys: name, type (or data_type), is_primary (or is_primary_key), auto_id, dim, max_length,
 * max_capacity, element_type, nullable, default_value, is_partition_key, description, external_field.
 * An external collection's file also has "external_source" and "external_spec" (JSON text or an object).
 */
import { DataType, dataTypeFromName } from '../core/enums.js';
import type { FieldSpecInput } from '../service/types.js';
import { UsageError } from './args.js';

export function parseDataType(name: string): DataType {
  const t = dataTypeFromName(name.replace(/_/g, '')) ?? dataTypeFromName(name === 'STRING' ? 'VarChar' : name);
  if (t === undefined || t === DataType.None) throw new UsageError(`unknown data type "${name}"`);
  return t;
}

const WITH_DIM = new Set<DataType>([DataType.FloatVector, DataType.Float16Vector, DataType.BFloat16Vector, DataType.BinaryVector, DataType.Int8Vector]);

function intOf(text: string, what: string, spec: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`field "${spec}": ${what} must be a positive integer, got "${text}"`);
  return n;
}

function applySize(f: FieldSpecInput, n: number): void {
  if (WITH_DIM.has(f.dataType)) f.dim = n;
  else if (f.dataType === DataType.VarChar) f.maxLength = n;
  else if (f.dataType === DataType.Array) f.maxCapacity = n;
  else throw new UsageError(`field "${f.name}": type takes no size`);
}

function applyOption(f: FieldSpecInput, opt: string, spec: string): void {
  const eq = opt.indexOf('=');
  const key = (eq < 0 ? opt : opt.slice(0, eq)).toLowerCase();
  const val = eq < 0 ? '' : opt.slice(eq + 1);
  switch (key) {
    case 'primary': case 'pk': f.isPrimaryKey = true; return;
    case 'auto_id': case 'autoid': f.autoId = true; return;
    case 'nullable': f.nullable = true; return;
    case 'partition_key': f.isPartitionKey = true; return;
    case 'default': f.defaultValue = val; return;
    case 'element': f.elementType = parseDataType(val); return;
    case 'max_length': f.maxLength = intOf(val, 'max_length', spec); return;
    case 'dim': f.dim = intOf(val, 'dim', spec); return;
    case 'external': case 'external_field':
      if (val === '') throw new UsageError(`field "${spec}": external needs a column name (external=COLUMN)`);
      f.externalField = val; return;
    default:
      if (/^\d+$/.test(opt)) { applySize(f, intOf(opt, 'size', spec)); return; }
      throw new UsageError(`field "${spec}": unknown option "${opt}"`);
  }
}

/** One `-f name:TYPE[:N][:option...]`. */
export function parseFieldFlag(spec: string): FieldSpecInput {
  const [name, type, ...rest] = spec.split(':');
  if (name === undefined || name === '' || type === undefined || type === '') {
    throw new UsageError(`field "${spec}": expected name:TYPE[:N][:option...]`);
  }
  const f: FieldSpecInput = { name, dataType: parseDataType(type.toUpperCase()) };
  for (const opt of rest) applyOption(f, opt, spec);
  return f;
}

function str(o: Record<string, unknown>, k: string): string | undefined {
  const v = o[k];
  return typeof v === 'string' ? v : undefined;
}
function num(o: Record<string, unknown>, k: string): number | undefined {
  const v = o[k];
  return typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined;
}

function jsonField(o: unknown, i: number): FieldSpecInput {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new UsageError(`schema file: fields[${i}] must be an object`);
  const r = o as Record<string, unknown>;
  const name = str(r, 'name');
  const type = str(r, 'type') ?? str(r, 'data_type');
  if (name === undefined || type === undefined) throw new UsageError(`schema file: fields[${i}] needs "name" and "type"`);
  const f: FieldSpecInput = { name, dataType: parseDataType(type.toUpperCase()) };
  if (r['is_primary'] === true || r['is_primary_key'] === true) f.isPrimaryKey = true;
  if (r['auto_id'] === true || r['autoID'] === true) f.autoId = true;
  if (r['nullable'] === true) f.nullable = true;
  if (r['is_partition_key'] === true) f.isPartitionKey = true;
  const dim = num(r, 'dim'); if (dim !== undefined) f.dim = dim;
  const ml = num(r, 'max_length'); if (ml !== undefined) f.maxLength = ml;
  const mc = num(r, 'max_capacity'); if (mc !== undefined) f.maxCapacity = mc;
  const et = str(r, 'element_type'); if (et !== undefined) f.elementType = parseDataType(et.toUpperCase());
  const d = str(r, 'description'); if (d !== undefined) f.description = d;
  const ext = str(r, 'external_field'); if (ext !== undefined && ext !== '') f.externalField = ext;
  const dv = r['default_value'];
  if (typeof dv === 'string' || typeof dv === 'number' || typeof dv === 'boolean') f.defaultValue = dv;
  return f;
}

export interface SchemaFile { name?: string; description?: string; enableDynamicField?: boolean; externalSource?: string; externalSpec?: string; fields: FieldSpecInput[] }

export function parseSchemaJson(text: string, file: string): SchemaFile {
  let o: unknown;
  try { o = JSON.parse(text); } catch (e) { throw new UsageError(`${file}: not valid JSON (${(e as Error).message})`); }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new UsageError(`${file}: expected a JSON object with "fields"`);
  const r = o as Record<string, unknown>;
  const fields = r['fields'];
  if (!Array.isArray(fields)) throw new UsageError(`${file}: "fields" must be an array`);
  const out: SchemaFile = { fields: fields.map(jsonField) };
  const name = str(r, 'collection_name') ?? str(r, 'name');
  if (name !== undefined) out.name = name;
  const desc = str(r, 'description');
  if (desc !== undefined) out.description = desc;
  if (r['enable_dynamic_field'] === true) out.enableDynamicField = true;
  const source = str(r, 'external_source');
  if (source !== undefined && source !== '') out.externalSource = source;
  const spec = r['external_spec'];
  if (typeof spec === 'string' && spec !== '') out.externalSpec = spec;
  else if (typeof spec === 'object' && spec !== null && !Array.isArray(spec)) out.externalSpec = JSON.stringify(spec);
  else if (spec !== undefined && spec !== '') throw new UsageError(`${file}: "external_spec" must be JSON text or an object`);
  if (r['auto_id'] === true) for (const f of out.fields) if (f.isPrimaryKey === true) f.autoId = true;
  return out;
}
