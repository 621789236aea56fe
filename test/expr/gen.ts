/**
 * Random schemas, rows and well-typed filter expressions for the differential property test.
 * A small seeded PRNG drives everything so a failing case is reproducible from its seed.
 */
import { DataType } from '../../src/core/enums.js';
import type { RowValues, TemplateValues } from '../../src/expr/index.js';
import type { CollectionSchema, FieldSchema, JsonValue } from '../../src/schema/types.js';
import { field, schemaOf } from './helpers.js';

/**
 * The schema the expression fuzzers run on (test/expr/fuzz.test.ts in process, test/fuzz/ through a
 * server): every expression-relevant kind, nullable where it matters, and a dynamic field.
 */
export const FUZZ_SCHEMA: CollectionSchema = schemaOf([
  field('id', DataType.Int64, { isPrimaryKey: true }),
  field('a', DataType.Int32, { nullable: true }),
  field('b', DataType.Int64),
  field('s', DataType.VarChar, { nullable: true }),
  field('flag', DataType.Bool),
  field('meta', DataType.JSON, { nullable: true }),
  field('arr', DataType.Array, { elementType: DataType.Int64, nullable: true, maxCapacity: 64 }),
  field('vec', DataType.FloatVector, { dim: 2 }),
], true);

export class Rng {
  private s: number;
  constructor(seed: number) { this.s = seed >>> 0; }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number { return lo + Math.floor(this.next() * (hi - lo + 1)); }
  pick<T>(xs: readonly T[]): T { return xs[Math.floor(this.next() * xs.length)] as T; }
  chance(p: number): boolean { return this.next() < p; }
}

const SCALARS: DataType[] = [DataType.Bool, DataType.Int8, DataType.Int16, DataType.Int32, DataType.Int64, DataType.Float, DataType.Double, DataType.VarChar];
const ELEMENT_TYPES: DataType[] = [DataType.Bool, DataType.Int32, DataType.Int64, DataType.Float, DataType.Double, DataType.VarChar];
const DYN_KEYS = ['dk1', 'dk2', 'a'];
const JSON_KEYS = ['a', 'b', 'c'];
const STRINGS = ['', 'a', 'ab', 'abc', 'b', 'ba', 'a%b', 'a_b', 'é', '😀x', 'A\\b', 'xyz'];
const LIKE_PATTERNS = ['a%', '%b', '%a%', '_', 'a_b', '%', '', 'a\\\\%b', '%\\\\_%', 'é%', '_x%', '%b_', 'a%b%', '__'];
const INT_LITS = ['0', '1', '2', '3', '-1', '-3', '5', '0x2', '010', '0b11', '127', '-128', '9007199254740993', '9223372036854775807', '-9223372036854775808', '100000'];
const FLOAT_LITS = ['0.5', '1.5', '-2.5', '0.1', '3.0', '1e10', '.25', '2.5e-1', '-0.0', '1e300'];

export function randomSchema(r: Rng): CollectionSchema {
  const fields: FieldSchema[] = [];
  fields.push(r.chance(0.7) ? field('id', DataType.Int64, { isPrimaryKey: true }) : field('id', DataType.VarChar, { isPrimaryKey: true }));
  const count = r.int(2, 8);
  for (let i = 0; i < count; i++) {
    const roll = r.next();
    const nullable = r.chance(0.4);
    if (roll < 0.65) fields.push(field(`f${i}`, r.pick(SCALARS), { nullable }));
    else if (roll < 0.82) fields.push(field(`f${i}`, DataType.JSON, { nullable }));
    else fields.push(field(`f${i}`, DataType.Array, { elementType: r.pick(ELEMENT_TYPES), nullable }));
  }
  fields.push(field('vec', DataType.FloatVector, { dim: 2 }));
  return schemaOf(fields, r.chance(0.5));
}

function scalarValue(r: Rng, t: DataType): unknown {
  switch (t) {
    case DataType.Bool: return r.chance(0.5);
    case DataType.Int8: return r.pick([-128, -3, -1, 0, 1, 2, 3, 5, 127]);
    case DataType.Int16: return r.pick([-32768, -3, 0, 1, 2, 3, 5, 1000, 32767]);
    case DataType.Int32: return r.pick([-2147483648, -3, -1, 0, 1, 2, 3, 5, 100000, 2147483647]);
    case DataType.Int64: return r.pick([-9223372036854775808n, -3n, -1n, 0n, 1n, 2n, 3n, 5n, 9007199254740993n, 9223372036854775807n]);
    case DataType.Float: return Math.fround(r.pick([-2.5, -1, 0, 0.1, 0.5, 1, 1.5, 2, 3, 1e10]));
    case DataType.Double: return r.pick([-2.5, -1, 0, 0.1, 0.5, 1, 1.5, 2, 3, 1e10, NaN, Infinity]);
    default: return r.pick(STRINGS);
  }
}

export function randomJson(r: Rng, depth: number): JsonValue {
  const roll = r.next();
  if (depth <= 0 || roll < 0.5) {
    return r.pick<JsonValue>([null, true, false, 0, 1, 2, 3, -1, 1.5, 9007199254740992, 'a', 'ab', 'b', '', 'a%b']);
  }
  if (roll < 0.7) {
    const out: JsonValue[] = [];
    for (let i = r.int(0, 3); i > 0; i--) out.push(randomJson(r, depth - 1));
    return out;
  }
  const out: { [k: string]: JsonValue } = {};
  for (const k of JSON_KEYS) if (r.chance(0.6)) out[k] = randomJson(r, depth - 1);
  return out;
}

export function randomRow(r: Rng, schema: CollectionSchema, index: number): RowValues {
  const row: RowValues = {};
  for (const f of schema.fields) {
    if (f.dataType === DataType.FloatVector) continue;
    if (f.isPrimaryKey) { row[f.name] = f.dataType === DataType.Int64 ? BigInt(index) : `k${index}`; continue; }
    if (f.isDynamic) {
      const meta: { [k: string]: JsonValue } = {};
      for (const k of DYN_KEYS) if (r.chance(0.7)) meta[k] = randomJson(r, 2);
      row[f.name] = meta;
      continue;
    }
    if (f.nullable && r.chance(0.25)) { row[f.name] = null; continue; }
    if (f.dataType === DataType.JSON) row[f.name] = r.chance(0.8) ? { ...(randomJson(r, 3) as object), a: randomJson(r, 2) } : randomJson(r, 2);
    else if (f.dataType === DataType.Array) {
      const out: unknown[] = [];
      for (let i = r.int(0, 4); i > 0; i--) out.push(scalarValue(r, f.elementType ?? DataType.Int32));
      row[f.name] = out;
    } else row[f.name] = scalarValue(r, f.dataType);
  }
  return row;
}

type NumType = 'int' | 'float' | 'json';

/** Generates well-typed filter text for one schema. */
export class ExprGen {
  readonly templates: TemplateValues = {};
  private nextTemplate = 0;
  private readonly byType = new Map<DataType, FieldSchema[]>();
  private readonly arrays: FieldSchema[];
  private readonly jsons: FieldSchema[];

  constructor(private readonly r: Rng, private readonly schema: CollectionSchema) {
    for (const f of schema.fields) {
      if (f.isDynamic || f.dataType === DataType.FloatVector) continue;
      const list = this.byType.get(f.dataType) ?? [];
      list.push(f);
      this.byType.set(f.dataType, list);
    }
    this.arrays = this.byType.get(DataType.Array) ?? [];
    this.jsons = this.byType.get(DataType.JSON) ?? [];
  }

  private fieldsOf(...types: DataType[]): FieldSchema[] {
    return types.flatMap((t) => this.byType.get(t) ?? []);
  }
  private arraysOf(...types: DataType[]): FieldSchema[] {
    return this.arrays.filter((f) => f.elementType !== null && types.includes(f.elementType));
  }
  private template(value: unknown, text: string): string {
    if (!this.r.chance(0.1)) return text;
    const name = `t${this.nextTemplate++}`;
    this.templates[name] = value;
    return `{${name}}`;
  }
  private elem(f: FieldSchema): string { return `${f.name}[${this.r.int(0, 4)}]`; }

  /** A JSON-typed column expression, or undefined when the schema has none. */
  jsonColumn(): string | undefined {
    const r = this.r;
    const opts: string[] = [];
    for (const f of this.jsons) {
      opts.push(`${f.name}["a"]`, `${f.name}["${r.pick(JSON_KEYS)}"][${r.int(0, 2)}]`, `${f.name}`, `${f.name}[${r.int(0, 2)}]`, `${f.name}["b"]["${r.pick(JSON_KEYS)}"]`, `${f.name}["a"]["0"]`);
    }
    if (this.schema.enableDynamicField) {
      opts.push(r.pick(DYN_KEYS.filter((k) => k !== 'a')), `$meta["${r.pick(DYN_KEYS)}"]`, `${r.pick(['dk1', 'dk2'])}["a"]`, `${r.pick(['dk1', 'dk2'])}[0]`);
    }
    return opts.length === 0 ? undefined : r.pick(opts);
  }

  intLit(): string {
    const t = this.r.pick(INT_LITS);
    return this.template(BigInt(t.startsWith('-') ? -BigInt(t.slice(1)) : BigInt(t)), t);
  }
  floatLit(): string {
    const t = this.r.pick(FLOAT_LITS);
    return this.template(Number(t), t);
  }
  strLit(): string {
    const s = this.r.pick(STRINGS);
    return this.template(s, this.r.chance(0.5) ? JSON.stringify(s) : `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`);
  }

  num(d: number): { text: string; type: NumType } {
    const r = this.r;
    const leaves: (() => { text: string; type: NumType } | undefined)[] = [
      () => { const f = this.fieldsOf(DataType.Int8, DataType.Int16, DataType.Int32, DataType.Int64); return f.length ? { text: r.pick(f).name, type: 'int' } : undefined; },
      () => { const f = this.fieldsOf(DataType.Float, DataType.Double); return f.length ? { text: r.pick(f).name, type: 'float' } : undefined; },
      () => ({ text: this.intLit(), type: 'int' }),
      () => ({ text: this.floatLit(), type: 'float' }),
      () => { const a = this.arraysOf(DataType.Int32, DataType.Int64); return a.length ? { text: this.elem(r.pick(a)), type: 'int' } : undefined; },
      () => { const a = this.arraysOf(DataType.Float, DataType.Double); return a.length ? { text: this.elem(r.pick(a)), type: 'float' } : undefined; },
      () => { const j = this.jsonColumn(); return j === undefined ? undefined : { text: j, type: 'json' }; },
      () => { const c = this.containerColumn(); return c === undefined ? undefined : { text: `array_length(${c})`, type: 'int' }; },
    ];
    if (d > 0 && r.chance(0.4)) {
      const x = this.num(d - 1);
      const y = this.num(d - 1);
      if (r.chance(0.15)) return { text: `(-(${x.text}))`, type: x.type === 'int' ? 'int' : 'float' };
      if (x.type === 'int' && y.type === 'int' && r.chance(0.35)) {
        if (r.chance(0.15)) return { text: `(~(${x.text}))`, type: 'int' };
        return { text: `((${x.text}) ${r.pick(['&', '|', '^', '<<', '>>'])} (${y.text}))`, type: 'int' };
      }
      const op = r.pick(['+', '-', '*', '/', '%', '**', '+', '*']);
      const type: NumType = op !== '**' && x.type === 'int' && y.type === 'int' ? 'int' : 'float';
      return { text: `((${x.text}) ${op} (${y.text}))`, type };
    }
    for (;;) {
      const leaf = r.pick(leaves)();
      if (leaf !== undefined) return leaf;
    }
  }

  private containerColumn(): string | undefined {
    const opts = this.arrays.map((f) => f.name);
    const j = this.jsonColumn();
    if (j !== undefined) opts.push(j);
    return opts.length === 0 ? undefined : this.r.pick(opts);
  }

  str(): string {
    const r = this.r;
    const opts = [this.strLit()];
    for (const f of this.fieldsOf(DataType.VarChar)) opts.push(f.name, f.name);
    for (const a of this.arraysOf(DataType.VarChar)) opts.push(this.elem(a));
    const j = this.jsonColumn();
    if (j !== undefined) opts.push(j);
    return r.pick(opts);
  }

  private constFor(elementType: DataType | null): string {
    switch (elementType) {
      case DataType.Bool: return this.r.pick(['true', 'false']);
      case DataType.VarChar: return this.strLit();
      case DataType.Float: case DataType.Double: return this.r.chance(0.5) ? this.floatLit() : this.intLit();
      case null: return this.r.pick([this.intLit(), this.strLit(), this.floatLit(), 'true', '[1, 2]', '[]']);
      default: return this.intLit();
    }
  }

  private list(elementType: DataType | null): string {
    const out: string[] = [];
    for (let i = this.r.int(0, 4); i > 0; i--) out.push(this.constFor(elementType));
    return `[${out.join(', ')}]`;
  }

  private nullCheckable(): string | undefined {
    const opts: string[] = [];
    for (const f of this.schema.fields) {
      if (f.isDynamic || f.dataType === DataType.FloatVector) continue;
      opts.push(f.name);
      if (f.dataType === DataType.Array) opts.push(this.elem(f));
    }
    const j = this.jsonColumn();
    if (j !== undefined) opts.push(j, j);
    return opts.length === 0 ? undefined : this.r.pick(opts);
  }

  bool(d: number): string {
    const r = this.r;
    const gens: (() => string | undefined)[] = [
      () => `${this.num(d - 1).text} ${r.pick(['==', '!=', '<', '<=', '>', '>='])} ${this.num(d - 1).text}`,
      () => `${this.str()} ${r.pick(['==', '!=', '<', '<=', '>', '>='])} ${this.str()}`,
      () => { const f = this.fieldsOf(DataType.Bool); return f.length ? r.pick([r.pick(f).name, `${r.pick(f).name} == ${r.pick(['true', 'False'])}`, `${r.pick(f).name} != TRUE`]) : undefined; },
      () => { const a = this.arraysOf(DataType.Bool); return a.length ? r.pick([this.elem(r.pick(a)), `${this.elem(r.pick(a))} == true`]) : undefined; },
      () => `${this.num(d - 1).text} ${r.pick(['in', 'not in', 'IN'])} ${this.list(DataType.Int64)}`,
      () => `${this.str()} ${r.pick(['in', 'not in'])} ${this.list(DataType.VarChar)}`,
      () => { const j = this.jsonColumn(); return j === undefined ? undefined : `${j} ${r.pick(['in', 'not in'])} ${this.list(null)}`; },
      () => {
        const opts = [...this.fieldsOf(DataType.VarChar).map((f) => f.name), ...this.arraysOf(DataType.VarChar).map((a) => this.elem(a))];
        const j = this.jsonColumn();
        if (j !== undefined) opts.push(j);
        return opts.length ? `${r.pick(opts)} ${r.pick(['like', 'LIKE'])} "${r.pick(LIKE_PATTERNS)}"` : undefined;
      },
      () => { const c = this.nullCheckable(); return c === undefined ? undefined : `${c} ${r.pick(['is null', 'is not null', 'IS NULL', 'IS NOT NULL'])}`; },
      () => { const j = this.jsonColumn(); return j === undefined ? undefined : `${r.pick(['exists', 'EXISTS'])} ${j}`; },
      () => {
        const f = this.fieldsOf(DataType.Int8, DataType.Int16, DataType.Int32, DataType.Int64, DataType.Float, DataType.Double);
        const cols = f.map((x) => x.name);
        const j = this.jsonColumn();
        if (j !== undefined) cols.push(j);
        if (cols.length === 0) return undefined;
        const [o1, o2] = r.chance(0.5) ? [r.pick(['<', '<=']), r.pick(['<', '<='])] : [r.pick(['>', '>=']), r.pick(['>', '>='])];
        return `${this.intLit()} ${o1} ${r.pick(cols)} ${o2} ${r.chance(0.5) ? this.intLit() : this.floatLit()}`;
      },
      () => {
        if (this.arrays.length === 0) return undefined;
        const a = r.pick(this.arrays);
        const fn = r.pick(['array_contains', 'ARRAY_CONTAINS', 'array_contains_all', 'array_contains_any', 'json_contains']);
        return `${fn}(${a.name}, ${fn.toLowerCase().endsWith('contains') ? this.constFor(a.elementType) : this.list(a.elementType)})`;
      },
      () => {
        const j = this.jsonColumn();
        if (j === undefined) return undefined;
        const fn = r.pick(['json_contains', 'json_contains_all', 'json_contains_any', 'array_contains']);
        return `${fn}(${j}, ${fn.endsWith('contains') ? this.constFor(null) : this.list(null)})`;
      },
      () => { const j = this.jsonColumn(); return j === undefined ? undefined : r.pick([j, `not ${j}`, `${j} == ${this.constFor(null)}`, `${j} ${r.pick(['<', '>='])} ${r.pick([this.intLit(), this.strLit(), this.floatLit()])}`]); },
      () => { const a = this.arrays; return a.length ? `${r.pick(a).name} ${r.pick(['==', '!='])} ${this.list(r.pick(a).elementType)}` : undefined; },
      () => (d > 0 ? `(${this.bool(d - 1)}) ${r.pick(['and', 'or', '&&', '||', 'AND', 'OR'])} (${this.bool(d - 1)})` : undefined),
      () => (d > 0 ? `${r.pick(['not', '!', 'NOT'])} (${this.bool(d - 1)})` : undefined),
      () => (d > 0 ? `(${this.bool(d - 1)}) ${r.pick(['==', '!='])} (${this.bool(d - 1)})` : undefined),
      () => (d > 0 ? `(${this.bool(d - 1)}) and (${this.bool(d - 1)}) or not (${this.bool(d - 1)})` : undefined),
      () => `${r.pick(['true', 'false', 'True'])}`,
    ];
    for (;;) {
      const g = r.pick(gens)();
      if (g !== undefined) return g;
    }
  }
}

/** Filter-language tokens, valid and broken, for token soup and mutations (fuzz tests). */
export const TOKENS = ['a', 'b', 's', 'flag', 'meta', 'arr', 'vec', 'dyn', '$meta', '$', '(', ')', '[', ']', '{x}', '{nope}', '{', '}', ',', '+', '-', '*', '/', '%', '**',
  '<<', '>>', '&', '|', '^', '~', '!', '==', '!=', '<', '<=', '>', '>=', '&&', '||', '=', '=~', 'and', 'OR', 'not', 'in', 'like', 'is', 'null', 'IS NOT NULL',
  'exists', 'true', 'False', '1', '0x1F', '0b2', '09', '1.5e', '.5', '1e400', '99999999999999999999', '"str"', "'s\\'q'", '"\\x4"', '"\\u12"', 'r"raw\\"', '"unterminated',
  '["k"]', '[0]', 'array_contains(', 'json_contains_all(', 'array_length(', 'text_match(', 'st_within(', 'iso', '"2024"', ' ', '\n', 'é', '😀', '\u0000'];

/** 1 to 3 edits of a filter: deletions, inserted or replacing tokens, duplicated characters. */
export function mutateFilter(r: Rng, s: string): string {
  const cs = [...s];
  for (let m = r.int(1, 3); m > 0; m--) {
    const at = r.int(0, cs.length);
    switch (r.int(0, 3)) {
      case 0: cs.splice(at, 1); break;
      case 1: cs.splice(at, 0, r.pick(TOKENS)); break;
      case 2: cs.splice(at, r.int(1, 4), r.pick(TOKENS)); break;
      default: cs.splice(at, 0, cs[r.int(0, Math.max(0, cs.length - 1))] ?? '');
    }
  }
  return cs.join('');
}
