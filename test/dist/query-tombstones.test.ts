/**
 * A query node forgets the tombstones the writer's compaction applied (issue #14): one writer and
 * one `--role query` node on etcd, 3 nats-servers and s3rver. Rows are deleted and flushed, the
 * query node holds the deletes as tombstones; the writer compacts (the deleted rows leave the
 * segments, its tombstones are cleared) and the query node then holds none either, while its
 * Strong answers (count, query, search) stay equal to the writer's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConsistencyLevelEnum, DataType, MilvusClient } from '@zilliz/milvus2-sdk-node';
import { clusterRun, serveNode, type SextantNode } from './nodes.js';

const DIM = 8;
const run = clusterRun('sextant-qtomb-');

async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const vector = (i: number) => Array.from({ length: DIM }, (_, d) => Math.sin(i * 0.37 + d * 1.3));
const rows = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => ({ id: from + k, v: vector(from + k) }));
const ok = (r: { error_code?: string | number; code?: number }, what: string) =>
  assert.ok(r.error_code === 'Success' || r.code === 0, `${what}: ${JSON.stringify(r)}`);
const strong = ConsistencyLevelEnum.Strong;

/** The tombstone count the query node's last catalog change reported, or -1 before any. */
function held(n: SextantNode): number {
  const all = [...n.out().matchAll(/tombstones cleared \((\d+) held\)/g)];
  const last = all[all.length - 1];
  return last === undefined ? -1 : Number(last[1]);
}

/** A DDL on the writer, and the query node's note that it applied it (so `held` is current). */
async function catalogChange(w: MilvusClient, q: SextantNode, name: string): Promise<void> {
  const notes = () => (q.out().match(/applied catalog version/g) ?? []).length;
  const before = notes();
  ok(await w.createCollection({ collection_name: name, fields: [
    { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false },
    { name: 'v', data_type: DataType.FloatVector, dim: DIM },
  ] }), `create ${name}`);
  await until(`the query node applies ${name}`, async () => notes() > before, 30_000);
}

/** What a client answers: the ids left (sorted) and the top 5 of one search. */
async function answers(c: MilvusClient): Promise<{ ids: number[]; top: string[] }> {
  const q = await c.query({ collection_name: 'c', filter: 'id >= 0', output_fields: ['id'], limit: 16384, consistency_level: strong });
  ok(q.status, 'query');
  const s = await c.search({ collection_name: 'c', data: [vector(7)], limit: 5, output_fields: ['id'], consistency_level: strong });
  ok(s.status, 'search');
  return { ids: q.data.map((r) => Number(r['id'])).sort((a, b) => a - b), top: s.results.map((r) => String(r.id)) };
}

test('after the writer compacts deletes away, the query node holds no tombstone and answers as the writer', { timeout: 170_000 }, async (t) => {
  const w = await serveNode(run, 'w1', 'writer', 'qt');
  const q = await serveNode(run, 'q1', 'query', 'qt');
  const cw = w.client;
  ok(await cw.createCollection({ collection_name: 'c', fields: [
    { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false },
    { name: 'v', data_type: DataType.FloatVector, dim: DIM },
  ] }), 'create');
  for (let i = 0; i < 4000; i += 2000) {
    ok((await cw.insert({ collection_name: 'c', data: rows(i, i + 2000) })).status, 'insert');
    ok((await cw.flushSync({ collection_names: ['c'] })).status, 'flush');
  }
  ok(await cw.createIndex({ collection_name: 'c', field_name: 'v', index_type: 'FLAT', metric_type: 'L2' }), 'index');
  ok(await cw.loadCollectionSync({ collection_name: 'c' }), 'load');
  // Deletes of rows in both segments (every third id below 3000) and a flush: the query node holds them.
  ok((await cw.delete({ collection_name: 'c', filter: 'id < 3000 and id % 3 == 0' })).status, 'delete');
  ok((await cw.flushSync({ collection_names: ['c'] })).status, 'flush deletes');
  await until('the query node serves the deletes', async () => {
    const n = await q.client.query({ collection_name: 'c', filter: '', output_fields: ['count(*)'], consistency_level: strong });
    return Number(n.data[0]?.['count(*)']) === 3000;
  }, 60_000);
  await catalogChange(cw, q.node, 'probe1');
  const heldBefore = held(q.node);
  assert.equal(heldBefore, 1000, 'the query node holds the deletes as tombstones');

  const id = (await cw.compact({ collection_name: 'c' })).compactionID;
  await until('compaction completed', async () => String((await cw.getCompactionState({ compactionID: id })).state) === 'Completed', 60_000);
  // The writer's catalog changes (segments swapped, its delete file cleared) reach the query node.
  await catalogChange(cw, q.node, 'probe2');
  const settled = await until('the query node forgets the compacted deletes', async () => held(q.node) === 0, 10_000).then(() => true, () => false);
  const heldAfter = held(q.node);
  t.diagnostic(`query node tombstones: ${heldBefore} held after the deletes' flush, ${heldAfter} after the writer's compaction`);
  t.diagnostic(q.node.out().split('\n').filter((l) => /applied catalog version/.test(l)).slice(-4).join('\n'));
  assert.ok(settled, `the query node still holds ${heldAfter} tombstones the writer's compaction applied`);

  const [fromWriter, fromQuery] = await Promise.all([answers(cw), answers(q.client)]);
  assert.equal(fromWriter.ids.length, 3000);
  assert.deepEqual(fromQuery.ids, fromWriter.ids, 'the same rows on the query node as on the writer');
  assert.deepEqual(fromQuery.top, fromWriter.top, 'the same search answer');
  assert.ok(!fromQuery.ids.some((i) => i < 3000 && i % 3 === 0), 'no deleted row came back');
});
