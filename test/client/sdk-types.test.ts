/**
 * Request objects typed with `@zilliz/milvus2-sdk-node`'s own TypeScript types compile against the
 * embedded client unchanged, and its answers are assignable to the SDK's response types (this file
 * not compiling is the failure). The runtime asserts check the answers are the ones those calls mean.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type {
  CountReq, CreateCollectionReq, CreateIndexSimpleReq, DeleteReq, GetReq, InsertReq, LoadCollectionReq, QueryReq,
  QueryResults as SdkQueryResults, ResStatus as SdkResStatus, SearchReq, SearchResults as SdkSearchResults, SearchSimpleReq,
  CountResult as SdkCountResult, GetLoadStateResponse as SdkLoadState, BoolResponse as SdkBoolResponse,
  ShowCollectionsResponse as SdkShowCollections, HybridSearchReq, CreateColReq,
} from '@zilliz/milvus2-sdk-node';
import { open, ConsistencyLevelEnum, DataType, LoadState, type SextantClient } from '../../src/client/index.js';
import { bruteForce, DIM, makeBooks, removeDir, tempDir } from './helpers.js';

const books = makeBooks(12, 1, 3);

describe('SDK request types against the embedded client', () => {
  let dir = '';
  let client: SextantClient;
  before(async () => {
    dir = await tempDir();
    client = await open(dir);
  });
  after(async () => {
    await client.close();
    await removeDir(dir);
  });

  it('accepts SDK-typed requests and answers SDK-assignable responses', async () => {
    const create: CreateCollectionReq = {
      collection_name: 'typed',
      consistency_level: 'Strong',
      fields: [
        { name: 'id', data_type: DataType.Int64, is_primary_key: true },
        { name: 'title', data_type: DataType.VarChar, max_length: 64 },
        { name: 'year', data_type: DataType.Int32 },
        { name: 'vec', data_type: DataType.FloatVector, dim: DIM },
      ],
    };
    const created: SdkResStatus = await client.createCollection(create);
    assert.equal(created.error_code, 'Success');

    const insert: InsertReq = { collection_name: 'typed', data: books.map((b) => ({ id: b.id, title: b.title, year: b.year, vec: b.vec })) };
    assert.equal((await client.insert(insert)).insert_cnt, String(books.length));

    const index: CreateIndexSimpleReq = { collection_name: 'typed', field_name: 'vec', index_type: 'FLAT', metric_type: 'L2' };
    assert.equal((await client.createIndex(index)).error_code, 'Success');
    const load: LoadCollectionReq = { collection_name: 'typed' };
    const loaded: SdkResStatus = await client.loadCollectionSync(load);
    assert.equal(loaded.error_code, 'Success');
    const state: SdkLoadState = await client.getLoadState({ collection_name: 'typed' });
    assert.equal(state.state, LoadState.LoadStateLoaded);

    const simple: SearchSimpleReq = {
      collection_name: 'typed', data: books[4]!.vec, limit: 3, output_fields: ['title'], filter: 'year > 0',
      consistency_level: ConsistencyLevelEnum.Strong,
    };
    const res: SdkSearchResults<SearchSimpleReq> = await client.search(simple);
    assert.deepEqual(res.results.map((h) => h.id), bruteForce(books, books[4]!.vec, 3).map((h) => h.id));
    assert.equal(res.results[0]!['title'], books[4]!.title);

    const old: SearchReq = {
      collection_name: 'typed', vectors: [books[7]!.vec], vector_type: DataType.FloatVector,
      search_params: { anns_field: 'vec', topk: 2, metric_type: 'L2', params: JSON.stringify({}) },
    };
    const oldRes = await client.search(old);
    assert.deepEqual((oldRes.results as unknown as { id: string }[]).map((h) => h.id), bruteForce(books, books[7]!.vec, 2).map((h) => h.id));

    const hybrid: HybridSearchReq = { collection_name: 'typed', data: [{ data: books[1]!.vec, anns_field: 'vec' }], limit: 1 };
    const hybridRes = await client.hybridSearch(hybrid);
    assert.equal((hybridRes.results as unknown as { id: string }[])[0]!.id, String(books[1]!.id));

    const query: QueryReq = { collection_name: 'typed', filter: 'id in [2, 4]', output_fields: ['title'] };
    const rows: SdkQueryResults = await client.query(query);
    assert.deepEqual(rows.data, [{ id: '2', title: books[1]!.title }, { id: '4', title: books[3]!.title }]);
    const get: GetReq = { collection_name: 'typed', ids: [5], output_fields: ['year'] };
    assert.deepEqual((await client.get(get)).data, [{ id: '5', year: books[4]!.year }]);
    const count: CountReq = { collection_name: 'typed', filter: 'year >= 2000' };
    const counted: SdkCountResult = await client.count(count);
    assert.equal(counted.data, books.filter((b) => b.year >= 2000).length);
    const del: DeleteReq = { collection_name: 'typed', ids: [1] };
    assert.equal((await client.delete(del)).status.error_code, 'Success');
    assert.equal((await client.count({ collection_name: 'typed' })).data, books.length - 1);

    const has: SdkBoolResponse = await client.hasCollection({ collection_name: 'typed' });
    assert.equal(has.value, true);
    const shown: SdkShowCollections = await client.showCollections();
    assert.deepEqual(shown.data.map((c) => c.name), ['typed']);

    const quick: CreateColReq = { collection_name: 'typed_quick', dimension: 4, metric_type: 'IP' };
    assert.equal((await client.createCollection(quick)).error_code, 'Success');
  });
});
