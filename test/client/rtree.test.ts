/**
 * RTREE on a Geometry field end to end through the embedded client: Milvus's refusal on another
 * field type, one index file per sealed segment, loaded with the segment and used by the filter
 * planner (indexPlanStats), the same rows as the scan for every spatial operator, and the index
 * loaded again from its file after a restart.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { open, DataType, IndexType, MetricType } from '../../src/client/index.js';
import { indexPlanStats } from '../../src/expr/index-plan.js';
import { removeDir, rng, tempDir } from './helpers.js';

const C = 'places';
const ROWS = 2000;
let dir: string;
before(async () => { dir = await tempDir(); });
after(async () => { await removeDir(dir); });

function wktOf(id: number, r: () => number): string {
  if (id === 3) return 'POLYGON ((0.5 0.5, 1.5 0.5, 1.5 1.5, 0.5 1.5, 0.5 0.5))';
  const x = (r() * 20 - 10).toFixed(3), y = (r() * 20 - 10).toFixed(3);
  if (id % 3 !== 0) return `POINT (${x} ${y})`;
  const x0 = Number(x), y0 = Number(y), w = 0.1 + r() * 0.5;
  return `POLYGON ((${x0} ${y0}, ${x0 + w} ${y0}, ${x0 + w} ${y0 + w}, ${x0} ${y0 + w}, ${x0} ${y0}))`;
}

const FILTERS = [
  `ST_WITHIN(geo, 'POLYGON ((0 0, 2 0, 2 2, 0 2, 0 0))')`,
  `ST_INTERSECTS(geo, 'LINESTRING (-5 -5, -3 -3)')`,
  `st_contains(geo, 'POINT (1 1)')`,
  `ST_DWITHIN(geo, 'POINT (3 3)', 60000) and id > 100`,
  `ST_OVERLAPS(geo, 'POLYGON ((4 4, 6 4, 6 6, 4 6, 4 4))') or id == 7`,
];

async function answers(client: Awaited<ReturnType<typeof open>>): Promise<string[]> {
  const out: string[] = [];
  for (const filter of FILTERS) {
    const q = await client.query({ collection_name: C, filter, output_fields: ['id'], limit: 16384 });
    assert.equal(q.status.error_code, 'Success', `${filter}: ${q.status.reason}`);
    out.push(q.data.map((x) => Number(x['id'])).sort((a, b) => a - b).join(','));
  }
  return out;
}

test('RTREE: validation, index files, indexed spatial queries equal to the scan, reload after restart', async () => {
  const r = rng(16);
  const rows = Array.from({ length: ROWS }, (_, id) => ({ id, geo: wktOf(id, r), vec: [r(), r()] }));
  let client = await open(dir);
  let scanned: string[];
  try {
    await client.createCollection({ collection_name: C, fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true },
      { name: 'geo', data_type: DataType.Geometry },
      { name: 'vec', data_type: DataType.FloatVector, dim: 2 },
    ] });
    const bad = await client.createIndex({ collection_name: C, field_name: 'id', index_type: 'RTREE' } as never);
    assert.equal(bad.code, 1100);
    assert.match(bad.reason, /RTREE index can only be built on geometry field, got Int64/);
    await client.insert({ collection_name: C, data: rows });
    await client.flush({ collection_names: [C] });
    await client.createIndex({ collection_name: C, field_name: 'vec', index_type: IndexType.FLAT, metric_type: MetricType.L2 });
    await client.loadCollectionSync({ collection_name: C });
    const b0 = indexPlanStats.indexed;
    scanned = await answers(client);
    assert.equal(indexPlanStats.indexed, b0, 'no index yet: every filter scans');
    assert.ok(scanned.every((s) => s.length > 0), `every filter matches some rows: ${JSON.stringify(scanned)}`);
    await client.releaseCollection({ collection_name: C });
    const st = await client.createIndex({ collection_name: C, field_name: 'geo', index_type: 'RTREE' } as never);
    assert.equal(st.error_code, 'Success', st.reason);
    for (let i = 0; i < 200; i++) {
      const d = await client.describeIndex({ collection_name: C, field_name: 'geo' });
      if (d.index_descriptions[0]?.state === 'Finished') break;
      await new Promise((res) => setTimeout(res, 50));
    }
    const files = (await readdir(dir, { recursive: true })).filter((f) => String(f).endsWith('.sxi'));
    assert.equal(files.length, 1, `one RTREE file for the one sealed segment: ${files.join(', ')}`);
    await client.loadCollectionSync({ collection_name: C });
    const b1 = indexPlanStats.indexed;
    assert.deepEqual(await answers(client), scanned);
    assert.equal(indexPlanStats.indexed - b1, FILTERS.length, 'every spatial filter answered through the RTREE');
  } finally {
    await client.close();
  }
  client = await open(dir);
  try {
    await client.loadCollectionSync({ collection_name: C });
    const b2 = indexPlanStats.indexed;
    assert.deepEqual(await answers(client), scanned);
    assert.equal(indexPlanStats.indexed - b2, FILTERS.length, 'the RTREE is loaded from its file after a restart');
  } finally {
    await client.close();
  }
});
