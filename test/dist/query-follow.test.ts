/**
 * A query node follows catalog changes incrementally (issue #14): one writer and one `--role query`
 * node on etcd, 3 nats-servers and s3rver. With ~31 MB of vectors loaded on the query node, the
 * writer flushes, compacts and builds an index while a reader queries the query node without pause
 * (Strong count(*) and a self-match search): no read fails or misses a row, each change is applied
 * (the node's log names what it loaded and freed), and the node's RSS never grows by a second copy
 * of the data (it did when every catalog change reopened the whole engine).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { ConsistencyLevelEnum, DataType, MilvusClient } from '@zilliz/milvus2-sdk-node';
import { clusterRun, startNode, waitOutput, type SextantNode } from './nodes.js';

const DIM = 128;
const BASE_ROWS = 60_000;
const VECTOR_BYTES = BASE_ROWS * DIM * 4;

const run = clusterRun('sextant-qfollow-');
const { procs, clients } = run;

async function serve(id: string, role: 'writer' | 'query'): Promise<{ node: SextantNode; client: MilvusClient }> {
  const node = await startNode(run.cluster, id, { dataSet: 'qf', leaseTtlSec: 3, dir: run.dir, extraEnv: { SEXTANT_ROLE: role } });
  procs.push(node);
  await waitOutput(node, /serving Milvus gRPC/, 60_000);
  const client = new MilvusClient({ address: `127.0.0.1:${node.port}`, logLevel: 'error', timeout: 60_000 });
  clients.push(client);
  return { node, client };
}

async function rssBytes(pid: number): Promise<number> {
  const m = /VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8').catch(() => ''));
  return m ? Number(m[1]) * 1024 : 0;
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const vector = (i: number) => Array.from({ length: DIM }, (_, d) => Math.sin(i * 0.37 + d * 1.3) + Math.cos(i * 0.011 * (d + 1)));
const rows = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => ({ id: from + k, tag: (from + k) % 100, v: vector(from + k) }));
const ok = (r: { error_code?: string | number; code?: number }, what: string) =>
  assert.ok(r.error_code === 'Success' || r.code === 0, `${what}: ${JSON.stringify(r)}`);

/** Queries the query node without pause; every answer holds the rows acknowledged before it was asked, and no row never sent. */
function reader(q: MilvusClient, rowsAcked: () => number, rowsSent: () => number) {
  const state = { reads: 0, failures: [] as string[], stop: false };
  const strong = ConsistencyLevelEnum.Strong;
  const done = (async () => {
    for (let i = 0; !state.stop; i++) {
      const low = rowsAcked();
      const n = await q.query({ collection_name: 'c', filter: '', output_fields: ['count(*)'], consistency_level: strong });
      const got = Number(n.data[0]?.['count(*)']);
      if (n.status.code !== 0 || got < low || got > rowsSent()) state.failures.push(`count: ${n.status.reason} ${got} of ${low}..${rowsSent()}`);
      const id = (i * 7919) % BASE_ROWS;
      const s = await q.search({ collection_name: 'c', data: [vector(id)], limit: 3, output_fields: ['id'], consistency_level: strong });
      if (s.status.code !== 0 || String(s.results[0]?.id) !== String(id)) state.failures.push(`search ${id}: ${s.status.reason} ${JSON.stringify(s.results[0])}`);
      state.reads += 2;
    }
  })();
  return { state, stop: async () => { state.stop = true; await done; } };
}

/** Samples the process's RSS every 50 ms while `fn` runs; resolves with the peak. */
async function peakRss(pid: number, fn: () => Promise<void>): Promise<number> {
  let peak = await rssBytes(pid);
  const timer = setInterval(() => { void rssBytes(pid).then((b) => { if (b > peak) peak = b; }); }, 50);
  try { await fn(); } finally { clearInterval(timer); }
  return peak;
}

test('a query node applies flush, compaction and index creation without a gap or a second copy', { timeout: 200_000 }, async (t) => {
  try {
    await followChanges(t);
  } catch (e) {
    for (const n of procs) t.diagnostic(`${n.id} (exit ${String(n.proc.exitCode)}): ${n.out().slice(-2000)}`);
    throw e;
  }
});

async function followChanges(t: TestContext): Promise<void> {
  const w = await serve('w1', 'writer');
  const q = await serve('q1', 'query');
  const cw = w.client;
  ok(await cw.createCollection({ collection_name: 'c', fields: [
    { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false },
    { name: 'tag', data_type: DataType.Int64 },
    { name: 'v', data_type: DataType.FloatVector, dim: DIM },
  ] }), 'create');
  // 1,500 rows a call: a log record must fit NATS's max_payload (1 MiB by default).
  for (let from = 0; from < BASE_ROWS; from += 1500) ok((await cw.insert({ collection_name: 'c', data: rows(from, from + 1500) })).status, 'insert');
  ok((await cw.flushSync({ collection_names: ['c'] })).status, 'flush');
  ok(await cw.createIndex({ collection_name: 'c', field_name: 'v', index_type: 'FLAT', metric_type: 'L2' }), 'index');
  ok(await cw.loadCollection({ collection_name: 'c' }), 'load');
  await until('loaded', async () => (await cw.getLoadState({ collection_name: 'c' })).state === 'LoadStateLoaded', 60_000);
  let acked = BASE_ROWS, sent = BASE_ROWS;
  const insert = async (n: number) => {
    sent += n;
    ok((await cw.insert({ collection_name: 'c', data: rows(acked, acked + n) })).status, 'insert');
    acked += n;
  };
  const pid = q.node.proc.pid!;
  const r = reader(q.client, () => acked, () => sent);
  await new Promise((res) => setTimeout(res, 3000)); // the reader's own memory is part of the baseline
  const base = await rssBytes(pid);
  const applied = () => (q.node.out().match(/applied catalog version/g) ?? []).length;
  const change = async (what: string, fn: () => Promise<void>) => {
    const before = applied();
    const peak = await peakRss(pid, async () => {
      await fn();
      await until(`${what} applied on the query node`, async () => applied() > before, 30_000);
      await new Promise((res) => setTimeout(res, 6000)); // past the 5 s a freed segment waits for running reads
    });
    t.diagnostic(`${what}: peak RSS ${((peak - base) / 2 ** 20).toFixed(1)} MiB over the loaded node (vectors ${(VECTOR_BYTES / 2 ** 20).toFixed(1)} MiB), reads so far ${r.state.reads}`);
    return peak - base;
  };

  const flushGrowth = await change('flush', async () => {
    await insert(1500);
    ok((await cw.flushSync({ collection_names: ['c'] })).status, 'flush');
  });
  const indexGrowth = await change('index creation', async () => {
    ok(await cw.createIndex({ collection_name: 'c', field_name: 'tag', index_type: 'INVERTED' }), 'scalar index');
    await until('index built', async () => (await cw.describeIndex({ collection_name: 'c', field_name: 'tag' })).index_descriptions[0]?.state === 'Finished', 60_000);
  });
  const compactGrowth = await change('compaction', async () => {
    await insert(1500);
    ok((await cw.flushSync({ collection_names: ['c'] })).status, 'flush');
    const id = (await cw.compact({ collection_name: 'c' })).compactionID;
    await until('compaction completed', async () => String((await cw.getCompactionState({ compactionID: id })).state) === 'Completed', 60_000);
  });
  await r.stop();
  t.diagnostic(`${r.state.reads} reads on the query node, ${r.state.failures.length} failed; catalog changes applied: ${applied()}`);
  t.diagnostic(q.node.out().split('\n').filter((l) => /applied catalog version/.test(l)).join('\n'));
  assert.deepEqual(r.state.failures.slice(0, 5), [], 'every read on the query node saw every row');
  assert.ok(r.state.reads > 20);
  // Reopening the engine held a second copy of the data (measured +2.2x the vectors on flush, +6x on an index build);
  // applying the change holds only what changed (+0.2-0.6x measured, GC timing included; the bound leaves room).
  assert.ok(flushGrowth < 1.0 * VECTOR_BYTES, `flush: RSS grew ${flushGrowth} bytes`);
  assert.ok(indexGrowth < 1.0 * VECTOR_BYTES, `index creation: RSS grew ${indexGrowth} bytes`);
  // Compaction rewrites every segment: its target is loaded before the sources are freed (no gap), so one copy more at
  // most (+1.25-1.5x measured); a reopen on top of it would pass 2x.
  assert.ok(compactGrowth < 1.9 * VECTOR_BYTES, `compaction: RSS grew ${compactGrowth} bytes`);
}
