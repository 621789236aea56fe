/**
 * The Node SDK's value shapes and request helpers, shared by the embedded client (client/) and REST v2
 * (server/rest/), which both answer in the SDK's shapes. Service values -> the JS values the Node SDK
 * hands its users for a real Milvus (proto-loader with `longs: String`, then the SDK's utils/Data.js
 * formatters):
 *   bool -> boolean; int8/16/32, float, double -> number; int64 -> decimal string; varchar -> string;
 *   JSON -> parsed value; array -> element array (int64 elements as strings); float / int8 vectors
 *   -> number[]; float16 / bfloat16 -> number[] of decoded floats; binary -> number[] of bytes;
 *   sparse -> `{ "index": value }` without zero entries; NULL -> null.
 */
import { DataType } from '../core/enums.js';
import { errors } from '../core/errors.js';
import { bfloat16BitsToFloat32, float16BitsToFloat32 } from '../schema/half.js';
import { vectorWidth, type Column } from '../schema/column.js';
import { primaryField, type CollectionSchema, type FieldSchema, type JsonValue } from '../schema/types.js';
import { isStructVectorMember, memberWidth } from '../schema/struct.js';
import type { FunctionScore, HighlighterSpec, Ranker, RerankFunction, OutputColumn } from './types.js';
import { doorColumn } from './output.js';

type Loose = Record<string, unknown>;

function copyJson(v: JsonValue): JsonValue {
  return v === null || typeof v !== 'object' ? v : structuredClone(v);
}

function vectorAt(c: Column, row: number): number[] {
  const w = vectorWidth(c);
  const out = new Array<number>(w);
  const base = row * w;
  switch (c.kind) {
    case 'float16Vector':
      for (let i = 0; i < w; i++) out[i] = float16BitsToFloat32(c.data[base + i]!);
      return out;
    case 'bfloat16Vector':
      for (let i = 0; i < w; i++) out[i] = bfloat16BitsToFloat32(c.data[base + i]!);
      return out;
    case 'floatVector': case 'int8Vector': case 'binaryVector':
      for (let i = 0; i < w; i++) out[i] = c.data[base + i]!;
      return out;
    default:
      return out;
  }
}

/** One row of a struct's member columns -> its elements as objects (`[{label, emb: number[]}, ...]`); null for a null row. */
function structRow(members: readonly OutputColumn[], row: number): JsonValue {
  const first = members[0]!.column;
  if (first.valid !== null && first.valid[row] === 0) return null;
  const values = members.map(({ column }) => (column.kind === 'array' ? column.data[row] ?? [] : []));
  const widths = members.map(({ field }) => (isStructVectorMember(field) ? memberWidth(field) : 0));
  const n = values[0]!.length / Math.max(1, widths[0]!);
  const out: JsonValue[] = [];
  for (let e = 0; e < n; e++) {
    const obj: Record<string, JsonValue> = {};
    members.forEach(({ field }, m) => {
      const v = values[m]!, w = widths[m]!;
      const name = field.structMember?.name ?? field.name;
      obj[name] = w === 0 ? jsonElement(v[e]) : v.slice(e * w, (e + 1) * w).map((x) => Number(x));
    });
    out.push(obj);
  }
  return out;
}

function jsonElement(x: unknown): JsonValue {
  return typeof x === 'bigint' ? String(x) : typeof x === 'number' || typeof x === 'string' || typeof x === 'boolean' ? x : null;
}

/**
 * Output columns as the Node SDK shows them (the embedded client and REST v2; gRPC sends the members
 * in one `struct_arrays` FieldData instead): the member columns of each struct become one column
 * named after the struct whose value per row is its list of element objects, where the first member was.
 */
/** sdkOutputColumns, each column as the doors write it out (`doorColumn`: Timestamptz as text in its zone), converted once. */
export function doorOutputColumns(columns: readonly OutputColumn[]): OutputColumn[] {
  return sdkOutputColumns(columns).map((oc) => ({ field: oc.field, column: doorColumn(oc) }));
}

export function sdkOutputColumns(columns: readonly OutputColumn[]): OutputColumn[] {
  if (!columns.some((c) => c.field.structMember !== undefined)) return [...columns];
  const out: OutputColumn[] = [];
  const structs = new Map<string, { at: number; members: OutputColumn[] }>();
  for (const oc of columns) {
    const parent = oc.field.structMember?.parent;
    if (parent === undefined) {
      out.push(oc);
      continue;
    }
    const s = structs.get(parent);
    if (s !== undefined) {
      s.members.push(oc);
      continue;
    }
    structs.set(parent, { at: out.length, members: [oc] });
    out.push(oc); // replaced below
  }
  for (const [parent, { at, members }] of structs) {
    const first = members[0]!;
    const n = first.column.kind === 'array' ? first.column.data.length : 0;
    const data: JsonValue[] = [];
    for (let r = 0; r < n; r++) data.push(structRow(members, r));
    const field: FieldSchema = { ...first.field, name: parent, dataType: DataType.JSON };
    delete field.structMember;
    out[at] = { field, column: { kind: 'json', data, valid: null } };
  }
  return out;
}

/** The SDK-visible value of one row of a column. */
export function formatValue(c: Column, row: number): unknown {
  if (c.valid !== null && c.valid[row] === 0) return null;
  switch (c.kind) {
    case 'bool': return c.data[row] !== 0;
    case 'int8': case 'int16': case 'int32': case 'float': case 'double': return c.data[row];
    case 'int64': return String(c.data[row]);
    case 'varchar': return c.data[row];
    case 'json': return copyJson(c.data[row] ?? null);
    case 'array': return (c.data[row] ?? []).map((e) => (typeof e === 'bigint' ? String(e) : e));
    case 'sparseVector': {
      const s = c.data[row];
      const out: Record<string, number> = {};
      if (s) for (let i = 0; i < s.indices.length; i++) if (s.values[i] !== 0) out[String(s.indices[i])] = s.values[i]!;
      return out;
    }
    default: return vectorAt(c, row);
  }
}

/** The SDK's ids expression; string ids are JSON-quoted so quotes inside them stay literal. */
export function idsFilter(schema: CollectionSchema, ids: readonly (string | number)[]): string {
  const pk = primaryField(schema);
  const list = pk.dataType === DataType.VarChar ? ids.map((id) => JSON.stringify(String(id))) : ids.map(String);
  return `${pk.name} in [${list.join(',')}]`;
}

function num(v: unknown, what: string): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw errors.invalidParameter(what, { expected: 'a number', actual: String(v) });
  return n;
}

function isObject(v: unknown): v is Loose {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `rerank` as a hybrid ranker: a RerankerObj (`strategy`, `params`); any other shape leaves RRF(60). */
export function rankerOf(rerank: unknown): Ranker {
  if (!isObject(rerank) || !('strategy' in rerank)) return { strategy: 'rrf', k: 60 };
  const strategy = rerank['strategy'];
  const params = isObject(rerank['params']) ? rerank['params'] : {};
  if (strategy === 'weighted') {
    const weights = params['weights'];
    if (!Array.isArray(weights)) throw errors.invalidParameter('weighted ranker needs params.weights');
    const norm = params['norm_score'];
    return { strategy: 'weighted', weights: weights.map(Number), normScore: norm === true || norm === 'true' };
  }
  if (strategy !== 'rrf') throw errors.invalidParameter('unsupported rerank strategy', { actual: String(strategy) });
  return { strategy: 'rrf', k: num(params['k'], 'rrf k') ?? 60 };
}

const RERANK_TYPE_NAMES = new Set(['3', 'rerank']);

/** One rerank function, snake_case (Node SDK) or camelCase (REST v2) keys. */
function rerankFunctionOf(f: unknown): RerankFunction {
  if (!isObject(f)) throw errors.invalidParameter('rerank function', { expected: 'an object', actual: typeof f });
  const type = String(f['type'] ?? '').toLowerCase();
  if (!RERANK_TYPE_NAMES.has(type)) throw errors.invalidParameter(`${String(f['type'])} is not rerank function.`);
  const outputs = f['output_field_names'] ?? f['outputFieldNames'];
  if (Array.isArray(outputs) && outputs.length > 0) throw errors.invalidParameter(`Rerank function should not have output field, but now is ${outputs.length}`);
  const inputs = f['input_field_names'] ?? f['inputFieldNames'] ?? [];
  if (!Array.isArray(inputs)) throw errors.invalidParameter('rerank function input field names', { expected: 'a list of names' });
  return { name: String(f['name'] ?? ''), inputFieldNames: inputs.map(String), params: isObject(f['params']) ? f['params'] : {} };
}

/**
 * `rerank` / `functionScore` as a FunctionScore: a FunctionScore (`functions`, `params`) or one
 * function object (`type`); a RerankerObj or nothing gives undefined (the SDK's createFunctionScore).
 */
export function functionScoreOf(rerank: unknown): FunctionScore | undefined {
  if (!isObject(rerank)) return undefined;
  if (Array.isArray(rerank['functions'])) {
    if (rerank['functions'].length === 0) return undefined;
    return { functions: rerank['functions'].map(rerankFunctionOf), params: isObject(rerank['params']) ? rerank['params'] : {} };
  }
  if ('type' in rerank) return { functions: [rerankFunctionOf(rerank)], params: {} };
  return undefined;
}

/** `highlighter`: `{type: 0 | 1 | 'Lexical' | 'Semantic', ...params}` (params also accepted under `params`). */
export function highlighterOf(h: unknown): HighlighterSpec | undefined {
  if (!isObject(h)) return undefined;
  const { type, params, ...rest } = h;
  const semantic = type === 1 || String(type).toLowerCase() === 'semantic';
  return { type: semantic ? 'semantic' : 'lexical', params: { ...rest, ...(isObject(params) ? params : {}) } };
}
