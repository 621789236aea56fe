/**
 * GetQuerySegmentInfo as Milvus answers it (issue #16's pymilvus list): the sealed segments of the
 * loaded partitions only, state Sealed, `is_sorted` true when the segment's rows are in primary-key
 * order and false when they are not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataType } from '../../src/core/enums.js';
import type { Column } from '../../src/schema/column.js';
import { SextantService } from '../../src/service/service.js';
import { withTempDir } from '../support/tmp.js';

function rows(ids: number[]): Map<string, Column> {
  return new Map<string, Column>([
    ['id', { kind: 'int64', data: BigInt64Array.from(ids, BigInt), valid: null }],
    ['v', { kind: 'floatVector', dim: 2, data: Float32Array.from(ids.flatMap((i) => [i, 1])), valid: null }],
  ]);
}

test('GetQuerySegmentInfo lists sealed segments only, state Sealed, is_sorted by primary-key order', async () => {
  await withTempDir(async (dir) => {
    const svc = await SextantService.open({ dataDir: dir });
    try {
      await svc.createCollection({
        collectionName: 'c',
        fields: [
          { name: 'id', dataType: DataType.Int64, isPrimaryKey: true },
          { name: 'v', dataType: DataType.FloatVector, dim: 2 },
        ],
      });
      await svc.createIndex({ collectionName: 'c', fieldName: 'v', params: { index_type: 'FLAT', metric_type: 'L2' } });
      await svc.loadCollection({ collectionName: 'c' });
      await svc.insert({ collectionName: 'c', numRows: 4, columns: rows([1, 2, 3, 4]) });
      assert.deepEqual(await svc.getQuerySegmentInfo({ collectionName: 'c' }), [], 'growing data is not listed');
      await svc.flush({ collectionNames: ['c'] });
      await svc.insert({ collectionName: 'c', numRows: 3, columns: rows([9, 7, 8]) });
      await svc.flush({ collectionNames: ['c'] });
      await svc.insert({ collectionName: 'c', numRows: 1, columns: rows([20]) });
      const infos = await svc.getQuerySegmentInfo({ collectionName: 'c' });
      assert.deepEqual(infos.map((i) => [i.state, i.numRows, i.isSorted]), [['Sealed', 4, true], ['Sealed', 3, false]]);
      // GetPersistentSegmentInfo still reports every segment, growing data too, as datacoord does.
      const persistent = await svc.getPersistentSegmentInfo({ collectionName: 'c' });
      assert.deepEqual(persistent.map((i) => i.state), ['Flushed', 'Flushed', 'Growing']);
    } finally {
      await svc.close();
    }
  });
});
