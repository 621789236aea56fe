/**
 * Settings reach the engine and the kernels through open() options, not the environment: wasm off
 * (the JS kernels answer), no search threads, a memory budget that refuses a load with code 3.
 * Its own file: the wasm setting is process-wide and must be made before the kernels are first used.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { open, DataType, IndexType, MetricType, type SextantClient } from '../../src/client/index.js';
import { kernelModule } from '../../src/index/wasm/loader.js';
import { bruteForce, DIM, makeBooks, removeDir, tempDir } from './helpers.js';

const books = makeBooks(60, 1, 11);

async function fill(client: SextantClient, name: string): Promise<void> {
  await client.createCollection({
    collection_name: name,
    fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false },
      { name: 'vec', data_type: DataType.FloatVector, dim: DIM },
    ],
  });
  await client.createIndex({ collection_name: name, field_name: 'vec', index_type: IndexType.FLAT, metric_type: MetricType.L2, params: {} });
  await client.insert({ collection_name: name, data: books.map((b) => ({ id: b.id, vec: b.vec })) });
  await client.flushSync({ collection_names: [name] });
}

describe('open() options', () => {
  const dirs: string[] = [];
  const clients: SextantClient[] = [];
  before(async () => {
    dirs.push(await tempDir(), await tempDir());
  });
  after(async () => {
    for (const c of clients) await c.close();
    for (const d of dirs) await removeDir(d);
  });

  it('wasm: { enabled: false } and searchThreads: 0 search with the JS kernels on the calling thread', async () => {
    const client = await open(dirs[0]!, { wasm: { enabled: false }, searchThreads: 0 });
    clients.push(client);
    assert.ok(kernelModule() === null, 'the wasm option reached the kernel loader');
    await fill(client, 'js');
    assert.equal((await client.loadCollectionSync({ collection_name: 'js' })).error_code, 'Success');
    const q = books[7]!.vec;
    const res = await client.search({ collection_name: 'js', data: [q], limit: 5, output_fields: ['id'] });
    assert.deepEqual((res.results as { id: string }[]).map((h) => h.id), bruteForce(books, q, 5).map((h) => h.id));
  });

  it('a bad searchThreads is refused with a clear error', async () => {
    await assert.rejects(open(dirs[1]!, { searchThreads: -1 }), /searchThreads: invalid parameter/);
  });

  it('memoryBudgetBytes refuses a load past the budget with code 3', async () => {
    const client = await open(dirs[1]!, { memoryBudgetBytes: 64 });
    clients.push(client);
    await fill(client, 'big');
    await assert.rejects(client.loadCollection({ collection_name: 'big' }), (e: unknown) => {
      assert.equal((e as { code?: unknown }).code, 3);
      assert.match(String(e), /insufficient memory to load.*budgetBytes=64/);
      return true;
    });
  });
});
