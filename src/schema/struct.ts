/**
 * Array-of-Struct fields (Milvus 2.6 `StructArrayFieldSchema`): a field whose value per row is a
 * list of up to `max_capacity` structs of the same members (scalars and dense vectors).
 *
 * Stored as Milvus stores them: each member is its own field named `parent[member]` holding, per
 * row, that member's value of every element — an Array column. Scalar members keep their type as
 * the element type; a vector member's vectors are laid end to end as numbers (FloatVector,
 * Float16Vector and BFloat16Vector as Float, Int8Vector as Int8, BinaryVector's bytes as Int16),
 * so a row of k elements holds k * width numbers. Member names in the wire schema are the plain
 * member names; `parent[member]` is how search (`anns_field`), output fields and indexes name them.
 */
import type { Column } from './column.js';
import type { ArrayElement, CollectionSchema, FieldSchema, StructFieldSchema } from './types.js';
import { DataType, isVectorType } from '../core/enums.js';
import { errors } from '../core/errors.js';
import { limits } from '../core/limits.js';
import { buildField, typeLabel, type FieldSpec } from './field.js';
import { validateName } from './names.js';
import { bfloat16BitsToFloat32, float16BitsToFloat32, float32ToBFloat16Bits, float32ToFloat16Bits } from './half.js';

export interface StructFieldSpec {
  name: string;
  description?: string;
  maxCapacity?: number;
  /** Rows may be null (the whole struct); its members become nullable. */
  nullable?: boolean;
  /** Members with their own types (FloatVector, Int32, ...), not the wire's Array / ArrayOfVector. */
  members: FieldSpec[];
}

/** The types a struct member may have (Milvus: scalars but JSON / Array / Geometry, and dense vectors). */
const MEMBER_TYPES: ReadonlySet<DataType> = new Set([
  DataType.Bool, DataType.Int8, DataType.Int16, DataType.Int32, DataType.Int64, DataType.Float, DataType.Double,
  DataType.VarChar, DataType.FloatVector, DataType.Float16Vector, DataType.BFloat16Vector, DataType.Int8Vector,
  DataType.BinaryVector,
]);

/** The Array element type a member is stored as. */
export function storedElementType(memberType: DataType): DataType {
  switch (memberType) {
    case DataType.FloatVector: case DataType.Float16Vector: case DataType.BFloat16Vector: return DataType.Float;
    case DataType.Int8Vector: return DataType.Int8;
    case DataType.BinaryVector: return DataType.Int16;
    default: return memberType;
  }
}

/** Numbers one element of a vector member takes in its stored row (1 for scalars). */
export function memberWidth(f: FieldSchema): number {
  const t = f.structMember?.type;
  if (t === undefined || !isVectorType(t)) return 1;
  return t === DataType.BinaryVector ? (f.dim ?? 8) / 8 : (f.dim ?? 1);
}

export function isStructVectorMember(f: FieldSchema): boolean {
  return f.structMember !== undefined && isVectorType(f.structMember.type);
}

const invalid = (what: string) => errors.invalidParameter(what);

function buildMember(parent: string, capacity: number, nullable: boolean, spec: FieldSpec, fieldId: number): FieldSchema {
  validateName('field', spec.name);
  if (!MEMBER_TYPES.has(spec.dataType)) {
    throw invalid(`field ${spec.name} in struct ${parent}: data type ${typeLabel(spec.dataType)} is not supported in a struct`);
  }
  if (spec.isPrimaryKey === true || spec.isPartitionKey === true || spec.isClusteringKey === true) {
    throw invalid(`field ${spec.name} in struct ${parent} cannot be a primary, partition or clustering key`);
  }
  if (spec.nullable === true && !nullable) throw invalid(`field ${spec.name} in struct ${parent}: nullable is not supported in a struct`);
  if (spec.defaultValue !== undefined && spec.defaultValue !== null) {
    throw invalid(`field ${spec.name} in struct ${parent}: default value is not supported in a struct`);
  }
  const own = buildField({ ...spec, nullable: false, typeParams: { ...spec.typeParams }, maxCapacity: undefined }, fieldId);
  const width = own.dataType === DataType.BinaryVector ? (own.dim ?? 8) / 8 : isVectorType(own.dataType) ? (own.dim ?? 1) : 1;
  const typeParams: Record<string, string> = { ...own.typeParams, max_capacity: String(capacity) };
  return {
    ...own,
    name: `${parent}[${spec.name}]`,
    dataType: DataType.Array,
    elementType: storedElementType(own.dataType),
    maxCapacity: capacity * width,
    typeParams,
    nullable,
    structMember: { parent, name: spec.name, type: own.dataType },
  };
}

/** Struct specs -> the struct fields and their stored members, ids from `firstId` on. */
export function buildStructFields(specs: readonly StructFieldSpec[], firstId: number, taken: ReadonlySet<string>): { structs: StructFieldSchema[]; members: FieldSchema[] } {
  const structs: StructFieldSchema[] = [];
  const members: FieldSchema[] = [];
  const names = new Set(taken);
  let id = firstId;
  for (const s of specs) {
    validateName('field', s.name);
    if (names.has(s.name)) throw invalid(`duplicated field name ${s.name} found`);
    names.add(s.name);
    const cap = s.maxCapacity;
    if (cap === undefined) throw invalid(`type param(max_capacity) should be specified for struct field ${s.name}`);
    if (!Number.isInteger(cap) || cap <= 0 || cap > limits.maxArrayCapacity) {
      throw invalid(`the maximum capacity specified for a Array should be in (0, ${limits.maxArrayCapacity}], field name = ${s.name}`);
    }
    if (s.members.length === 0) throw invalid(`struct field ${s.name} must have at least one field`);
    const nullable = s.nullable === true;
    structs.push({ fieldId: id++, name: s.name, description: s.description ?? '', maxCapacity: cap, ...(nullable ? { nullable } : {}) });
    const seen = new Set<string>();
    for (const m of s.members) {
      if (seen.has(m.name)) throw invalid(`duplicated field name ${m.name} found in struct ${s.name}`);
      seen.add(m.name);
      members.push(buildMember(s.name, cap, nullable, m, id++));
    }
  }
  return { structs, members };
}

/** Rows of a struct field must have as many elements in every member. */
export function checkStructRows(schema: CollectionSchema, columns: ReadonlyMap<string, Column>, numRows: number): void {
  for (const s of schema.structFields ?? []) {
    const members = schema.fields.filter((f) => f.structMember?.parent === s.name);
    for (let r = 0; r < numRows; r++) {
      let count = -1;
      let nulls = 0;
      for (const m of members) {
        const c = columns.get(m.name);
        if (c === undefined || c.kind !== 'array') continue;
        if (c.valid !== null && c.valid[r] === 0) {
          nulls++;
          continue;
        }
        const k = (c.data[r]?.length ?? 0) / memberWidth(m);
        if (!Number.isInteger(k)) throw invalid(`row ${r} of struct field ${s.name}: member ${m.structMember?.name ?? m.name} is not a whole number of vectors`);
        if (count === -1) count = k;
        else if (k !== count) throw invalid(`row ${r} of struct field ${s.name}: its members have different numbers of elements (${count} and ${k})`);
      }
      if (nulls > 0 && count !== -1) throw invalid(`row ${r} of struct field ${s.name}: some members are null and others not (a struct row is null as a whole)`);
      if (count > s.maxCapacity) throw invalid(`the length (${count}) of array exceeds max capacity (${s.maxCapacity}), field name = ${s.name}`);
    }
  }
}

/** One vector of a member (a 1-row typed column) -> its stored numbers. */
export function vectorToElements(memberType: DataType, v: Column): number[] {
  switch (v.kind) {
    case 'floatVector': return Array.from(v.data);
    case 'float16Vector': return Array.from(v.data, float16BitsToFloat32);
    case 'bfloat16Vector': return Array.from(v.data, bfloat16BitsToFloat32);
    case 'int8Vector': case 'binaryVector': return Array.from(v.data);
    default: throw invalid(`a struct member of type ${typeLabel(memberType)} cannot take ${v.kind} data`);
  }
}

/** A stored row of a vector member -> the vectors of its elements as one typed column. */
export function elementsToVectors(f: FieldSchema, row: readonly ArrayElement[]): Column {
  const t = f.structMember?.type;
  const dim = f.dim ?? 0;
  const nums = (conv: (x: number) => number) => Array.from(row, (x) => conv(Number(x)));
  switch (t) {
    case DataType.FloatVector: return { kind: 'floatVector', dim, data: Float32Array.from(nums((x) => x)), valid: null };
    case DataType.Float16Vector: return { kind: 'float16Vector', dim, data: Uint16Array.from(nums(float32ToFloat16Bits)), valid: null };
    case DataType.BFloat16Vector: return { kind: 'bfloat16Vector', dim, data: Uint16Array.from(nums(float32ToBFloat16Bits)), valid: null };
    case DataType.Int8Vector: return { kind: 'int8Vector', dim, data: Int8Array.from(nums((x) => x)), valid: null };
    case DataType.BinaryVector: return { kind: 'binaryVector', dim, data: Uint8Array.from(nums((x) => x)), valid: null };
    default: throw new Error(`field ${f.name} is not a struct vector member`); // a bug if reached
  }
}

/** A member vector stored as numbers -> float64 values for scoring (binary: its bytes). */
export function elementVector(row: readonly ArrayElement[], at: number, width: number): Float64Array {
  const out = new Float64Array(width);
  for (let i = 0; i < width; i++) out[i] = Number(row[at * width + i]);
  return out;
}

/**
 * A row as users write it (`items: [{label, emb}, ...]`, the embedded client, REST and JSON import)
 * -> the stored members (`items[label]`, `items[emb]` with the vectors end to end). A struct value
 * that is not a list of objects is left for the row checks to refuse.
 */
export function splitStructRow(schema: CollectionSchema, row: Record<string, unknown>): Record<string, unknown> {
  const structs = schema.structFields;
  if (structs === undefined || structs.length === 0) return row;
  let out: Record<string, unknown> | null = null;
  for (const s of structs) {
    const v = row[s.name];
    if (v === null && s.nullable === true) {
      // A null struct row: null in every member.
      out ??= { ...row };
      delete out[s.name];
      for (const m of schema.fields) if (m.structMember?.parent === s.name) out[m.name] = null;
      continue;
    }
    if (!Array.isArray(v) || !v.every((e) => typeof e === 'object' && e !== null && !Array.isArray(e))) continue;
    out ??= { ...row };
    delete out[s.name];
    for (const m of schema.fields) {
      if (m.structMember?.parent !== s.name) continue;
      const key = m.structMember.name;
      const values = (v as Record<string, unknown>[]).map((e) => e[key]);
      if (values.some((x) => x === undefined || x === null)) {
        throw errors.invalidParameter(`struct field ${s.name}: an element has no value for ${key}`);
      }
      out[m.name] = isVectorType(m.structMember.type)
        ? values.flatMap((x) => (Array.isArray(x) ? x : ArrayBuffer.isView(x) ? Array.from(x as unknown as ArrayLike<number>) : [x]))
        : values;
    }
  }
  return out ?? row;
}

/** The base metric of a member index or search metric: MAX_SIM* names -> the plain metric they sum (MAX_SIM alone: COSINE, HAMMING for binary). */
export function memberBaseMetric(f: FieldSchema, metric: string): string {
  const m = metric.toUpperCase();
  if (m === 'MAX_SIM' || m === '') return f.structMember?.type === DataType.BinaryVector ? 'HAMMING' : 'COSINE';
  return m.startsWith('MAX_SIM_') ? m.slice('MAX_SIM_'.length) : m;
}

/** A vector member's elements as one vector column, with each element's row and offset in its row. */
export interface MemberElements {
  vectors: Column;
  rowOf: Int32Array;
  offsetOf: Int32Array;
}

/**
 * A vector member's stored column (rows of vectors end to end as numbers) -> every element vector of
 * rows [0, numRows) as one column of its vector kind (float16 / bfloat16 members as float vectors:
 * they are stored as float32 numbers), for an index over the elements of a segment.
 */
export function memberElements(f: FieldSchema, col: Column, numRows: number): MemberElements {
  const w = memberWidth(f);
  const dim = f.dim ?? 0;
  const rows = col.kind === 'array' ? col.data : [];
  let total = 0;
  for (let r = 0; r < numRows; r++) total += Math.floor((rows[r]?.length ?? 0) / w);
  const rowOf = new Int32Array(total);
  const offsetOf = new Int32Array(total);
  const t = f.structMember?.type;
  const data = t === DataType.Int8Vector ? new Int8Array(total * w) : t === DataType.BinaryVector ? new Uint8Array(total * w) : new Float32Array(total * w);
  let e = 0;
  for (let r = 0; r < numRows; r++) {
    const row = rows[r];
    if (row === undefined) continue;
    const ne = Math.floor(row.length / w);
    for (let i = 0; i < ne; i++, e++) {
      rowOf[e] = r;
      offsetOf[e] = i;
      for (let j = 0; j < w; j++) data[e * w + j] = Number(row[i * w + j]);
    }
  }
  const vectors: Column = data instanceof Int8Array ? { kind: 'int8Vector', dim, data, valid: null }
    : data instanceof Uint8Array ? { kind: 'binaryVector', dim, data, valid: null }
      : { kind: 'floatVector', dim, data, valid: null };
  return { vectors, rowOf, offsetOf };
}

/** The vector column kind a member's element vectors are indexed as (float16 / bfloat16 as float: stored as float32 numbers). */
export function memberVectorKind(f: FieldSchema): 'floatVector' | 'int8Vector' | 'binaryVector' {
  const t = f.structMember?.type;
  return t === DataType.Int8Vector ? 'int8Vector' : t === DataType.BinaryVector ? 'binaryVector' : 'floatVector';
}
