/** Small schema and data builders shared by engine and service tests. */
import assert from 'node:assert/strict';
import { MilvusError } from '../../src/core/errors.js';
import { seededRandom } from '../../src/core/random.js';
import { DataType } from '../../src/core/enums.js';
import type { Column } from '../../src/schema/column.js';
import type { CreateCollectionRequest } from '../../src/service/types.js';

/** A deterministic PRNG (mulberry32) so failures reproduce. */
export const rng = seededRandom;

export function vectorCollection(name: string, dim: number, opts: { dynamic?: boolean; autoId?: boolean } = {}): CreateCollectionRequest {
  return {
    collectionName: name,
    enableDynamicField: opts.dynamic ?? false,
    fields: [
      { name: 'id', dataType: DataType.Int64, isPrimaryKey: true, autoId: opts.autoId ?? false },
      { name: 'tag', dataType: DataType.VarChar, maxLength: 32 },
      { name: 'score', dataType: DataType.Double },
      { name: 'vec', dataType: DataType.FloatVector, dim },
    ],
  };
}

export function batch(first: number, n: number, dim: number, rand: () => number): Map<string, Column> {
  const ids = new BigInt64Array(n);
  const tags: string[] = [];
  const score = new Float64Array(n);
  const vec = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    ids[i] = BigInt(first + i);
    tags.push(`t${(first + i) % 7}`);
    score[i] = (first + i) / 10;
    for (let d = 0; d < dim; d++) vec[i * dim + d] = rand() * 2 - 1;
  }
  return new Map<string, Column>([
    ['id', { kind: 'int64', data: ids, valid: null }],
    ['tag', { kind: 'varchar', data: tags, valid: null }],
    ['score', { kind: 'double', data: score, valid: null }],
    ['vec', { kind: 'floatVector', dim, data: vec, valid: null }],
  ]);
}

/** The MilvusError a call is refused with; fails the test when it succeeds or throws anything else. */
export async function refusal(p: Promise<unknown>): Promise<MilvusError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof MilvusError) return e;
    throw e;
  }
  assert.fail('expected a refusal');
}
