/**
 * kill -9 soak of a real server process (anchors: Qdrant's crasher, Milvus' chaos checkers).
 * Each cycle: start `dist/src/server/main.js` on the same data dir and port, check every
 * invariant against the client-side model (check.ts), let three SDK clients insert, upsert and
 * delete concurrently while the nemesis provokes a flush, compaction, index build or load, and
 * SIGKILL the server at a random moment; some cycles also kill the next start while it replays.
 * CI: 100 cycles; SEXTANT_SOAK=long (`npm run soak`): 1,000.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { DataType, type MilvusClient } from '@zilliz/milvus2-sdk-node';
import { seededRandom } from '../../src/core/random.js';
import { makeTempDir } from '../support/tmp.js';
import { COLLECTION, checkAgainstModel, noViolations, type Violations } from './check.js';
import { DIM, PkModel } from './model.js';
import { PHASES, killDuringRecovery, newKillStats, strike, type Phase } from './nemesis.js';
import { startServer } from './server-proc.js';
import { Writer, newCounts, sdkClient } from './writers.js';

const LONG = process.env['SEXTANT_SOAK'] === 'long';
const CYCLES = Number(process.env['SEXTANT_SOAK_CYCLES'] ?? (LONG ? 1000 : 100));
const SEED = Number(process.env['SEXTANT_SOAK_SEED'] ?? 20261204);
const WRITERS = 3;
const PK_SPACE = LONG ? 12_000 : 3_000;
const SAMPLE = 6;

async function must(p: Promise<{ error_code?: string | number; reason?: string }>, what: string): Promise<void> {
  const s = await p;
  assert.equal(s.error_code, 'Success', `${what}: ${s.reason ?? ''}`);
}

async function setup(c: MilvusClient): Promise<void> {
  await must(c.createCollection({
    collection_name: COLLECTION,
    consistency_level: 'Strong',
    fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false },
      { name: 'ver', data_type: DataType.Int64 },
      { name: 'vec', data_type: DataType.FloatVector, dim: DIM },
    ],
  }), 'createCollection');
  await must(c.createIndex({ collection_name: COLLECTION, field_name: 'vec', index_type: 'HNSW', metric_type: 'L2', params: { M: 8, efConstruction: 64 } }), 'createIndex');
  await must(c.loadCollectionAsync({ collection_name: COLLECTION }), 'loadCollection');
}

function add(total: Violations, v: Violations): void {
  for (const k of Object.keys(total) as (keyof Violations)[]) total[k] += v[k];
}

function percentile(xs: number[], p: number): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0;
}

test(`kill -9 soak: ${CYCLES} cycles of SIGKILL under concurrent writers lose, resurrect and duplicate nothing`, { timeout: LONG ? Infinity : 600_000 }, async (t) => {
  const dir = await makeTempDir();
  const rand = seededRandom(SEED);
  const model = new PkModel();
  const writers = Array.from({ length: WRITERS }, (_, i) => new Writer(i, WRITERS, PK_SPACE, model, seededRandom(SEED + 1 + i)));
  const counts = newCounts();
  const kills = newKillStats();
  const total = noViolations();
  const startupMs: number[] = [];
  let port = 0;
  let cycle = 0;
  let failure: string | null = null;
  const started = performance.now();
  try {
    for (; cycle < CYCLES && failure === null; cycle++) {
      const server = await startServer(dir, port);
      port = server.port;
      startupMs.push(server.startupMs);
      const clients = Array.from({ length: WRITERS + 1 }, () => sdkClient(port));
      const nc = clients[WRITERS]!;
      if (cycle === 0) await setup(nc);
      else await must(nc.loadCollectionAsync({ collection_name: COLLECTION }), `loadCollection after restart (cycle ${cycle})`);
      const checked = await checkAgainstModel(nc, model, SAMPLE, rand).catch((e: unknown) => {
        throw new Error(`check after restart (cycle ${cycle}) failed: ${String(e)}`);
      });
      add(total, checked.violations);
      if (checked.details.length > 0) failure = `cycle ${cycle}:\n  ${checked.details.join('\n  ')}`;

      const phase: Phase = PHASES[Math.floor(rand() * PHASES.length)]!;
      if (process.env['SEXTANT_SOAK_DEBUG']) console.log(`# cycle ${cycle} ${phase} startup ${server.startupMs.toFixed(0)} ms`);
      let killed = false;
      const loops = writers.map((w, i) => w.run(clients[i]!, () => killed, counts));
      await strike(phase, nc, server, 60 + rand() * 300, rand, kills, () => { killed = true; }).catch((e: unknown) => {
        throw new Error(`nemesis (${phase}, cycle ${cycle}) failed: ${String(e)}\n${server.output()}`);
      });
      await Promise.all(loops);
      for (const c of clients) await c.closeConnection().catch(() => undefined);
      if (phase === 'recovery') await killDuringRecovery(dir, port, 1.2 * percentile(startupMs, 0.5), rand, kills);
      if (cycle % 50 === 49) console.log(`# cycle ${cycle + 1}: ${model.size} pks, ${checked.live} live, startup p50 ${percentile(startupMs, 0.5).toFixed(0)} ms`);
    }
    // The final restart: the last cycle's kill is checked too.
    const server = await startServer(dir, port);
    const nc = sdkClient(server.port);
    await must(nc.loadCollectionAsync({ collection_name: COLLECTION }), 'final loadCollection');
    const last = await checkAgainstModel(nc, model, 50, rand);
    add(total, last.violations);
    if (last.details.length > 0 && failure === null) failure = `final check:\n  ${last.details.join('\n  ')}`;
    await nc.closeConnection();
    await server.kill9();

    const lines = [
      `kill -9 soak (seed ${SEED}): ${cycle} cycles in ${((performance.now() - started) / 1000).toFixed(1)} s, ${WRITERS} SDK writers, pk space ${PK_SPACE}, ${last.live} live rows at the end`,
      `ops acknowledged: insert ${counts.insert}, upsert ${counts.upsert}, delete ${counts.delete}; uncertain (in flight at a kill) ${counts.uncertain}; errors from a live server ${counts.errors}`,
      `kills targeted: ${PHASES.map((p) => `${p} ${kills.targeted[p]}`).join(', ')}`,
      `kills landing while the targeted operation was unacknowledged/running: ${PHASES.filter((p) => p !== 'steady').map((p) => `${p} ${kills.during[p]}`).join(', ')}`,
      `server startup ms: p50 ${percentile(startupMs, 0.5).toFixed(0)}, p99 ${percentile(startupMs, 0.99).toFixed(0)}, max ${Math.max(...startupMs).toFixed(0)}`,
      `rows lost ${total.lost}, resurrected deletes ${total.resurrected}, duplicate pks ${total.duplicates}, stale versions ${total.stale}, never-written rows ${total.unexpected}, vector mismatches ${total.vectorMismatch}, index/data disagreements ${total.indexDisagreements}`,
    ];
    for (const l of lines) { t.diagnostic(l); console.log(`# ${l}`); }
    assert.equal(failure, null, failure ?? '');
    assert.equal(counts.errors, 0, 'a live server refused writes');
    assert.ok(counts.insert + counts.upsert + counts.delete > CYCLES * 5, 'the writers acknowledged too little to mean anything');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
