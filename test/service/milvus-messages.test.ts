/**
 * Issue #16's pymilvus list: names are validated before they are looked up, describe reports the
 * partition count, and error texts read as Milvus writes them (pymilvus's tests compare substrings).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataType } from '../../src/core/enums.js';
import { MilvusError } from '../../src/core/errors.js';
import type { Column } from '../../src/schema/column.js';
import { emptyContext } from '../../src/server/grpc/codec/context.js';
import { insertRequest } from '../../src/server/grpc/codec/requests.js';
import { SextantService } from '../../src/service/service.js';
import { withTempDir } from '../support/tmp.js';
import { roundTrip } from '../server/wire-helpers.js';

function fails(code: number, text: string): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(e instanceof MilvusError, String(e));
    assert.equal(e.code, code, e.message);
    assert.ok(e.message.includes(text), `"${e.message}" should contain "${text}"`);
    return true;
  };
}

async function withCollection(fn: (svc: SextantService) => Promise<void>): Promise<void> {
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
      const cols = new Map<string, Column>([
        ['id', { kind: 'int64', data: BigInt64Array.of(1n, 2n), valid: null }],
        ['v', { kind: 'floatVector', dim: 2, data: Float32Array.of(0, 0, 1, 1), valid: null }],
      ]);
      await svc.insert({ collectionName: 'c', numRows: 2, columns: cols });
      await fn(svc);
    } finally {
      await svc.close();
    }
  });
}

const BAD_FIRST = 'Invalid collection name: 12-s. the first character of a collection name must be an underscore or letter';

test('collection and partition names are validated before the lookup (1100, not 100/200)', async () => {
  await withCollection(async (svc) => {
    await assert.rejects(svc.loadCollection({ collectionName: '12-s' }), fails(1100, BAD_FIRST));
    await assert.rejects(svc.releaseCollection({ collectionName: '12-s' }), fails(1100, BAD_FIRST));
    await assert.rejects(svc.hasCollection({ collectionName: '12-s' }), fails(1100, BAD_FIRST));
    await assert.rejects(svc.describeCollection({ collectionName: '12-s' }), fails(1100, BAD_FIRST));
    await assert.rejects(svc.dropCollection({ collectionName: '12-s' }), fails(1100, BAD_FIRST));
    await assert.rejects(svc.describeCollection({ collectionName: 'a'.repeat(300) }),
      fails(1100, 'the length of a collection name must be less than 255 characters'));
    // HasPartition checks the partition name even when the collection does not exist.
    await assert.rejects(svc.hasPartition({ collectionName: 'nope', partitionName: '%$#' }),
      fails(1100, 'Invalid partition name: %$#. the first character of a partition name must be an underscore or letter'));
    await assert.rejects(svc.loadPartitions({ collectionName: 'c', partitionNames: ['a-b'] }),
      fails(1100, 'Invalid partition name: a-b. partition name can only contain numbers, letters and underscores'));
    await assert.rejects(svc.dropPartition({ collectionName: 'c', partitionName: 'a b' }), fails(1100, 'Invalid partition name: a b.'));
    const cols = new Map<string, Column>([
      ['id', { kind: 'int64', data: BigInt64Array.of(3n), valid: null }],
      ['v', { kind: 'floatVector', dim: 2, data: Float32Array.of(2, 2), valid: null }],
    ]);
    await assert.rejects(svc.insert({ collectionName: 'c', partitionName: 'p$', numRows: 1, columns: cols }), fails(1100, 'Invalid partition name: p$.'));
    // Valid names that do not exist still answer "not found".
    await assert.rejects(svc.loadCollection({ collectionName: 'missing' }), fails(100, 'collection not found'));
    assert.equal(await svc.hasPartition({ collectionName: 'c', partitionName: 'p1' }), false);
  });
});

test('describe reports how many partitions the collection has', async () => {
  await withCollection(async (svc) => {
    assert.equal((await svc.describeCollection({ collectionName: 'c' })).numPartitions, 1);
    await svc.createPartition({ collectionName: 'c', partitionName: 'p1' });
    assert.equal((await svc.describeCollection({ collectionName: 'c' })).numPartitions, 2);
  });
});

test('alias and rename messages are Milvus\'s', async () => {
  await withCollection(async (svc) => {
    await assert.rejects(svc.describeAlias({ alias: 'nosuch' }), fails(1600, 'alias not found[database=default][alias=nosuch]'));
    await svc.createCollection({ collectionName: 'd', fields: [
      { name: 'id', dataType: DataType.Int64, isPrimaryKey: true },
      { name: 'v', dataType: DataType.FloatVector, dim: 2 },
    ] });
    await assert.rejects(svc.renameCollection({ oldName: 'c', newName: 'd' }),
      fails(1100, 'duplicated new collection name default:d with other collection name or alias'));
    await svc.createAlias({ collectionName: 'c', alias: 'al' });
    await assert.rejects(svc.renameCollection({ oldName: 'c', newName: 'al' }),
      fails(1100, 'duplicated new collection name default:al with other collection name or alias'));
    await assert.rejects(svc.renameCollection({ oldName: 'al', newName: 'e' }),
      fails(1100, 'unsupported use an alias to rename collection, alias:al'));
    await svc.renameCollection({ oldName: 'c', newName: 'e' });
    assert.equal(await svc.hasCollection({ collectionName: 'e' }), true);
  });
});

test('filter errors say "failed to create query plan: " and come before the vector checks', async () => {
  await withCollection(async (svc) => {
    await svc.createIndex({ collectionName: 'c', fieldName: 'v', params: { index_type: 'FLAT', metric_type: 'L2' } });
    await svc.loadCollection({ collectionName: 'c' });
    const plan = 'failed to create query plan: cannot parse expression: id >>> 3';
    await assert.rejects(svc.query({ collectionName: 'c', filter: 'id >>> 3' }), fails(1100, plan));
    await assert.rejects(svc.search({ collectionName: 'c', topK: 1, data: [[0, 0]], filter: 'id >>> 3' }), fails(1100, plan));
    // A wrong dimension and a bad filter in one search: the filter is reported.
    await assert.rejects(svc.search({ collectionName: 'c', topK: 1, data: [[0, 0, 0]], filter: 'id >>> 3' }), fails(1100, plan));
    await assert.rejects(svc.search({ collectionName: 'c', topK: 1, data: [[0, 0, 0]] }), (e: unknown) => e instanceof MilvusError);
  });
});

test('a top-k over the limit ends ", but got <k>" as Milvus\'s validateLimit writes it (pymilvus compares it)', async () => {
  await withCollection(async (svc) => {
    await svc.createIndex({ collectionName: 'c', fieldName: 'v', params: { index_type: 'FLAT', metric_type: 'L2' } });
    await svc.loadCollection({ collectionName: 'c' });
    await assert.rejects(svc.search({ collectionName: 'c', topK: 16385, data: [[0, 0]] }),
      fails(1100, 'topk [16385] is invalid, it should be in range [1, 16384], but got 16385'));
  });
});

test('search hints: iterative_filter is taken, any other hint is refused as Milvus\'s plan parser does (65535)', async () => {
  await withCollection(async (svc) => {
    await svc.createIndex({ collectionName: 'c', fieldName: 'v', params: { index_type: 'FLAT', metric_type: 'L2' } });
    await svc.loadCollection({ collectionName: 'c' });
    const ok = await svc.search({ collectionName: 'c', topK: 2, data: [[0, 0]], filter: 'id >= 0', hints: 'iterative_filter' });
    assert.equal(ok.topks[0], 2);
    await assert.rejects(svc.search({ collectionName: 'c', topK: 2, data: [[0, 0]], hints: 'no_such_hint' }),
      fails(65535, 'hints: no_such_hint not supported'));
    // REST v2 and the embedded client's `params` carry it among the index params.
    await assert.rejects(svc.search({ collectionName: 'c', topK: 2, data: [[0, 0]], params: { hints: 'nope' } }),
      fails(65535, 'hints: nope not supported'));
    await assert.rejects(svc.hybridSearch({ collectionName: 'c', topK: 2, requests: [{ collectionName: 'c', topK: 2, data: [[0, 0]], hints: 'x' }],
      ranker: { strategy: 'rrf', k: 60 } }), fails(65535, 'hints: x not supported'));
  });
});

test('vector data is measured against the schema dim, not the dim the request states (pymilvus states the last row\'s)', async () => {
  await withCollection(async (svc) => {
    const insert = (dim: number, data: number[], n: number) => svc.insert({
      collectionName: 'c', numRows: n, columns: new Map<string, Column>([
        ['id', { kind: 'int64', data: BigInt64Array.from({ length: n }, (_, i) => BigInt(10 + i)), valid: null }],
        ['v', { kind: 'floatVector', dim, data: Float32Array.from(data), valid: null }],
      ]),
    });
    // One 3-float row into dim 2: what a pymilvus user sees from Milvus.
    await assert.rejects(insert(3, [1, 2, 3], 1), fails(1100, 'the length(3) of float data should divide the dim(2)'));
    // The length divides the schema dim but the stated dim differs: the dim mismatch.
    await assert.rejects(insert(4, [1, 2, 3, 4], 1), fails(1100, 'the dim (4) of field data(v) is not equal to schema dim (2)'));
  });
});

test('a null check on a vector field fails as Milvus\'s segment core does: 65535 "unsupported data type: VECTOR_FLOAT"', async () => {
  await withCollection(async (svc) => {
    await svc.createIndex({ collectionName: 'c', fieldName: 'v', params: { index_type: 'FLAT', metric_type: 'L2' } });
    await svc.loadCollection({ collectionName: 'c' });
    for (const filter of ['v is null', 'v IS NOT NULL']) {
      await assert.rejects(svc.search({ collectionName: 'c', topK: 1, data: [[0, 0]], filter }), (e: unknown) => {
        assert.ok(e instanceof MilvusError);
        assert.equal(e.code, 65535);
        assert.equal(e.message, 'unsupported data type: VECTOR_FLOAT');
        return true;
      });
      await assert.rejects(svc.query({ collectionName: 'c', filter }), fails(65535, 'unsupported data type: VECTOR_FLOAT'));
    }
    // Other uses of a vector field in a filter stay plan errors.
    await assert.rejects(svc.query({ collectionName: 'c', filter: 'v == 1' }), fails(1100, 'failed to create query plan: '));
  });
});

test('gRPC vector data whose length does not divide the schema dim: Milvus\'s words, whatever dim the request states', async () => {
  await withTempDir(async (dir) => {
    const svc = await SextantService.open({ dataDir: dir });
    try {
      await svc.createCollection({
        collectionName: 'vecs',
        fields: [
          { name: 'id', dataType: DataType.Int64, isPrimaryKey: true },
          { name: 'v', dataType: DataType.FloatVector, dim: 128 },
          { name: 'b', dataType: DataType.BinaryVector, dim: 16 },
          { name: 'h', dataType: DataType.Float16Vector, dim: 4 },
          { name: 'i', dataType: DataType.Int8Vector, dim: 4 },
        ],
      });
      const insert = async (fd: object, numRows = 1): Promise<unknown> => svc.insert(insertRequest(
        roundTrip('milvus.proto.milvus.InsertRequest', { collection_name: 'vecs', fields_data: [fd], num_rows: numRows }), emptyContext));
      await assert.rejects(insert({ type: DataType.FloatVector, field_name: 'v', vectors: { dim: 128, float_vector: { data: [1, 2, 3] } } }),
        fails(1100, 'the length(3) of float data should divide the dim(128)'));
      // pymilvus states the last row's dim: rows of 128 and 5 floats say dim 5; Milvus measures against 128.
      const mixed = [...Array.from({ length: 128 }, () => 0.5), 1, 2, 3, 4, 5];
      await assert.rejects(insert({ type: DataType.FloatVector, field_name: 'v', vectors: { dim: 5, float_vector: { data: mixed } } }, 2),
        fails(1100, 'the length(133) of float data should divide the dim(128)'));
      await assert.rejects(insert({ type: DataType.BinaryVector, field_name: 'b', vectors: { dim: 16, binary_vector: Buffer.from([1, 2, 3]) } }),
        fails(1100, 'the num(24) of all bits should divide the dim(16)'));
      await assert.rejects(insert({ type: DataType.BinaryVector, field_name: 'b', vectors: { dim: 12, binary_vector: Buffer.from([1, 2]) } }),
        fails(1100, 'dim(12) should divide 8'));
      await assert.rejects(insert({ type: DataType.Float16Vector, field_name: 'h', vectors: { dim: 4, float16_vector: Buffer.alloc(6) } }),
        fails(1100, 'the length(6) of float16 data should divide the dim(4)'));
      await assert.rejects(insert({ type: DataType.Int8Vector, field_name: 'i', vectors: { dim: 4, int8_vector: Buffer.alloc(3) } }),
        fails(1100, 'the length(3) of int8 data should divide the dim(4)'));
    } finally {
      await svc.close();
    }
  });
});

test('ARRAY rows without element_type (pymilvus) take it from the schema; null rows in dense form are nulls', async () => {
  await withTempDir(async (dir) => {
    const svc = await SextantService.open({ dataDir: dir });
    try {
      await svc.createCollection({
        collectionName: 'arr',
        fields: [
          { name: 'id', dataType: DataType.Int64, isPrimaryKey: true },
          { name: 'v', dataType: DataType.FloatVector, dim: 2 },
          { name: 'small', dataType: DataType.Array, elementType: DataType.Int16, maxCapacity: 4 },
          { name: 'tags', dataType: DataType.Array, elementType: DataType.VarChar, maxCapacity: 4, maxLength: 8, nullable: true },
        ],
      });
      const wire = (small: object[], tags: object[], tagsValid?: boolean[]): Map<string, Column> => insertRequest(roundTrip('milvus.proto.milvus.InsertRequest', {
        collection_name: 'arr', num_rows: 3, fields_data: [
          { type: DataType.Int64, field_name: 'id', scalars: { long_data: { data: [1, 2, 3] } } },
          { type: DataType.FloatVector, field_name: 'v', vectors: { dim: 2, float_vector: { data: [0, 0, 1, 1, 2, 2] } } },
          { type: DataType.Array, field_name: 'small', scalars: { array_data: { data: small } } },
          { type: DataType.Array, field_name: 'tags', ...(tagsValid ? { valid_data: tagsValid } : {}), scalars: { array_data: { data: tags } } },
        ],
      }), emptyContext).columns;
      const small = [{ int_data: { data: [1, -2] } }, {}, { int_data: { data: [300] } }];
      await svc.insert({ collectionName: 'arr', numRows: 3, columns: wire(small, [{ string_data: { data: ['a'] } }, {}, { string_data: { data: ['b', 'c'] } }], [true, false, true]) });
      await svc.flush({ collectionNames: ['arr'] });
      await svc.createIndex({ collectionName: 'arr', fieldName: 'v', params: { index_type: 'FLAT', metric_type: 'L2' } });
      await svc.loadCollection({ collectionName: 'arr' });
      const r = await svc.query({ collectionName: 'arr', filter: 'id > 0', outputFields: ['small', 'tags'] });
      const byId = new Map<string, unknown[]>();
      const get = (n: string): Column | undefined => r.columns.find((c) => c.field.name === n)?.column;
      const ids = get('id');
      assert.ok(ids && ids.kind === 'int64');
      const smallCol = get('small');
      const tagsCol = get('tags');
      assert.ok(smallCol?.kind === 'array' && tagsCol?.kind === 'array');
      for (let i = 0; i < ids.data.length; i++) {
        byId.set(String(ids.data[i]), [smallCol.data[i], tagsCol.valid === null || tagsCol.valid[i] === 1 ? tagsCol.data[i] : null]);
      }
      assert.deepEqual(byId.get('1'), [[1, -2], ['a']]);
      assert.deepEqual(byId.get('2'), [[], null]);
      assert.deepEqual(byId.get('3'), [[300], ['b', 'c']]);
      // Elements are still checked against the schema's element type.
      await assert.rejects(svc.insert({ collectionName: 'arr', numRows: 3,
        columns: wire([{ int_data: { data: [70000] } }, {}, {}], [{}, {}, {}], [false, false, false]) }), fails(1100, 'small'));
      await assert.rejects(svc.insert({ collectionName: 'arr', numRows: 3,
        columns: wire([{ string_data: { data: ['x'] } }, {}, {}], [{}, {}, {}], [false, false, false]) }), (e: unknown) => e instanceof MilvusError && e.code === 1100);
    } finally {
      await svc.close();
    }
  });
});
