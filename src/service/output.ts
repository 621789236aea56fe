/** output_fields: which columns a query or search returns, and the `$meta` keys it keeps. */
import { DataType } from '../core/enums.js';
import { errors } from '../core/errors.js';
import type { Column } from '../schema/column.js';
import type { CollectionSchema, FieldSchema, JsonValue } from '../schema/types.js';
import { functionOutputFields } from '../schema/build.js';
import { DYNAMIC_FIELD_NAME, dynamicField, fieldByName, primaryField, structMembersOf } from '../schema/types.js';
import { DEFAULT_TIMEZONE, formatTimestamptzIn } from '../schema/temporal.js';
import type { OutputColumn } from './types.js';

export interface OutputPlan {
  /** Schema fields to gather (the dynamic field included when any dynamic key is wanted). */
  fields: FieldSchema[];
  /** Dynamic keys to keep in `$meta`; null = all keys. */
  dynamicKeys: string[] | null;
  /** The names to report back, in request order. */
  names: string[];
  countOnly: boolean;
}

/** Plans kept per schema and options for the common requests (none, one name such as `*`); a full map is emptied. */
const PLANS_KEPT = 64;
const plans = new WeakMap<CollectionSchema, Map<string, OutputPlan>[]>();

/**
 * planOutput, remembered per schema object (replaced, never changed, by an alter; the loaded schema
 * is one object per load) for no output fields or one name: the plan a search or query repeats. A
 * kept plan is frozen: callers read it only.
 */
export function planOutput(schema: CollectionSchema, requested: readonly string[] | undefined, opts: { includePk: boolean; allowCount: boolean }): OutputPlan {
  const key = requested === undefined || requested.length === 0 ? '' : requested.length === 1 ? requested[0]! : null;
  if (key === null) return planOutputNow(schema, requested, opts);
  let bySchema = plans.get(schema);
  if (bySchema === undefined) plans.set(schema, (bySchema = [new Map(), new Map(), new Map(), new Map()]));
  const byKey = bySchema[(opts.includePk ? 2 : 0) + (opts.allowCount ? 1 : 0)]!;
  const hit = byKey.get(key);
  if (hit !== undefined) return hit;
  const plan = planOutputNow(schema, requested, opts);
  Object.freeze(plan.fields);
  Object.freeze(plan.names);
  if (plan.dynamicKeys !== null) Object.freeze(plan.dynamicKeys);
  if (byKey.size >= PLANS_KEPT) byKey.clear();
  byKey.set(key, Object.freeze(plan));
  return plan;
}

function planOutputNow(schema: CollectionSchema, requested: readonly string[] | undefined, opts: { includePk: boolean; allowCount: boolean }): OutputPlan {
  const wanted = (requested ?? []).map((s) => s.trim()).filter((s) => s.length > 0);
  const pk = primaryField(schema);
  const dyn = dynamicField(schema);
  const fields: FieldSchema[] = [];
  const names: string[] = [];
  const dynamicKeys: string[] = [];
  let wantAllDynamic = false;
  const add = (f: FieldSchema) => {
    if (!fields.includes(f)) fields.push(f);
  };
  // A struct member is reported under its struct's name (the wire gathers the members back).
  const nameOf = (f: FieldSchema): string => f.structMember?.parent ?? f.name;
  if (wanted.some((w) => w.toLowerCase() === 'count(*)')) {
    if (!opts.allowCount) throw errors.invalidParameter('count(*) is only supported in query');
    if (wanted.length > 1) throw errors.invalidParameter('count entities with other output fields is not supported', { output_fields: wanted.join(',') });
    return { fields: [], dynamicKeys: [], names: ['count(*)'], countOnly: true };
  }
  const computed = functionOutputFields(schema);
  for (const w of wanted) {
    if (w === '*') {
      for (const f of schema.fields) {
        if (f.isDynamic || computed.has(f.name)) continue; // function outputs are never read back
        add(f);
        if (!names.includes(nameOf(f))) names.push(nameOf(f));
      }
      if (dyn) {
        wantAllDynamic = true;
        if (!names.includes(dyn.name)) names.push(dyn.name);
      }
      continue;
    }
    const members = structMembersOf(schema, w);
    if (members.length > 0) {
      for (const m of members) add(m);
      if (!names.includes(w)) names.push(w);
      continue;
    }
    const f = fieldByName(schema, w);
    if (f && computed.has(f.name)) throw errors.unexpected(`not allowed to retrieve raw data of field ${f.name}`);
    if (f && !f.isDynamic) {
      add(f);
      if (!names.includes(nameOf(f))) names.push(nameOf(f));
      continue;
    }
    if (dyn && (w === DYNAMIC_FIELD_NAME || f?.isDynamic)) {
      wantAllDynamic = true;
      if (!names.includes(dyn.name)) names.push(dyn.name);
      continue;
    }
    if (dyn && /^[A-Za-z_][A-Za-z0-9_]*$/.test(w)) {
      dynamicKeys.push(w);
      if (!names.includes(w)) names.push(w);
      continue;
    }
    throw errors.fieldNotFound(w);
  }
  if (opts.includePk && !fields.includes(pk)) {
    fields.unshift(pk);
    names.unshift(pk.name);
  }
  if (dyn && (wantAllDynamic || dynamicKeys.length > 0)) add(dyn);
  return { fields, dynamicKeys: wantAllDynamic ? null : dynamicKeys, names, countOnly: false };
}

/** Keep only the requested keys of each `$meta` object. */
export function pickDynamicKeys(column: Column, keys: readonly string[]): Column {
  if (column.kind !== 'json') return column;
  const data: JsonValue[] = column.data.map((v) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return {};
    const out: { [k: string]: JsonValue } = {};
    for (const k of keys) if (k in v) out[k] = v[k]!;
    return out;
  });
  return { kind: 'json', data, valid: column.valid };
}

/** The synthetic field of a count(*) result. */
export const COUNT_FIELD: FieldSchema = {
  fieldId: 0,
  name: 'count(*)',
  description: '',
  dataType: DataType.Int64,
  isPrimaryKey: false,
  autoId: false,
  isPartitionKey: false,
  isClusteringKey: false,
  isDynamic: false,
  nullable: false,
  defaultValue: null,
  dim: null,
  maxLength: null,
  maxCapacity: null,
  elementType: null,
  typeParams: {},
};

/**
 * The column as every door writes it out (gRPC, REST v2, the embedded client): a Timestamptz column
 * becomes RFC 3339 text in its zone (`oc.timezone`: the request's or the collection's; UTC when
 * absent, as `...Z`), a null row ''; any other column is returned unchanged.
 */
export function doorColumn(oc: OutputColumn): Column {
  const c = oc.column;
  if (oc.field.dataType !== DataType.Timestamptz || c.kind !== 'int64') return c;
  const tz = oc.timezone ?? DEFAULT_TIMEZONE;
  const out = new Array<string>(c.data.length);
  for (let i = 0; i < c.data.length; i++) out[i] = c.valid !== null && c.valid[i] === 0 ? '' : formatTimestamptzIn(c.data[i]!, tz);
  return { kind: 'varchar', data: out, valid: c.valid };
}
