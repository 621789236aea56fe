/**
 * Building a scalar index over one column: the keys each row holds (its value, its Array's elements,
 * or the value at a JSON path when it has the cast type), then sorted postings or n-gram postings.
 */
import { DataType } from '../../core/enums.js';
import { errors } from '../../core/errors.js';
import type { PathStep } from '../../expr/ast.js';
import { navigate } from '../../expr/eval-vec.js';
import type { IndexKey, IndexKeyKind } from '../../expr/scalar-index.js';
import type { Column } from '../../schema/column.js';
import type { FieldSchema, JsonValue } from '../../schema/types.js';
import { NgramPostings } from './ngram.js';
import { RtreePostings } from './rtree.js';
import { keyKindOf, keyKindOfCast, sortedCaps } from './rules.js';
import { SortedPostings, type KeyedRows } from './sorted.js';

export interface ScalarIndexSpec {
  indexType: string;
  /** The key path inside a JSON field (null: the field's own values). */
  jsonPath: PathStep[] | null;
  castType: string | null;
  minGram: number;
  maxGram: number;
}

const STEP_RE = /^\[\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(\d+))\s*\]/;

/**
 * `field["a"]["b"][0]` (or the bare field name: the whole value) -> ['a', 'b', 0]. On the dynamic
 * field (`$meta`) a path may start with the key instead: `color["shade"]` -> ['color', 'shade'].
 */
export function parseJsonPath(text: string, fieldName: string, dynamic = false): PathStep[] {
  const t = text.trim();
  const out: PathStep[] = [];
  let rest: string;
  if (t.startsWith(fieldName) && (t.length === fieldName.length || t[fieldName.length] === '[')) rest = t.slice(fieldName.length);
  else if (dynamic) {
    const key = /^[A-Za-z_][A-Za-z0-9_]*/.exec(t);
    if (key === null) throw errors.invalidParameter(`json_path ${text} is not a valid path of the dynamic field`);
    out.push(key[0]);
    rest = t.slice(key[0].length);
  } else throw errors.invalidParameter(`json_path ${text} must start with the field name ${fieldName}`);
  while (rest.length > 0) {
    const m = STEP_RE.exec(rest);
    if (m === null) throw errors.invalidParameter(`json_path ${text} is not a valid path: expected ["key"] or [index] at "${rest}"`);
    const key = m[1] ?? m[2];
    out.push(key !== undefined ? key.replace(/\\(.)/g, '$1') : Number(m[3]));
    rest = rest.slice(m[0].length);
  }
  return out;
}

export function scalarIndexSpec(indexType: string, field: FieldSchema, params: Readonly<Record<string, string>>): ScalarIndexSpec {
  const json = field.dataType === DataType.JSON;
  return {
    indexType,
    jsonPath: json ? parseJsonPath(params['json_path'] ?? field.name, field.name, field.isDynamic) : null,
    castType: json ? (params['json_cast_type'] ?? '').toUpperCase() : null,
    minGram: Number(params['min_gram'] ?? 0),
    maxGram: Number(params['max_gram'] ?? 0),
  };
}

function castKey(kind: IndexKeyKind, v: JsonValue | undefined, stringToDouble: boolean): IndexKey | undefined {
  switch (kind) {
    case 'num':
      if (typeof v === 'number') return Number.isNaN(v) ? undefined : v;
      if (stringToDouble && typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
      return undefined;
    case 'str': return typeof v === 'string' ? v : undefined;
    case 'bool': return typeof v === 'boolean' ? (v ? 1 : 0) : undefined;
    case 'i64': return undefined;
  }
}

function elementKey(kind: IndexKeyKind, v: unknown): IndexKey | undefined {
  if (kind === 'bool') return typeof v === 'boolean' ? (v ? 1 : 0) : undefined;
  if (kind === 'num') return typeof v === 'number' && !Number.isNaN(v) ? v : undefined;
  if (kind === 'i64') return typeof v === 'bigint' ? v : undefined;
  return typeof v === 'string' ? v : undefined;
}

/** Every (key, row) of a column the index holds. */
export function keyedRows(col: Column, spec: ScalarIndexSpec, stringToDouble = false): KeyedRows | undefined {
  const keys: IndexKey[] = [];
  const rows: number[] = [];
  const valid = col.valid;
  const n = col.data.length;
  if (col.kind === 'json') {
    const kind = keyKindOfCast(spec.castType ?? '');
    if (kind === undefined) return undefined;
    for (let i = 0; i < n; i++) {
      if (valid !== null && valid[i] === 0) continue;
      const k = castKey(kind, navigate(col.data[i] ?? undefined, spec.jsonPath ?? []), stringToDouble);
      if (k !== undefined) { keys.push(k); rows.push(i); }
    }
    return { keyKind: kind, keys, rows, elements: false };
  }
  if (col.kind === 'array') {
    const kind = keyKindOf(col.elementType);
    if (kind === undefined) return undefined;
    for (let i = 0; i < n; i++) {
      if (valid !== null && valid[i] === 0) continue;
      for (const e of col.data[i] ?? []) {
        const k = elementKey(kind, e);
        if (k !== undefined) { keys.push(k); rows.push(i); }
      }
    }
    return { keyKind: kind, keys, rows, elements: true };
  }
  const kind: IndexKeyKind | undefined = col.kind === 'bool' ? 'bool' : col.kind === 'int64' ? 'i64' : col.kind === 'varchar' ? 'str'
    : col.kind === 'int8' || col.kind === 'int16' || col.kind === 'int32' || col.kind === 'float' || col.kind === 'double' ? 'num' : undefined;
  if (kind === undefined) return undefined;
  const data = col.data as ArrayLike<IndexKey>;
  for (let i = 0; i < n; i++) {
    if (valid !== null && valid[i] === 0) continue;
    const x = data[i]!;
    if (typeof x === 'number' && Number.isNaN(x)) continue;
    keys.push(x);
    rows.push(i);
  }
  return { keyKind: kind, keys, rows, elements: false };
}

/** The index of `spec` over a column (VarChar or a JSON path's strings for NGRAM, a Geometry column's WKT for RTREE). */
export function buildScalarIndex(col: Column, spec: ScalarIndexSpec, stringToDouble = false): SortedPostings | NgramPostings | RtreePostings {
  if (spec.indexType === 'RTREE') return RtreePostings.build(col);
  if (spec.indexType === 'NGRAM') {
    const got = keyedRows(col, { ...spec, castType: 'VARCHAR' });
    if (got === undefined || got.keyKind !== 'str') throw errors.internal('NGRAM needs VarChar values');
    return NgramPostings.build(spec.minGram, spec.maxGram, got.keys as string[], got.rows);
  }
  const got = keyedRows(col, spec, stringToDouble);
  if (got === undefined) {
    // A cast type the planner does not read (ARRAY_*, JSON): an empty index, kept so DescribeIndex is whole.
    return SortedPostings.build(sortedCaps(spec.indexType), { keyKind: 'num', keys: [], rows: [], elements: false });
  }
  return SortedPostings.build(sortedCaps(spec.indexType), got);
}
