/**
 * Collection functions (defect 4 of issue 10): CreateCollection refuses a function type Sextant does
 * not compute, naming it (1100); a collection stored with one by an older version still opens.
 * The refusal through every door is in test/doors/doors.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConsistencyLevel, DataType } from '../../src/core/enums.js';
import { MilvusError } from '../../src/core/errors.js';
import { buildCollectionSchema } from '../../src/schema/build.js';
import { IMPLEMENTED_FUNCTION_TYPES } from '../../src/schema/functions.js';
import type { Column } from '../../src/schema/column.js';
import type { FunctionSchema } from '../../src/schema/types.js';
import { SextantService } from '../../src/service/service.js';
import type { FieldSpecInput } from '../../src/service/types.js';
import { withTempDir } from '../support/tmp.js';

const fields: FieldSpecInput[] = [
  { name: 'id', dataType: DataType.Int64, isPrimaryKey: true },
  { name: 'text', dataType: DataType.VarChar, maxLength: 200 },
  { name: 'sparse', dataType: DataType.SparseFloatVector },
];
const bm25: FunctionSchema = { name: 'bm25', description: '', type: 1, inputFieldNames: ['text'], outputFieldNames: ['sparse'], params: {} };

test('no function type is implemented yet: CreateCollection with BM25 is refused with 1100 naming the type, and nothing is created', async () => {
  assert.equal(IMPLEMENTED_FUNCTION_TYPES.size, 0);
  await withTempDir(async (dir) => {
    const svc = await SextantService.open({ dataDir: dir });
    try {
      await assert.rejects(svc.createCollection({ collectionName: 'docs', fields, functions: [bm25] }), (e: unknown) => {
        assert.ok(e instanceof MilvusError);
        assert.equal(e.code, 1100);
        assert.match(e.message, /function type BM25 is not supported yet/);
        assert.match(e.message, /\[function=bm25\]/);
        return true;
      });
      assert.equal(await svc.hasCollection({ collectionName: 'docs' }), false);
    } finally {
      await svc.close();
    }
  });
});

const row = (id: bigint) => new Map<string, Column>([
  ['id', { kind: 'int64', data: BigInt64Array.of(id), valid: null }],
  ['text', { kind: 'varchar', data: ['hello'], valid: null }],
]);

test('a collection stored with a BM25 function by an older version (rows logged without the output) still opens; new rows are refused before the WAL', async () => {
  await withTempDir(async (dir) => {
    const first = await SextantService.open({ dataDir: dir });
    // What an older version stored: the function in the schema, and a row logged without its output.
    const schema = { ...buildCollectionSchema({ name: 'old', fields }), functions: [bm25] };
    const c = await first.engine.createCollection({ dbName: 'default', schema, properties: {}, consistencyLevel: ConsistencyLevel.Bounded, shardsNum: 1, numPartitions: 0 });
    const partitionId = [...c.partitions.values()][0]!.meta.id;
    await first.engine.writer.write(c, { deletes: null, parts: [{ partitionId, numRows: 1, columns: row(7n) }] }).catch(() => undefined);
    await first.close();

    const svc = await SextantService.open({ dataDir: dir });
    try {
      const d = await svc.describeCollection({ collectionName: 'old' });
      assert.deepEqual(d.schema.functions.map((f) => [f.name, f.type]), [['bm25', 1]]);
      await assert.rejects(svc.insert({ collectionName: 'old', numRows: 1, columns: row(8n) }), (e: unknown) => {
        assert.ok(e instanceof MilvusError);
        assert.equal(e.code, 1100);
        assert.match(e.message, /function type BM25 is not supported yet/);
        return true;
      });
      await svc.dropCollection({ collectionName: 'old' });
    } finally {
      await svc.close();
    }
    const again = await SextantService.open({ dataDir: dir });
    assert.equal(await again.hasCollection({ collectionName: 'old' }), false);
    await again.close();
  });
});
