/**
 * REST v2 doors of #16 on a real server: `snapshots/*` (create, list, describe, pin, unpin, drop,
 * restore) and `jobs/external_collection/*` (an external collection created with externalSource /
 * externalSpec / externalField, refreshed from local Parquet files), in Milvus' JSON shapes; and
 * Timestamptz values written out as RFC 3339 text in the collection's zone (query and search).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeParquet } from '../support/parquet-lake.js';
import { okData, rows, startRest, type RestHarness } from './helpers.js';

let h: RestHarness;
let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'sextant-rest-lake-'));
  h = await startRest({ importRoot: root });
});
after(async () => {
  await h.stop();
  await rm(root, { recursive: true, force: true });
  assert.deepEqual(h.unexpected, []);
});

const schemaBody = (collectionName: string) => ({
  collectionName,
  schema: {
    autoID: false,
    fields: [
      { fieldName: 'id', dataType: 'Int64', isPrimary: true },
      { fieldName: 'ts', dataType: 'Timestamptz', nullable: true },
      { fieldName: 'v', dataType: 'FloatVector', elementTypeParams: { dim: 2 } },
    ],
  },
  indexParams: [{ fieldName: 'v', indexName: 'v_idx', metricType: 'L2', params: { index_type: 'FLAT' } }],
});

test('Timestamptz leaves REST v2 as RFC 3339 text in the database/collection zone (query, search), null as null', async () => {
  okData(await h.v2('databases/create', { dbName: 'zoned', properties: { timezone: 'Asia/Shanghai' } }));
  okData(await h.v2('collections/create', { ...schemaBody('tz'), dbName: 'zoned' }));
  okData(await h.v2('collections/create', schemaBody('utc')));
  for (const [dbName, c] of [['zoned', 'tz'], ['default', 'utc']]) {
    okData(await h.v2('entities/insert', { dbName, collectionName: c, data: [{ id: 1, ts: '2025-01-01T00:00:00Z', v: [0, 0] }, { id: 2, ts: null, v: [1, 1] }] }));
  }
  const q = rows(await h.v2('entities/query', { dbName: 'zoned', collectionName: 'tz', filter: 'id > 0', outputFields: ['id', 'ts'], limit: 10 }));
  assert.deepEqual(q.sort((a, b) => Number(a['id']) - Number(b['id'])).map((r) => r['ts']), ['2025-01-01T08:00:00+08:00', null]);
  const u = rows(await h.v2('entities/query', { collectionName: 'utc', filter: 'id == 1', outputFields: ['ts'] }));
  assert.equal(u[0]!['ts'], '2025-01-01T00:00:00Z');
  const s = rows(await h.v2('entities/search', { dbName: 'zoned', collectionName: 'tz', data: [[0, 0]], limit: 1, outputFields: ['ts'] }));
  assert.equal(s[0]!['ts'], '2025-01-01T08:00:00+08:00');
});

test('snapshots/*: create, list, describe, pin blocks drop, unpin, restore into a new collection', async () => {
  okData(await h.v2('collections/create', schemaBody('src')));
  okData(await h.v2('entities/insert', { collectionName: 'src', data: [{ id: 1, ts: null, v: [0, 0] }, { id: 2, ts: null, v: [1, 1] }, { id: 3, ts: null, v: [2, 2] }] }));
  okData(await h.v2('snapshots/create', { collectionName: 'src', snapshotName: 's1', description: 'first' }));
  const dup = await h.v2('snapshots/create', { collectionName: 'src', snapshotName: 's1' });
  assert.equal(dup.code, 1100);
  assert.deepEqual(okData(await h.v2('snapshots/list', { collectionName: 'src' })), ['s1']);
  const d = okData(await h.v2('snapshots/describe', { collectionName: 'src', snapshotName: 's1' })) as Record<string, unknown>;
  assert.deepEqual([d['snapshotName'], d['description'], d['collectionName'], d['partitionNames']], ['s1', 'first', 'src', ['_default']]);
  assert.ok(typeof d['createTs'] === 'number' || typeof d['createTs'] === 'string');

  const pin = okData(await h.v2('snapshots/pin', { collectionName: 'src', snapshotName: 's1', ttlSeconds: 60 })) as { pinId: unknown };
  const pinned = await h.v2('snapshots/drop', { collectionName: 'src', snapshotName: 's1' });
  assert.equal(pinned.code, 1100);
  assert.match(pinned.message ?? '', /snapshot s1 is pinned/);
  const badPin = await h.v2('snapshots/unpin', { pinId: 'x1' });
  assert.equal(badPin.code, 1100);
  assert.match(badPin.message ?? '', /pinId must be a positive decimal int64/);
  okData(await h.v2('snapshots/unpin', { pinId: String(pin.pinId) }));

  okData(await h.v2('entities/delete', { collectionName: 'src', filter: 'id == 1' }));
  const r = okData(await h.v2('snapshots/restore', { snapshotName: 's1', sourceCollectionName: 'src', targetCollectionName: 'copy' })) as { jobId: unknown };
  assert.ok(Number(r.jobId) > 0);
  okData(await h.v2('indexes/create', { collectionName: 'copy', indexParams: [{ fieldName: 'v', indexName: 'v_idx', metricType: 'L2', params: { index_type: 'FLAT' } }] }));
  okData(await h.v2('collections/load', { collectionName: 'copy' }));
  const copied = rows(await h.v2('entities/query', { collectionName: 'copy', filter: 'id > 0', outputFields: ['id'], limit: 10 }));
  assert.deepEqual(copied.map((x) => Number(x['id'])).sort(), [1, 2, 3], 'the restore has the rows the snapshot was taken with');
  okData(await h.v2('snapshots/drop', { collectionName: 'src', snapshotName: 's1' }));
  assert.deepEqual(okData(await h.v2('snapshots/list', { collectionName: 'src' })), []);
});

test('jobs/external_collection/*: create with externalSource/externalSpec/externalField, refresh, progress, list', async () => {
  await writeParquet(join(root, 'lake'), 3, 'r');
  // A local source ignores extfs; its secrets must still never be shown.
  const spec = JSON.stringify({ format: 'parquet', extfs: { access_key_id: 'AKIDREST', access_key_value: 'rest-secret', region: 'r1' } });
  const redacted = JSON.stringify({ format: 'parquet', extfs: { access_key_id: '***', access_key_value: '***', region: 'r1' } });
  okData(await h.v2('collections/create', {
    collectionName: 'ext',
    schema: {
      externalSource: 'lake/', externalSpec: spec,
      fields: [
        { fieldName: 'pid', dataType: 'Int64', externalField: 'id' },
        { fieldName: 'name', dataType: 'VarChar', elementTypeParams: { max_length: 64 }, externalField: 'title' },
        { fieldName: 'v', dataType: 'FloatVector', elementTypeParams: { dim: 4 }, externalField: 'vector' },
      ],
    },
    indexParams: [{ fieldName: 'v', indexName: 'v_idx', metricType: 'L2', params: { index_type: 'FLAT' } }],
  }));
  const d = okData(await h.v2('collections/describe', { collectionName: 'ext' })) as { externalSource: string; externalSpec: string; fields: { name: string; externalField?: string }[] };
  assert.equal(d.externalSource, 'lake/');
  assert.equal(d.externalSpec, redacted);
  assert.deepEqual(d.fields.map((f) => [f.name, f.externalField]), [['pid', 'id'], ['name', 'title'], ['v', 'vector'], ['__virtual_pk__', undefined]]);

  const { jobId } = okData(await h.v2('jobs/external_collection/refresh', { collectionName: 'ext' })) as { jobId: string };
  let job: Record<string, unknown> = {};
  for (let i = 0; i < 500; i++) {
    job = okData(await h.v2('jobs/external_collection/get_progress', { jobId })) as Record<string, unknown>;
    if (job['state'] === 'Completed' || job['state'] === 'Failed') break;
    await new Promise((res) => setTimeout(res, 20));
  }
  assert.equal(job['state'], 'Completed', String(job['reason']));
  assert.equal(job['collectionName'], 'ext');
  assert.equal(job['externalSpec'], redacted);
  assert.ok(!JSON.stringify(okData(await h.v2('jobs/external_collection/describe', { jobId }))).includes('rest-secret'));
  const listed = okData(await h.v2('jobs/external_collection/list', { collectionName: 'ext' })) as { records: { jobId: string }[] };
  assert.deepEqual(listed.records.map((j) => j.jobId), [jobId]);
  const names = rows(await h.v2('entities/query', { collectionName: 'ext', filter: 'pid >= 0', outputFields: ['name'], limit: 10 }));
  assert.deepEqual(names.map((x) => x['name']).sort(), ['r0', 'r1', 'r2']);
  const missing = await h.v2('jobs/external_collection/get_progress', { jobId: '12345' });
  assert.notEqual(missing.code, 0);
});
