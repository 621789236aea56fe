/** The collection / field model. Pure data, no I/O. */
import type { DataType } from '../core/enums.js';

/** A JSON value as stored in a JSON field or the dynamic field. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** One element of an Array field. Int64 elements are bigint. */
export type ArrayElement = boolean | number | bigint | string;

/** A sparse vector: strictly increasing indices and their non-zero values. */
export interface SparseVector {
  indices: Uint32Array;
  values: Float32Array;
}

/** Primary keys: bigint for Int64 PKs, string for VarChar PKs. */
export type PrimaryKeys = { kind: 'int64'; data: BigInt64Array } | { kind: 'varchar'; data: string[] };

/** A scalar default value (ValueField oneof). */
export type ScalarValue = boolean | number | bigint | string;

export interface FieldSchema {
  /** Field IDs start at 100 (Milvus' StartOfUserFieldID). */
  fieldId: number;
  name: string;
  description: string;
  dataType: DataType;
  isPrimaryKey: boolean;
  autoId: boolean;
  isPartitionKey: boolean;
  isClusteringKey: boolean;
  /** The hidden `$meta` field of a collection with the dynamic field enabled. */
  isDynamic: boolean;
  nullable: boolean;
  defaultValue: ScalarValue | null;
  /** `dim` for vectors (not sparse). */
  dim: number | null;
  /** `max_length` in bytes for VarChar (and VarChar array elements). */
  maxLength: number | null;
  /** `max_capacity` for Array. */
  maxCapacity: number | null;
  /** Element type for Array. */
  elementType: DataType | null;
  /** type_params as given, for echoing back in DescribeCollection. */
  typeParams: Record<string, string>;
  /**
   * Set on the stored member of an Array-of-Struct field (schema/struct.ts): the field is named
   * `parent[name]` and holds, per row, the member's value of every element as an Array column.
   */
  structMember?: StructMember;
  /** External collections (schema/external.ts): the column of the external files this field reads. */
  externalField?: string;
}

/** Which struct field a stored member belongs to, and the member's own type (e.g. FloatVector). */
export interface StructMember {
  parent: string;
  name: string;
  type: DataType;
}

/** An Array-of-Struct field (Milvus `StructArrayFieldSchema`); its members are in `fields`. */
export interface StructFieldSchema {
  fieldId: number;
  name: string;
  description: string;
  maxCapacity: number;
  /** A null row is null in every member (each member field is nullable). */
  nullable?: boolean;
}

export interface FunctionSchema {
  name: string;
  description: string;
  type: number;
  inputFieldNames: string[];
  outputFieldNames: string[];
  params: Record<string, string>;
}

export interface CollectionSchema {
  name: string;
  description: string;
  fields: FieldSchema[];
  enableDynamicField: boolean;
  functions: FunctionSchema[];
  /** Array-of-Struct fields (absent when none). */
  structFields?: StructFieldSchema[];
  /** External collections (schema/external.ts): where the rows come from and how to read them. */
  externalSource?: string;
  externalSpec?: string;
}

export const DYNAMIC_FIELD_NAME = '$meta';
export const FIRST_FIELD_ID = 100;

export function primaryField(schema: CollectionSchema): FieldSchema {
  const f = schema.fields.find((x) => x.isPrimaryKey);
  if (!f) throw new Error('schema has no primary key'); // validated at creation; a bug if reached
  return f;
}

export function fieldByName(schema: CollectionSchema, name: string): FieldSchema | undefined {
  return schema.fields.find((f) => f.name === name);
}

export function dynamicField(schema: CollectionSchema): FieldSchema | undefined {
  return schema.fields.find((f) => f.isDynamic);
}

/** The stored members of a struct field, in schema order. */
export function structMembersOf(schema: CollectionSchema, parent: string): FieldSchema[] {
  return schema.fields.filter((f) => f.structMember?.parent === parent);
}

export function structFieldByName(schema: CollectionSchema, name: string): StructFieldSchema | undefined {
  return schema.structFields?.find((s) => s.name === name);
}
