/**
 * A query node follows catalog changes incrementally (issue #14): one writer and one `--role query`
 * node on etcd, 3 nats-servers and s3rver. With ~31 MB of vectors loaded on the query node, the
 * writer flushes, compacts and builds an index while a reader queries the query node without pause
 * (Strong count(*) and a self-match search): no read fails or misses a row, each change is applied
 * (the node's log names what it loaded and freed), and the node's memory outside V8's heap never grows
 * by a second copy of the data (it did when every catalog change reopened the whole engine). RSS less
 * the heap, because the heap's share is GC timing: under --trace-gc the node went 16 s without a
 * mark-compact while the reader's garbage took the heap from 61 to 115 MB, and RSS rose with it.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
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

/** The node's RSS and V8's committed heap, read together from its /metrics (prom-client's process metrics). */
async function memory(node: SextantNode): Promise<{ rss: number; heap: number }> {
  const text = await (await fetch(`http://127.0.0.1:${node.httpPort}/metrics`)).text();
  const gauge = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  const m = { rss: gauge('sextant_process_resident_memory_bytes'), heap: gauge('sextant_nodejs_heap_size_total_bytes') };
  assert.ok(m.rss > 0 && m.heap > 0, `memory gauges in /metrics: ${JSON.stringify(m)}`);
  return m;
}

/** RSS less V8's heap: what a second copy of the data (column buffers, wasm memories) would show in. */
const native = (m: { rss: number; heap: number }) => m.rss - m.heap;

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

/** Samples the node's memory every 100 ms while `fn` runs; resolves with the peaks of RSS and of RSS less the heap. */
async function peakMemory(node: SextantNode, fn: () => Promise<void>): Promise<{ rss: number; native: number }> {
  const first = await memory(node);
  const peak = { rss: first.rss, native: native(first) };
  let sampling = Promise.resolve();
  const timer = setInterval(() => {
    sampling = sampling.then(() => memory(node)).then((m) => {
      peak.rss = Math.max(peak.rss, m.rss);
      peak.native = Math.max(peak.native, native(m));
    }, () => {});
  }, 100);
  try { await fn(); } finally { clearInterval(timer); await sampling; }
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
  const r = reader(q.client, () => acked, () => sent);
  await new Promise((res) => setTimeout(res, 3000)); // the reader's own memory is part of the baseline
  const base = await memory(q.node);
  const applied = () => (q.node.out().match(/applied catalog version/g) ?? []).length;
  const change = async (what: string, fn: () => Promise<void>) => {
    const before = applied();
    const peak = await peakMemory(q.node, async () => {
      await fn();
      await until(`${what} applied on the query node`, async () => applied() > before, 30_000);
      await new Promise((res) => setTimeout(res, 6000)); // past the 5 s a freed segment waits for running reads
    });
    const mib = (b: number) => (b / 2 ** 20).toFixed(1);
    t.diagnostic(`${what}: peak RSS less the V8 heap ${mib(peak.native - native(base))} MiB over the loaded node (RSS ${mib(peak.rss - base.rss)}; vectors ${mib(VECTOR_BYTES)} MiB), reads so far ${r.state.reads}`);
    return peak.native - native(base);
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
  // Reopening the engine held a second copy of the data (RSS +2.2x the vectors on flush, +6x on an index build);
  // applying the change holds only what changed: outside the heap +0.05-0.11x on flush, -0.11-0x on index creation
  // (RSS alone: up to +1.5x, the heap's garbage between mark-compacts).
  assert.ok(flushGrowth < 0.5 * VECTOR_BYTES, `flush: RSS less the heap grew ${flushGrowth} bytes`);
  assert.ok(indexGrowth < 0.5 * VECTOR_BYTES, `index creation: RSS less the heap grew ${indexGrowth} bytes`);
  // Compaction rewrites every segment: its target is loaded before the sources are freed (no gap), so one copy more,
  // plus, most likely, what the target's download left outside the heap until V8's next collection (its ~31 MB arrive
  // as stream chunks: garbage ArrayBuffers): +0.15-1.2x measured outside the heap, +0.16-0.73x in four runs alone in session
  // 21, +1.77x once under the whole suite (CI=1 .ci/run); a reopen on top of the target would hold 2x without any garbage.
  assert.ok(compactGrowth < 2 * VECTOR_BYTES, `compaction: RSS less the heap grew ${compactGrowth} bytes`);
}
