/**
 * Scalar indexes in the engine: building one over a sealed segment's column (in the index build
 * threads, like vector indexes) and attaching a loaded one to the segment's chunk, where the filter
 * planner finds it (expr/index-plan.ts).
 */
import { DataType } from '../core/enums.js';
import { buildScalarIndex, scalarIndexSpec, type ScalarIndexSpec } from '../index/scalar/build.js';
import { deserializeScalarIndex, serializeScalarIndex } from '../index/scalar/codec.js';
import { keyKindOfCast } from '../index/scalar/rules.js';
import type { Column } from '../schema/column.js';
import type { FieldSchema } from '../schema/types.js';
import type { ChunkScalarIndex } from './chunk.js';
import type { IndexMeta } from './meta.js';

/** What a build thread needs to build one scalar index (plain data: it crosses postMessage). */
export interface ScalarBuild {
  spec: ScalarIndexSpec;
  stringToDouble: boolean;
}

export function scalarBuildOf(field: FieldSchema, index: IndexMeta): ScalarBuild {
  return {
    spec: scalarIndexSpec(index.indexType, field, index.params),
    stringToDouble: (index.params['json_cast_function'] ?? '').toUpperCase() === 'STRING_TO_DOUBLE',
  };
}

export function buildScalarPayload(col: Column, b: ScalarBuild): Uint8Array {
  return serializeScalarIndex(buildScalarIndex(col, b.spec, b.stringToDouble));
}

/**
 * The chunk entry of a loaded scalar index, or null when the planner cannot read it (a JSON path
 * index of an array or JSON cast type is built and kept on disk, and filters scan that path).
 */
export function scalarEntryOf(field: FieldSchema, index: IndexMeta, payload: Uint8Array): ChunkScalarIndex | null {
  const { spec } = scalarBuildOf(field, index);
  if (field.dataType === DataType.JSON && spec.indexType !== 'NGRAM' && keyKindOfCast(spec.castType ?? '') === undefined) return null;
  const ix = deserializeScalarIndex(payload);
  return { field: field.name, jsonPath: spec.jsonPath, index: ix, countMemory: (t) => ix.countMemory(t) };
}
