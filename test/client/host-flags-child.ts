/**
 * Child of host-flags.test.ts: run under the Node flags the test chose, it opens the data directory
 * in SEXTANT_TEST_DIR with the embedded client, builds three indexed sealed segments, loads and
 * searches them (two queries, so the HNSW walks go to the search pool) and prints one JSON line.
 */
import { isMainThread } from 'node:worker_threads';
import { open, DataType } from '../../src/client/index.js';
import type { SextantService } from '../../src/service/service.js';

const DIM = 16;
const SEGMENTS = 3;
const ROWS_PER_SEGMENT = 1500;
const C = 'flags';

function vector(id: number): number[] {
  const v: number[] = [];
  for (let d = 0; d < DIM; d++) v.push(Math.sin(id * 0.37 + d * 1.3));
  return v;
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(what);
}

async function main(): Promise<void> {
  const dir = process.env['SEXTANT_TEST_DIR'];
  check(dir !== undefined && isMainThread, 'SEXTANT_TEST_DIR is set');
  const client = await open(dir!);
  try {
    const created = await client.createCollection({
      collection_name: C,
      fields: [{ name: 'id', data_type: DataType.Int64, is_primary_key: true }, { name: 'vec', data_type: DataType.FloatVector, dim: DIM }],
    });
    check(created.error_code === 'Success', `create: ${created.reason}`);
    const indexed = await client.createIndex({ collection_name: C, field_name: 'vec', index_type: 'HNSW', metric_type: 'L2', params: { M: 8, efConstruction: 32 } });
    check(indexed.error_code === 'Success', `index: ${indexed.reason}`);
    for (let s = 0; s < SEGMENTS; s++) {
      const rows = Array.from({ length: ROWS_PER_SEGMENT }, (_, i) => ({ id: s * ROWS_PER_SEGMENT + i, vec: vector(s * ROWS_PER_SEGMENT + i) }));
      const ins = await client.insert({ collection_name: C, data: rows });
      check(ins.status.error_code === 'Success', `insert: ${ins.status.reason}`);
      await client.flushSync({ collection_names: [C] });
    }
    const total = SEGMENTS * ROWS_PER_SEGMENT;
    for (let tries = 0; ; tries++) {
      const d = await client.describeIndex({ collection_name: C, field_name: 'vec' });
      const idx = d.index_descriptions[0];
      check(d.status.error_code === 'Success' && idx !== undefined, `describeIndex: ${d.status.reason}`);
      if (idx!.state === 'Failed') throw new Error(`index build failed: ${idx!.index_state_fail_reason}`);
      if (idx!.indexed_rows === String(total)) break;
      check(tries < 600, `index built within 60 s (${idx!.indexed_rows} of ${total} rows)`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const loaded = await client.loadCollection({ collection_name: C });
    check(loaded.error_code === 'Success', `load: ${loaded.reason}`);
    const wanted = [7, total - 3];
    const res = await client.search({ collection_name: C, data: wanted.map(vector), limit: 3, params: { ef: 32 } });
    check(res.status.error_code === 'Success', `search: ${res.status.code} ${res.status.reason}`);
    const top = (res.results as unknown as { id: string }[][]).map((hits) => hits[0]?.id);
    const service = (client as unknown as { service: SextantService }).service;
    const tasks = service.engine.searchThreads.get()?.tasksDone ?? 0;
    console.log(JSON.stringify({ top, tasks, execArgv: process.execArgv }));
  } finally {
    await client.close();
  }
}

main().catch((e: unknown) => {
  console.log(JSON.stringify({ error: e instanceof Error ? e.message : String(e) }));
  process.exitCode = 1;
});
