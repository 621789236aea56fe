/**
 * Sustained load (reliability campaign): a real server process (dist/src/server/main.js) on a temp
 * dir, 16 concurrent SDK clients over gRPC running a mixed insert / search / query / delete workload
 * on an HNSW collection (plus a compaction every few seconds, as Milvus compacts by itself), the
 * server's RSS sampled from /proc, and a crowd of idle and slow raw TCP connections (both ports) in
 * the middle of the run. Phases: warm-up, base, crowd (same workload with the crowd open), tail.
 *
 * Asserted: every operation is acknowledged with Success and reads see the client's own writes
 * (query of the ids it just inserted); the final count and samples of live / deleted ids match what
 * was acknowledged; throughput with the crowd open is >= 50% of the base phase and a new client
 * and /healthz still answer during it; RSS at the end is within RSS_BOUND of RSS after warm-up (each
 * the median of the samples over WINDOW_S: the main thread's V8 heap alone swings by 20-30 MiB
 * between two samples, with its garbage collections); the server is healthy at the end and exits 0 on
 * SIGTERM. What the RSS is made of (malloc arenas, wasm memories, V8 heaps) is printed at both ends.
 * CI: ~60 s, 300 crowd sockets. SEXTANT_SOAK=long: 10 minutes, 2,000 crowd sockets.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataType, MilvusClient } from '@zilliz/milvus2-sdk-node';
import { makeTempDir } from '../support/tmp.js';
import { rm } from 'node:fs/promises';
import {
  formatByKind, healthz, medianIn, memoryByKind, openCrowd, PhaseStats, rssMiB, startServer, stopServer, type Crowd, type ServerProcess,
} from './load-support.js';

const LONG = process.env['SEXTANT_SOAK'] === 'long';
const CFG = LONG
  ? { warmupS: 120, baseS: 150, crowdS: 150, tailS: 180, crowd: 2000, rssEveryS: 5, compactEveryS: 30, windowS: 60 }
  : { warmupS: 10, baseS: 12, crowdS: 12, tailS: 16, crowd: 300, rssEveryS: 1, compactEveryS: 10, windowS: 8 };
/**
 * Long: the campaign's 10%. CI: 100% (a gross leak, such as memory kept per connection or per
 * operation): one minute with 10 s of warm-up is too short for the heap, the glibc arenas of the
 * worker threads and the wasm memories of compacted segments to settle (measured +28% to +36% in
 * CI; see docs/RELIABILITY.md for the long run).
 */
// Long warm-up is 2 minutes: the main thread's V8 young generation doubles from 16 to its 32 MiB
// maximum about 30 s after a 1-minute warm-up (measured), which is growth to a ceiling, not a leak.
const RSS_BOUND = LONG ? 0.10 : 1.0;
const CLIENTS = 16;
const DIM = 32;
const ROWS_PER_CLIENT = 1000;
const BATCH = 10;
const C = 'load';

interface ClientState { client: MilvusClient; live: number[]; nextId: number; deleted: number[] }

function randomVector(): number[] {
  const v: number[] = [];
  for (let d = 0; d < DIM; d++) v.push(Math.random() * 2 - 1);
  return v;
}

function rows(ids: readonly number[]): { id: number; vec: number[]; tag: number }[] {
  return ids.map((id) => ({ id, vec: randomVector(), tag: id % 100 }));
}

async function setUp(address: string): Promise<ClientState[]> {
  const admin = new MilvusClient({ address, logLevel: 'error' });
  const created = await admin.createCollection({
    collection_name: C,
    fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true },
      { name: 'vec', data_type: DataType.FloatVector, dim: DIM },
      { name: 'tag', data_type: DataType.Int64 },
    ],
    index_params: [{ field_name: 'vec', index_type: 'HNSW', metric_type: 'L2', params: { M: 16, efConstruction: 64 } }],
  });
  assert.equal(created.error_code, 'Success', created.reason);
  assert.equal((await admin.loadCollectionSync({ collection_name: C })).error_code, 'Success');
  await admin.closeConnection();
  const states: ClientState[] = [];
  for (let c = 0; c < CLIENTS; c++) {
    const st: ClientState = { client: new MilvusClient({ address, logLevel: 'error' }), live: [], nextId: c * 10_000_000, deleted: [] };
    const ids = Array.from({ length: ROWS_PER_CLIENT }, () => st.nextId++);
    const ins = await st.client.insert({ collection_name: C, data: rows(ids) });
    assert.equal(ins.status.error_code, 'Success', ins.status.reason);
    st.live.push(...ids);
    states.push(st);
  }
  return states;
}

/** One operation of the mix; throws with the reason when it was not acknowledged as it should be. */
async function oneOp(st: ClientState, stats: PhaseStats): Promise<void> {
  const r = Math.random();
  const op = st.live.length < ROWS_PER_CLIENT - 100 ? 'insert' : st.live.length > ROWS_PER_CLIENT + 100 ? 'delete'
    : r < 0.2 ? 'insert' : r < 0.4 ? 'delete' : r < 0.8 ? 'search' : 'query';
  const t0 = performance.now();
  try {
    if (op === 'insert') {
      const ids = Array.from({ length: BATCH }, () => st.nextId++);
      const res = await st.client.insert({ collection_name: C, data: rows(ids) });
      if (res.status.error_code !== 'Success') throw new Error(res.status.reason);
      st.live.push(...ids);
    } else if (op === 'delete') {
      const ids = st.live.splice(0, BATCH);
      const res = await st.client.delete({ collection_name: C, filter: `id in [${ids.join(',')}]` });
      if (res.status.error_code !== 'Success') throw new Error(res.status.reason);
      st.deleted.push(...ids);
      if (st.deleted.length > 200) st.deleted.splice(0, st.deleted.length - 200);
    } else if (op === 'search') {
      const res = await st.client.search({ collection_name: C, data: randomVector(), limit: 10, params: { ef: 64 } });
      if (res.status.error_code !== 'Success') throw new Error(res.status.reason);
      if (res.results.length !== 10) throw new Error(`search found ${res.results.length} hits`);
    } else {
      const ids = st.live.slice(-5);
      const res = await st.client.query({ collection_name: C, filter: `id in [${ids.join(',')}]`, output_fields: ['tag'] });
      if (res.status.error_code !== 'Success') throw new Error(res.status.reason);
      if (res.data.length !== ids.length) throw new Error(`query of its own ${ids.length} latest ids found ${res.data.length}`);
    }
    stats.record(op, performance.now() - t0);
  } catch (e) {
    stats.fail(op, e instanceof Error ? e.message : String(e));
  }
}

/** Every client runs operations back to back until `untilMs`. */
async function runPhase(states: ClientState[], seconds: number): Promise<PhaseStats> {
  const stats = new PhaseStats();
  const untilMs = performance.now() + seconds * 1000;
  await Promise.all(states.map(async (st) => {
    while (performance.now() < untilMs) await oneOp(st, stats);
  }));
  stats.endMs = performance.now();
  return stats;
}

interface Background { rss: { tS: number; mib: number }[]; compactions: number; compactFailures: string[]; stop(): Promise<void> }

/** RSS sampler and the periodic compaction. */
function background(server: ServerProcess, address: string, t0: number): Background {
  const bg: Background = { rss: [], compactions: 0, compactFailures: [], stop: async () => undefined };
  const sample = async (): Promise<void> => { bg.rss.push({ tS: (performance.now() - t0) / 1000, mib: await rssMiB(server.pid) }); };
  const rssTimer = setInterval(() => { void sample().catch(() => undefined); }, CFG.rssEveryS * 1000);
  const admin = new MilvusClient({ address, logLevel: 'error' });
  let busy: Promise<void> = Promise.resolve();
  const compactTimer = setInterval(() => {
    busy = busy.then(async () => {
      const res = await admin.compact({ collection_name: C });
      if (res.status.error_code === 'Success') bg.compactions++;
      else bg.compactFailures.push(res.status.reason);
    }).catch((e: unknown) => { bg.compactFailures.push(String(e)); });
  }, CFG.compactEveryS * 1000);
  bg.stop = async () => {
    clearInterval(rssTimer);
    clearInterval(compactTimer);
    await busy;
    await admin.closeConnection();
  };
  return bg;
}

/** The crowd on both ports: main port HTTP/1 + HTTP/2-preface trickles, http port HTTP/1 trickles. */
async function openCrowds(server: ServerProcess, n: number): Promise<Crowd[]> {
  const h1 = 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ';
  return [
    await openCrowd(server.port, Math.floor(n / 4), h1),
    await openCrowd(server.port, Math.floor(n / 4), 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
    await openCrowd(server.httpPort, n - 2 * Math.floor(n / 4), h1),
  ];
}

/** While the crowd is open: a new SDK client connects and answers, /healthz answers. */
async function newcomerMs(address: string, httpPort: number): Promise<{ sdkMs: number; health: string; healthMs: number }> {
  const t0 = performance.now();
  const fresh = new MilvusClient({ address, logLevel: 'error' });
  const listed = await fresh.listCollections();
  assert.equal(listed.status.error_code, 'Success', listed.status.reason);
  const sdkMs = performance.now() - t0;
  await fresh.closeConnection();
  const t1 = performance.now();
  const health = await healthz(httpPort);
  return { sdkMs, health, healthMs: performance.now() - t1 };
}

async function finalChecks(states: ClientState[], address: string): Promise<string> {
  const c = new MilvusClient({ address, logLevel: 'error' });
  try {
    const expected = states.reduce((n, s) => n + s.live.length, 0);
    const count = await c.query({ collection_name: C, filter: '', output_fields: ['count(*)'] });
    assert.equal(count.status.error_code, 'Success', count.status.reason);
    const got = Number(count.data[0]?.['count(*)']);
    const deleted = states.flatMap((s) => s.deleted);
    const back = await c.query({ collection_name: C, filter: `id in [${deleted.join(',')}]`, output_fields: ['id'] });
    const sample = states.flatMap((s) => s.live.filter((_, i) => i % 50 === 0));
    const found = await c.query({ collection_name: C, filter: `id in [${sample.join(',')}]`, output_fields: ['id'] });
    const health = await c.checkHealth();
    assert.equal(got, expected, `count(*) ${got} = acknowledged live rows ${expected}`);
    assert.equal(back.data.length, 0, `none of ${deleted.length} acknowledged deletes is back`);
    assert.equal(found.data.length, sample.length, `every sampled live row (${sample.length}) is found`);
    assert.equal(health.isHealthy, true, `CheckHealth: ${JSON.stringify(health.reasons)}`);
    return `final: count(*) ${got} = ${expected} acknowledged live rows; ${deleted.length} deleted ids absent; ${sample.length} sampled live ids found; CheckHealth healthy`;
  } finally {
    await c.closeConnection();
  }
}

test(`sustained load: ${CLIENTS} SDK clients, mixed ops, ${CFG.crowd} idle/slow connections, RSS (${LONG ? 'long' : 'CI'})`, { timeout: LONG ? 1_800_000 : 300_000 }, async (t) => {
  const dir = await makeTempDir();
  const server = await startServer(dir);
  const address = `127.0.0.1:${server.port}`;
  const states = await setUp(address);
  const t0 = performance.now();
  const bg = background(server, address, t0);
  try {
    const say = (m: string): void => t.diagnostic(m);
    const warm = await runPhase(states, CFG.warmupS);
    const rssWarm = await rssMiB(server.pid);
    const warmS = (performance.now() - t0) / 1000;
    const kindsWarm = await memoryByKind(server.pid);
    say(warm.summary('warm-up'));
    const base = await runPhase(states, CFG.baseS);
    say(base.summary('base'));
    const crowds = await openCrowds(server, CFG.crowd);
    say(`crowd open: ${crowds.reduce((n, c) => n + c.open(), 0)} sockets; RSS ${(await rssMiB(server.pid)).toFixed(0)} MiB`);
    const crowdStats = await runPhase(states, CFG.crowdS);
    // After the phase: a new MilvusClient costs the driving process ~1 s of CPU (the SDK loads its protos).
    const newcomer = await newcomerMs(address, server.httpPort);
    say(crowdStats.summary('crowd'));
    say(`during the crowd: new SDK client answered in ${newcomer.sdkMs.toFixed(0)} ms; /healthz "${newcomer.health}" in ${newcomer.healthMs.toFixed(0)} ms;`
      + ` crowd sockets closed by the server: ${crowds.map((c) => c.closedByServer()).join(' / ')} (main h1 / main h2 / http h1), RSS ${(await rssMiB(server.pid)).toFixed(0)} MiB`);
    for (const c of crowds) await c.close();
    const tail = await runPhase(states, CFG.tailS);
    say(tail.summary('tail'));
    const rssEnd = await rssMiB(server.pid);
    const endS = (performance.now() - t0) / 1000;
    const kindsEnd = await memoryByKind(server.pid);
    await bg.stop();
    const medWarm = medianIn(bg.rss, warmS, warmS + CFG.windowS), medEnd = medianIn(bg.rss, endS - CFG.windowS, endS);
    const pct = (a: number, b: number): string => `${(((b - a) / a) * 100).toFixed(1)}%`;
    say(`RSS MiB, median of the ${CFG.windowS} s after warm-up ${medWarm.toFixed(1)}, of the last ${CFG.windowS} s ${medEnd.toFixed(1)} (${pct(medWarm, medEnd)}); `
      + `single samples: after warm-up ${rssWarm.toFixed(1)}, at the end ${rssEnd.toFixed(1)} (${pct(rssWarm, rssEnd)}); compactions ${bg.compactions}`);
    say(`RSS by kind (MiB) after warm-up: ${formatByKind(kindsWarm)}`);
    say(`RSS by kind (MiB) at the end: ${formatByKind(kindsEnd)}`);
    const step = Math.max(1, Math.round(bg.rss.length / 40));
    say(`RSS samples (t s: MiB): ${bg.rss.filter((_, i) => i % step === 0).map((s) => `${s.tS.toFixed(0)}:${s.mib.toFixed(0)}`).join(' ')}`);
    say(await finalChecks(states, address));
    for (const s of [warm, base, crowdStats, tail]) assert.deepEqual(s.failures, [], 'every operation was acknowledged');
    assert.deepEqual(bg.compactFailures, [], 'every compaction succeeded');
    assert.ok(crowdStats.opsPerSec() >= 0.5 * base.opsPerSec(), `the crowd does not starve the clients (${crowdStats.opsPerSec().toFixed(0)} vs ${base.opsPerSec().toFixed(0)} ops/s)`);
    assert.equal(newcomer.health, '200 OK');
    assert.ok(Math.abs(medEnd - medWarm) <= RSS_BOUND * medWarm, `RSS at the end within ${RSS_BOUND * 100}% of RSS after warm-up (medians over ${CFG.windowS} s)`);
    assert.equal((await healthz(server.httpPort)), '200 OK');
  } finally {
    await bg.stop().catch(() => undefined);
    for (const s of states) await s.client.closeConnection();
    const code = await stopServer(server);
    await rm(dir, { recursive: true, force: true });
    assert.equal(code, 0, `server exits 0 on SIGTERM: ${server.output().slice(-2000)}`);
  }
});
