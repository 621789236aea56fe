/**
 * Collection functions (schema.functions: BM25, TextEmbedding, ...): Milvus computes a function's
 * output fields from its input fields on insert. A function type is accepted by CreateCollection
 * only once Sextant computes it: implementing one means adding its type to IMPLEMENTED_FUNCTION_TYPES
 * (with its computation), not removing special cases. BM25 is implemented (schema/bm25.ts); any other
 * type is refused instead of being created with an output field that never gets data.
 * Collections stored with a function by an older version still open (the check runs on create only).
 */
import { errors } from '../core/errors.js';
import { bm25Column } from './bm25.js';
import type { Column } from './column.js';
import type { CollectionSchema, FunctionSchema } from './types.js';
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
 * Add the columns every function of `schema` computes to an insert batch of `numRows` rows (the
 * batch was validated: inputs present, outputs absent). Run before the WAL, so replay is exact.
 */
export function computeFunctionOutputs(schema: CollectionSchema, columns: Map<string, Column>, numRows: number): void {
  for (const fn of schema.functions) {
    requireImplementedFunction(fn);
    const input = fieldByName(schema, fn.inputFieldNames[0] ?? '');
    const column = input ? columns.get(input.name) : undefined;
    if (!input || !column) throw errors.invalidParameter(`function input field ${fn.inputFieldNames[0] ?? ''} is missing`, { function: fn.name });
    columns.set(fn.outputFieldNames[0]!, bm25Column(input, column, numRows));
  }
}
