/**
 * Partial load (Milvus 2.5 `load_fields`, `skip_load_dynamic_field`): which fields a load reads, the
 * rules a field list must keep (Milvus's schemaInfo.validateLoadFields), and reads that touch a field
 * not loaded refused with Milvus's texts.
 */
import { isVectorType } from '../core/enums.js';
import { errors } from '../core/errors.js';
import type { CollectionRuntime } from '../engine/collection.js';
import { unloadedFieldNames, type LoadedFields } from '../engine/meta.js';
import { tokenize } from '../expr/lexer.js';
import type { CollectionSchema } from '../schema/types.js';
import type * as T from './types.js';

/** Go's `%v` of a string list, as Milvus's messages print it. */
const goList = (names: readonly string[]): string => `[${names.join(' ')}]`;

/** The fields a load request asks for, checked as Milvus checks them. */
export function requestedLoadFields(schema: CollectionSchema, req: T.LoadRequest): LoadedFields {
  const names = req.loadFields ?? [];
  const skipDynamic = req.skipLoadDynamicField === true && schema.enableDynamicField;
  if (names.length === 0) return { loadFields: null, skipDynamic };
  const fields = names.map((n) => {
    const f = schema.fields.find((x) => x.name === n && !x.isDynamic);
    if (f === undefined) throw errors.invalidParameter(`failed to get field schema by name: fieldName(${n}) not found`);
    return f;
  });
  const pk = schema.fields.find((f) => f.isPrimaryKey)!;
  if (!fields.includes(pk)) throw errors.invalidParameter(`load field list ${goList(names)} does not contain primary key field ${pk.name}`);
  if (!fields.some((f) => isVectorType(f.dataType))) throw errors.invalidParameter(`load field list ${goList(names)} does not contain vector field`);
  for (const key of schema.fields) {
    if (key.isPartitionKey && !fields.includes(key)) throw errors.invalidParameter(`load field list ${goList(names)} does not contain partition key field ${key.name}`);
    if (key.isClusteringKey && !fields.includes(key)) throw errors.invalidParameter(`load field list ${goList(names)} does not contain clustering key field ${key.name}`);
  }
  return { loadFields: [...new Set(names)], skipDynamic };
}

/** A collection already (partly) loaded keeps its field list: Milvus refuses another one. */
export function checkSameLoadFields(c: CollectionRuntime, wanted: LoadedFields): void {
  if (![...c.partitions.values()].some((p) => p.loaded)) return;
  const before = unloadedFieldNames(c.meta.schema, c.meta.load);
  const after = unloadedFieldNames(c.meta.schema, wanted);
  if (before.size !== after.size || [...after].some((n) => !before.has(n))) {
    throw errors.invalidParameter(`can't change the load field list for loaded collection`);
  }
}

/** What a load leaves out, worked out once per load and schema (every read asks, several times). */
interface Unloaded { schema: CollectionSchema; fields: LoadedFields; loadFields: string[] | null; skipDynamic: boolean; gone: ReadonlySet<string>; loaded: CollectionSchema }

const NOTHING: ReadonlySet<string> = new Set();
const unloaded = new WeakMap<CollectionRuntime, Unloaded>();

function unloadedEntry(c: CollectionRuntime): Unloaded | null {
  const fields = c.meta.load;
  if (fields === null) return null;
  const schema = c.meta.schema;
  const hit = unloaded.get(c);
  if (hit !== undefined && hit.schema === schema && hit.fields === fields && hit.loadFields === fields.loadFields && hit.skipDynamic === fields.skipDynamic) return hit;
  const gone = unloadedFieldNames(schema, fields);
  const loaded = gone.size === 0 ? schema
    : { ...schema, fields: schema.fields.filter((f) => !gone.has(f.name)), enableDynamicField: schema.enableDynamicField && !gone.has('$meta') };
  const entry = { schema, fields, loadFields: fields.loadFields, skipDynamic: fields.skipDynamic, gone, loaded };
  unloaded.set(c, entry);
  return entry;
}

/** The fields of a collection not loaded (empty when everything is). */
export function unloadedOf(c: CollectionRuntime): ReadonlySet<string> {
  return unloadedEntry(c)?.gone ?? NOTHING;
}

/**
 * The schema as a read sees it: fields not loaded left out (so `*` names only loaded ones); the
 * same object while the load and the schema are (so what is derived from it can be kept by it).
 */
export function loadedSchema(c: CollectionRuntime): CollectionSchema {
  return unloadedEntry(c)?.loaded ?? c.meta.schema;
}

/** Output fields (and the search's vector field) naming a field not loaded: Milvus's refusals. */
export function checkReadFields(c: CollectionRuntime, outputFields: readonly string[] | undefined, annsField?: string): void {
  const gone = unloadedOf(c);
  if (gone.size === 0) return;
  const schema = c.meta.schema;
  if (annsField !== undefined && gone.has(annsField)) throw errors.invalidParameter(`field ${annsField} is not loaded`);
  for (const raw of outputFields ?? []) {
    const name = raw.trim();
    if (name === '*' || name.length === 0 || name.toLowerCase() === 'count(*)') continue;
    if (gone.has(name) && name !== '$meta') throw errors.invalidParameter(`field ${name} is not loaded`);
    const isStatic = schema.fields.some((f) => f.name === name && !f.isDynamic);
    if (!isStatic && schema.enableDynamicField && gone.has('$meta')) {
      throw errors.invalidParameter(`field ${name} cannot be returned since dynamic field not loaded`);
    }
  }
}

/** A filter naming a field not loaded (or a dynamic key when the dynamic field is not): Milvus's refusal. */
export function checkFilterFields(c: CollectionRuntime, filter: string | undefined): void {
  const gone = unloadedOf(c);
  if (gone.size === 0 || filter === undefined || filter.trim().length === 0) return;
  const schema = c.meta.schema;
  let tokens: ReturnType<typeof tokenize>;
  try {
    tokens = tokenize(filter);
  } catch {
    return; // the compiler reports a bad expression in its own words
  }
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const next = tokens[i + 1];
    if (t.kind !== 'ident' || (next !== undefined && next.kind === 'punct' && next.text === '(')) continue; // functions are not fields
    const name = t.text;
    let why: string | null = null;
    if (gone.has(name) && name !== '$meta') why = `field ${name} is not loaded`;
    else if (schema.enableDynamicField && gone.has('$meta') && !schema.fields.some((f) => f.name === name && !f.isDynamic) && !KEYWORDS.has(name.toLowerCase())) {
      why = `field ${name} is dynamic but dynamic field is not loaded`;
    }
    if (why !== null) throw errors.invalidParameter(`failed to create query plan: cannot parse expression: ${filter}, error: ${why}`);
  }
}

/** Words of the filter language that lex as identifiers (operators, functions, literals). */
const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'like', 'is', 'null', 'true', 'false', 'exists', 'between']);
