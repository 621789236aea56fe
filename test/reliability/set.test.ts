/**
 * Jepsen's set test across the wire: 4 SDK clients add unique elements (rows with fresh pks) over
 * gRPC while a nemesis SIGKILLs the server every few seconds and restarts it on the same data dir
 * and port. After a final restart, a query of everything must hold every acknowledged element and
 * nothing never attempted (failed or in-flight adds may go either way).
 * CI: ~15 s; SEXTANT_SOAK=long: 60 s.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { DataType, type MilvusClient } from '@zilliz/milvus2-sdk-node';
import { seededRandom } from '../../src/core/random.js';
import { makeTempDir } from '../support/tmp.js';
import { sleep, startServer, type ServerProc } from './server-proc.js';
import { sdkClient } from './writers.js';

const LONG = process.env['SEXTANT_SOAK'] === 'long';
const DURATION_MS = LONG ? 60_000 : 15_000;
const CLIENTS = 4;
const SET = 'set';

interface Tally { attempted: number; acked: Set<number>; uncertain: Set<number> }

async function adder(id: number, port: () => number, stopAt: number, tally: Tally): Promise<void> {
  let client: MilvusClient = sdkClient(port());
  let seq = 0;
  while (performance.now() < stopAt) {
    const el = id * 10_000_000 + seq++;
    tally.attempted++;
    let ok = false;
    try {
      const r = await client.insert({ collection_name: SET, data: [{ id: el, vec: [el % 97, 1] }] });
      ok = r.status.error_code === 'Success';
    } catch {
      ok = false;
    }
    if (ok) {
      tally.acked.add(el);
      continue;
    }
    tally.uncertain.add(el);
    // The server is down or restarting: reconnect with a fresh client (grpc-js backs off otherwise).
    await client.closeConnection().catch(() => undefined);
    await sleep(50);
    client = sdkClient(port());
  }
  await client.closeConnection().catch(() => undefined);
}

test(`set test: ${CLIENTS} SDK clients add unique elements for ${DURATION_MS / 1000} s under a kill -9 / restart nemesis`, { timeout: LONG ? Infinity : 300_000 }, async (t) => {
  const dir = await makeTempDir();
  const rand = seededRandom(Number(process.env['SEXTANT_SOAK_SEED'] ?? 7));
  let server: ServerProc & { port: number } = await startServer(dir, 0);
  const port = server.port;
  try {
    const setup = sdkClient(port);
    const created = await setup.createCollection({
      collection_name: SET,
      fields: [{ name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false }, { name: 'vec', data_type: DataType.FloatVector, dim: 2 }],
    });
    assert.equal(created.error_code, 'Success', created.reason);
    const indexed = await setup.createIndex({ collection_name: SET, field_name: 'vec', index_type: 'FLAT', metric_type: 'L2' });
    assert.equal(indexed.error_code, 'Success', indexed.reason);
    const loaded = await setup.loadCollectionAsync({ collection_name: SET });
    assert.equal(loaded.error_code, 'Success', loaded.reason);
    await setup.closeConnection();

    const tally: Tally = { attempted: 0, acked: new Set(), uncertain: new Set() };
    const stopAt = performance.now() + DURATION_MS;
    const adders = Array.from({ length: CLIENTS }, (_, i) => adder(i + 1, () => port, stopAt, tally));
    let kills = 0;
    while (performance.now() < stopAt) {
      await sleep(1500 + rand() * 2500);
      await server.kill9();
      kills++;
      server = await startServer(dir, port);
    }
    await Promise.all(adders);
    await server.kill9();
    kills++;

    server = await startServer(dir, port);
    const reader = sdkClient(port);
    const q = await reader.query({ collection_name: SET, filter: 'id >= 0', output_fields: ['id'] });
    assert.equal(q.status.error_code, 'Success', q.status.reason);
    const present = new Set<number>();
    let duplicates = 0;
    for (const r of q.data) {
      const el = Number(r['id']);
      if (present.has(el)) duplicates++;
      present.add(el);
    }
    await reader.closeConnection();
    let lost = 0;
    for (const el of tally.acked) if (!present.has(el)) lost++;
    let unexpected = 0;
    for (const el of present) if (!tally.acked.has(el) && !tally.uncertain.has(el)) unexpected++;
    let uncertainPresent = 0;
    for (const el of tally.uncertain) if (present.has(el)) uncertainPresent++;
    const line = `set test: ${kills} kills in ${DURATION_MS / 1000} s; adds attempted ${tally.attempted}, acknowledged ${tally.acked.size}, `
      + `uncertain ${tally.uncertain.size} (${uncertainPresent} present), present ${present.size}, lost ${lost}, unexpected ${unexpected}, duplicates ${duplicates}`;
    t.diagnostic(line);
    console.log(`# ${line}`);
    assert.equal(lost, 0, 'acknowledged adds lost');
    assert.equal(unexpected, 0, 'elements never written are present');
    assert.equal(duplicates, 0, 'an element is present twice');
    assert.ok(tally.acked.size > 50, `only ${tally.acked.size} adds acknowledged: the test exercised little`);
    assert.ok(kills >= 3, 'the nemesis struck too rarely');
  } finally {
    await server.kill9();
    await rm(dir, { recursive: true, force: true });
  }
});
