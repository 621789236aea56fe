/**
 * The embedded client's #16 doors with the Node SDK's names and shapes: the nine snapshot methods,
 * an external collection (external_source / external_spec / external_field) refreshed from Parquet,
 * and Timestamptz written out as RFC 3339 text in the collection's zone (query and search).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DataType, open } from '../../src/client/index.js';
import { writeParquet } from '../support/parquet-lake.js';
import { withTempDir } from '../support/tmp.js';

const fields = [
  { name: 'id', data_type: DataType.Int64, is_primary_key: true },
  { name: 'ts', data_type: DataType.Timestamptz, nullable: true },
  { name: 'v', data_type: DataType.FloatVector, dim: 2 },
];

test('Timestamptz leaves the embedded client as RFC 3339 text in the collection zone', async () => {
  await withTempDir(async (dir) => {
    const client = await open(dir);
    try {
      assert.equal((await client.createCollection({ collection_name: 'tz', fields, properties: { timezone: 'America/New_York' } })).error_code, 'Success');
      await client.insert({ collection_name: 'tz', data: [{ id: 1, ts: '2025-07-01T12:00:00Z', v: [0, 0] }, { id: 2, ts: null, v: [1, 1] }] });
      await client.createIndex({ collection_name: 'tz', field_name: 'v', index_type: 'FLAT', metric_type: 'L2' });
      await client.loadCollection({ collection_name: 'tz' });
      const q = await client.query({ collection_name: 'tz', filter: 'id > 0', output_fields: ['id', 'ts'] });
      assert.deepEqual(q.data.sort((a, b) => Number(a['id']) - Number(b['id'])).map((r) => r['ts']), ['2025-07-01T08:00:00-04:00', null]);
      const utc = await client.query({ collection_name: 'tz', filter: 'id == 1', output_fields: ['ts'], timezone: 'UTC' } as never);
      assert.equal(utc.data[0]!['ts'], '2025-07-01T12:00:00Z', 'the request zone wins over the collection zone');
      const s = await client.search({ collection_name: 'tz', data: [0, 0], limit: 1, output_fields: ['ts'] });
      assert.equal(s.results[0]!['ts'], '2025-07-01T08:00:00-04:00');
    } finally {
      await client.close();
    }
  });
});

test('createSnapshot / list / describe / pin / unpin / restore / restore state and jobs / drop', async () => {
  await withTempDir(async (dir) => {
    const client = await open(dir);
    try {
      await client.createCollection({ collection_name: 'src', fields });
      await client.insert({ collection_name: 'src', data: [{ id: 1, ts: null, v: [0, 0] }, { id: 2, ts: null, v: [1, 1] }] });
      assert.equal((await client.createSnapshot({ collection_name: 'src', snapshot_name: 's1', description: 'd' })).error_code, 'Success');
      assert.deepEqual((await client.listSnapshots({ collection_name: 'src' })).snapshots, ['s1']);
      const d = await client.describeSnapshot({ collection_name: 'src', snapshot_name: 's1' });
      assert.deepEqual([d.status.error_code, d.name, d.description, d.collection_name, d.partition_names], ['Success', 's1', 'd', 'src', ['_default']]);
      const missing = await client.describeSnapshot({ collection_name: 'src', snapshot_name: 'nope' });
      assert.equal(missing.status.code, 1100);

      const pin = await client.pinSnapshotData({ collection_name: 'src', snapshot_name: 's1', ttl_seconds: 60 });
      assert.match(pin.pin_id, /^\d+$/);
      assert.match((await client.dropSnapshot({ collection_name: 'src', snapshot_name: 's1' })).reason, /snapshot s1 is pinned/);
      assert.equal((await client.unpinSnapshotData({ pin_id: pin.pin_id })).error_code, 'Success');

      const r = await client.restoreSnapshot({ snapshot_name: 's1', source_collection_name: 'src', target_collection_name: 'copy' });
      assert.equal(r.status.error_code, 'Success');
      const st = await client.getRestoreSnapshotState({ job_id: r.job_id });
      assert.deepEqual([st.info.state, st.info.progress, st.info.collection_name], ['RestoreSnapshotCompleted', 100, 'copy']);
      assert.deepEqual((await client.listRestoreSnapshotJobs()).jobs.map((j) => j.job_id), [r.job_id]);
      assert.equal((await client.getRestoreSnapshotState({ job_id: '999' })).status.code, 1100);
      assert.ok((await client.listCollections()).data.some((c) => c.name === 'copy'));
      assert.equal((await client.dropSnapshot({ collection_name: 'src', snapshot_name: 's1' })).error_code, 'Success');
      assert.deepEqual((await client.listSnapshots({ collection_name: 'src' })).snapshots, []);
    } finally {
      await client.close();
    }
  });
});

test('an external collection created and refreshed through the embedded client', async () => {
  await withTempDir(async (dir) => {
    await writeParquet(join(dir, 'import', 'lake'), 4, 'e');
    const client = await open(join(dir, 'data'), { importRoot: join(dir, 'import') });
    try {
      const created = await client.createCollection({
        collection_name: 'ext', external_source: 'lake/', external_spec: '{"format":"parquet"}',
        fields: [
          { name: 'pid', data_type: DataType.Int64, external_field: 'id' },
          { name: 'name', data_type: DataType.VarChar, max_length: 64, external_field: 'title' },
          { name: 'v', data_type: DataType.FloatVector, dim: 4, external_field: 'vector' },
        ],
      });
      assert.equal(created.error_code, 'Success', created.reason);
      const d = await client.describeCollection({ collection_name: 'ext' });
      assert.equal(d.schema!.external_source, 'lake/');
      assert.deepEqual(d.schema!.fields.map((f) => f.external_field), ['id', 'title', 'vector', '']);
      await client.createIndex({ collection_name: 'ext', field_name: 'v', index_type: 'FLAT', metric_type: 'L2' });
      await client.loadCollection({ collection_name: 'ext' });
      const r = await client.refreshExternalCollection({ collection_name: 'ext' });
      assert.equal(r.status.error_code, 'Success');
      let info = (await client.getRefreshExternalCollectionProgress({ job_id: r.job_id })).job_info;
      for (let i = 0; i < 500 && info.state !== 'RefreshCompleted' && info.state !== 'RefreshFailed'; i++) {
        await new Promise((res) => setTimeout(res, 20));
        info = (await client.getRefreshExternalCollectionProgress({ job_id: r.job_id })).job_info;
      }
      assert.equal(info.state, 'RefreshCompleted', info.reason);
      assert.deepEqual((await client.listRefreshExternalCollectionJobs({ collection_name: 'ext' })).jobs.map((j) => j.job_id), [r.job_id]);
      const q = await client.query({ collection_name: 'ext', filter: 'pid >= 0', output_fields: ['name'] });
      assert.deepEqual(q.data.map((x) => x['name']).sort(), ['e0', 'e1', 'e2', 'e3']);
    } finally {
      await client.close();
    }
  });
});
