/**
 * Collection functions (schema.functions: BM25, TextEmbedding, ...): Milvus computes a function's
 * output fields from its input fields on insert. A function type is accepted by CreateCollection
 * only once Sextant computes it: implementing one means adding its type to IMPLEMENTED_FUNCTION_TYPES
 * (with its computation), not removing special cases. BM25 is implemented (schema/bm25.ts); any other
 * type is refused instead of being created with an output field that never gets data.
 * Collections stored with a function by an older version still open (the check runs on create only).
 */
import { DataType, dataTypeName } from '../core/enums.js';
import { errors } from '../core/errors.js';
import { analyzerByField, bm25Column } from './bm25.js';
import type { Column } from './column.js';
import type { CollectionSchema, FieldSchema, FunctionSchema } from './types.js';
import { fieldByName } from './types.js';

/** FunctionType of schema.proto, indexed by its number. */
export const FUNCTION_TYPE_NAMES = ['Unknown', 'BM25', 'TextEmbedding', 'Rerank', 'MinHash', 'MolFingerprint'] as const;

export const FunctionType = { BM25: 1, TextEmbedding: 2 } as const;

/** The function types whose outputs Sextant computes. */
export const IMPLEMENTED_FUNCTION_TYPES: ReadonlySet<number> = new Set<number>([FunctionType.BM25]);

export function functionTypeName(type: number): string {
  return FUNCTION_TYPE_NAMES[type] ?? `FunctionType(${type})`;
}

/** 'BM25' / 'bm25' / 'TextEmbedding' ... -> its number, or undefined for an unknown name. */
export function functionTypeFromName(name: string): number | undefined {
  const i = FUNCTION_TYPE_NAMES.findIndex((n) => n.toLowerCase() === name.toLowerCase());
  return i < 0 ? undefined : i;
}

/** Refuse a function whose type Sextant does not compute (code 1100, naming the type). */
export function requireImplementedFunction(fn: FunctionSchema): void {
  if (IMPLEMENTED_FUNCTION_TYPES.has(fn.type)) return;
  throw errors.invalidParameter(`function type ${functionTypeName(fn.type)} is not supported yet`, {
    function: fn.name, type: functionTypeName(fn.type),
  });
}

/**
 * AddCollectionFunction / AlterCollectionFunction (Milvus 2.6) store a TextEmbedding function, as
 * Milvus does, after its field checks (MV `internal/proxy/util.go` checkFunctionInputField /
 * checkFunctionOutputField): one VarChar input, one FloatVector or Int8Vector output. Sextant calls
 * no embedding provider, so the provider params are kept as given, and writes to the collection are
 * refused while such a function stands (computeFunctionOutputs). Other types not computed are refused.
 */
export function checkStoredFunction(fn: FunctionSchema, byName: ReadonlyMap<string, FieldSchema>): void {
  if (fn.type !== FunctionType.TextEmbedding) {
    requireImplementedFunction(fn);
    return;
  }
  const typeName = (f: FieldSchema | undefined): string => (f === undefined ? 'None' : dataTypeName(f.dataType) ?? String(f.dataType));
  const input = byName.get(fn.inputFieldNames[0] ?? '');
  if (fn.inputFieldNames.length !== 1 || input === undefined || input.dataType !== DataType.VarChar) {
    throw errors.invalidParameter(`TextEmbedding function input field must be a VARCHAR field, got ${fn.inputFieldNames.length} field with type ${typeName(input)}`);
  }
  if (fn.outputFieldNames.length !== 1) {
    throw errors.invalidParameter(`TextEmbedding function only need 1 output field, but got ${fn.outputFieldNames.length}`);
  }
  const output = byName.get(fn.outputFieldNames[0]!);
  if (output === undefined || (output.dataType !== DataType.FloatVector && output.dataType !== DataType.Int8Vector)) {
    throw errors.invalidParameter(`TextEmbedding function output field must be a FloatVector or Int8Vector field, but got ${typeName(output)}`);
  }
}

/**
 * Add the columns every function of `schema` computes to an insert batch of `numRows` rows (the
 * batch was validated: inputs present, outputs absent). Run before the WAL, so replay is exact.
 */
export function computeFunctionOutputs(schema: CollectionSchema, columns: Map<string, Column>, numRows: number): void {
  for (const fn of schema.functions) {
    requireImplementedFunction(fn);
    const input = fieldByName(schema, fn.inputFieldNames[0] ?? '');
    const column = input ? columns.get(input.name) : undefined;
    if (!input || !column) throw errors.invalidParameter(`function input field ${fn.inputFieldNames[0] ?? ''} is missing`, { function: fn.name });
    const byField = analyzerByField(input);
    columns.set(fn.outputFieldNames[0]!, bm25Column(input, column, numRows, byField === undefined ? undefined : columns.get(byField)));
  }
}
