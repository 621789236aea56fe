/**
 * External collections (#16): the schema's external_source/external_spec and each field's
 * external_field survive a reopen and describe as given, with an auto-ID `__virtual_pk__`; a
 * refresh reads the Parquet files at the source (written here with the Node SDK's BulkWriter,
 * whose columns are the external names) into searchable rows; after the files change, a second
 * refresh replaces every row; an unreadable source fails the job with its reason; inserts are refused.
 * Parquet files in subfolders of the source are read; an `s3://` source is read with the spec's
 * `extfs` credentials and address (s3rver on loopback), the server's import bucket settings filling
 * in what the spec leaves out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DataType } from '../../src/core/enums.js';
import { MilvusError } from '../../src/core/errors.js';
import { SextantService } from '../../src/service/service.js';
import type { RefreshJobInfo } from '../../src/service/import/types.js';
import { startCluster } from '../support/cluster.js';
import { writeParquet, writeTree } from '../support/parquet-lake.js';
import { withTempDir } from '../support/tmp.js';

const NAME = 'ext';
const SPEC = JSON.stringify({ format: 'parquet', extfs: { access_key_id: 'dummy', access_key_value: 'dummy' } });
const FIELDS = [
  { name: 'product_id', dataType: DataType.Int64, externalField: 'id' },
  { name: 'name', dataType: DataType.VarChar, maxLength: 64, externalField: 'title' },
  { name: 'vec', dataType: DataType.FloatVector, dim: 4, externalField: 'vector' },
];

async function waitRefresh(svc: SextantService, jobId: string): Promise<RefreshJobInfo> {
  for (let i = 0; i < 2_000; i++) {
    const j = await svc.getRefreshExternalCollectionProgress({ jobId });
    if (j.state === 'Completed' || j.state === 'Failed') return j;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('refresh did not finish');
}

async function titles(svc: SextantService): Promise<string[]> {
  const r = await svc.query({ collectionName: NAME, filter: 'product_id >= 0', outputFields: ['name'], limit: 1_000 });
  const col = r.columns.find((c) => c.field.name === 'name')!.column;
  assert.equal(col.kind, 'varchar');
  return [...(col as { data: string[] }).data].sort();
}

test('an external collection refreshes from its Parquet files, replacing its rows each time', async () => {
  await withTempDir(async (dir) => {
    const root = join(dir, 'files');
    const dataDir = join(dir, 'data');
    await writeParquet(join(root, 'lake'), 5, 'a');
    let svc = await SextantService.open({ dataDir, import: { root } });
    try {
      await svc.createCollection({
        collectionName: NAME, externalSource: 'lake/', externalSpec: SPEC,
        fields: [
          { name: 'product_id', dataType: DataType.Int64, externalField: 'id' },
          { name: 'name', dataType: DataType.VarChar, maxLength: 64, externalField: 'title' },
          { name: 'vec', dataType: DataType.FloatVector, dim: 4, externalField: 'vector' },
        ],
      });
      await svc.close();
      svc = await SextantService.open({ dataDir, import: { root } });
      const d = await svc.describeCollection({ collectionName: NAME });
      assert.equal(d.schema.externalSource, 'lake/');
      // Shown with its secrets redacted (Milvus's RedactExternalSpec); the stored spec keeps them.
      assert.equal(d.schema.externalSpec, JSON.stringify({ format: 'parquet', extfs: { access_key_id: '***', access_key_value: '***' } }));
      assert.equal([...svc.engine.collections.values()].find((c) => c.name === NAME)!.meta.schema.externalSpec, SPEC);
      const pk = d.schema.fields.find((f) => f.isPrimaryKey)!;
      assert.deepEqual([pk.name, pk.autoId, pk.dataType], ['__virtual_pk__', true, DataType.Int64]);
      assert.deepEqual(d.schema.fields.filter((f) => !f.isPrimaryKey).map((f) => f.externalField), ['id', 'title', 'vector']);

      await svc.createIndex({ collectionName: NAME, fieldName: 'vec', params: { index_type: 'FLAT', metric_type: 'L2' } });
      await svc.loadCollection({ collectionName: NAME });
      await assert.rejects(svc.insert({ collectionName: NAME, numRows: 0, columns: new Map() }), (e: unknown) => e instanceof MilvusError && /external collection/.test(e.message));

      const first = await waitRefresh(svc, (await svc.refreshExternalCollection({ collectionName: NAME })).jobId);
      assert.equal(first.state, 'Completed', first.reason);
      assert.deepEqual(await titles(svc), ['a0', 'a1', 'a2', 'a3', 'a4']);
      const hit = await svc.search({ collectionName: NAME, data: [[3, 1, 0, 0]], topK: 1, outputFields: ['product_id'] });
      const ids = hit.columns.find((c) => c.field.name === 'product_id')!.column as { data: BigInt64Array };
      assert.equal(ids.data[0], 3n);

      await writeParquet(join(root, 'lake'), 3, 'b');
      const second = await waitRefresh(svc, (await svc.refreshExternalCollection({ collectionName: NAME })).jobId);
      assert.equal(second.state, 'Completed', second.reason);
      assert.deepEqual(await titles(svc), ['b0', 'b1', 'b2']);
      const jobs = await svc.listRefreshExternalCollectionJobs({ collectionName: NAME });
      assert.deepEqual(jobs.map((j) => j.state), ['Completed', 'Completed']);
      await svc.close();
      svc = await SextantService.open({ dataDir, import: { root } });
      await svc.loadCollection({ collectionName: NAME });
      assert.deepEqual(await titles(svc), ['b0', 'b1', 'b2']);

      const bad = await waitRefresh(svc, (await svc.refreshExternalCollection({ collectionName: NAME, externalSource: 'nowhere/x/' })).jobId);
      assert.equal(bad.state, 'Failed');
      assert.match(bad.reason, /nowhere/);
      assert.deepEqual(await titles(svc), ['b0', 'b1', 'b2']);
    } finally {
      await svc.close();
    }
  });
});

test('external collection schemas are checked as Milvus does', async () => {
  await withTempDir(async (dir) => {
    const svc = await SextantService.open({ dataDir: join(dir, 'data') });
    try {
      const vec = { name: 'v', dataType: DataType.FloatVector, dim: 4, externalField: 'v' };
      const cases: [string, Parameters<SextantService['createCollection']>[0]][] = [
        ['user primary key', { collectionName: 'a', externalSource: 'x/', fields: [{ name: 'id', dataType: DataType.Int64, isPrimaryKey: true, externalField: 'id' }, vec] }],
        ['missing external_field', { collectionName: 'b', externalSource: 'x/', fields: [{ name: 'n', dataType: DataType.Int64 }, vec] }],
        ['external_field without source', { collectionName: 'c', fields: [{ name: 'id', dataType: DataType.Int64, isPrimaryKey: true }, vec] }],
        ['bad spec', { collectionName: 'd', externalSource: 'x/', externalSpec: '{"format":"orc"}', fields: [vec] }],
      ];
      for (const [what, req] of cases) await assert.rejects(svc.createCollection(req), MilvusError, what);
      await assert.rejects(svc.refreshExternalCollection({ collectionName: 'nope' }), MilvusError);
    } finally {
      await svc.close();
    }
  });
});

test('a refresh reads the Parquet files in subfolders of its source', async () => {
  await withTempDir(async (dir) => {
    const root = join(dir, 'files');
    await writeTree(root, { 'lake/top': [2, 't'], 'lake/year=2024/m1': [2, 'y'], 'lake/year=2025/deep/m2': [1, 'd'] });
    const svc = await SextantService.open({ dataDir: join(dir, 'data'), import: { root } });
    try {
      await svc.createCollection({ collectionName: NAME, externalSource: 'lake/', externalSpec: SPEC, fields: FIELDS });
      await svc.createIndex({ collectionName: NAME, fieldName: 'vec', params: { index_type: 'FLAT', metric_type: 'L2' } });
      await svc.loadCollection({ collectionName: NAME });
      const job = await waitRefresh(svc, (await svc.refreshExternalCollection({ collectionName: NAME })).jobId);
      assert.equal(job.state, 'Completed', job.reason);
      assert.deepEqual(await titles(svc), ['d0', 't0', 't1', 'y0', 'y1']);
    } finally {
      await svc.close();
    }
  });
});

test('an s3:// source is read with the extfs credentials and address of its spec', { timeout: 120_000 }, async () => {
  const cluster = await startCluster({ etcd: false, nats: 0, s3: true });
  try {
    await withTempDir(async (dir) => {
      const s3 = cluster.s3;
      const client = new S3Client({ endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
      const local = join(dir, 'files');
      await writeTree(local, { 'lake/a': [2, 'a'], 'lake/sub/b': [1, 'b'] });
      for (const rel of ['lake/a.parquet', 'lake/sub/b.parquet']) {
        await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `ext/${rel}`, Body: await readFile(join(local, rel)) }));
      }
      client.destroy();
      const address = s3.endpoint.replace(/^http:\/\//, '');
      const spec = (extfs: Record<string, unknown>): string => JSON.stringify({ format: 'parquet', extfs });
      // The server has no import bucket: everything comes from the spec.
      const svc = await SextantService.open({ dataDir: join(dir, 'data'), import: { root: local } });
      try {
        await svc.createCollection({
          collectionName: NAME, externalSource: `s3://${s3.bucket}/ext/lake/`, fields: FIELDS,
          externalSpec: spec({ access_key_id: s3.accessKeyId, access_key_value: s3.secretAccessKey, address, use_ssl: false, region: s3.region, cloud_provider: 'aws' }),
        });
        await svc.createIndex({ collectionName: NAME, fieldName: 'vec', params: { index_type: 'FLAT', metric_type: 'L2' } });
        await svc.loadCollection({ collectionName: NAME });
        // Described (redacted) first: the refresh still reads the stored credentials.
        assert.ok(!(await svc.describeCollection({ collectionName: NAME })).schema.externalSpec!.includes(s3.secretAccessKey));
        const job = await waitRefresh(svc, (await svc.refreshExternalCollection({ collectionName: NAME })).jobId);
        assert.equal(job.state, 'Completed', job.reason);
        assert.ok(!job.externalSpec.includes(s3.secretAccessKey) && job.externalSpec.includes('***'), job.externalSpec);
        assert.deepEqual(await titles(svc), ['a0', 'a1', 'b0']);
        // extfs as its JSON text (the Go SDK's form), naming the address with its scheme.
        const text = JSON.stringify({ format: 'parquet', extfs: JSON.stringify({ access_key_id: s3.accessKeyId, access_key_value: s3.secretAccessKey, address: s3.endpoint }) });
        const again = await waitRefresh(svc, (await svc.refreshExternalCollection({ collectionName: NAME, externalSpec: text })).jobId);
        assert.equal(again.state, 'Completed', again.reason);
      } finally {
        await svc.close();
      }
      // The server's import bucket settings fill in what extfs leaves out (here: everything but the address).
      const withBucket = await SextantService.open({ dataDir: join(dir, 'data2'), import: { s3: { ...s3, endpoint: 'http://127.0.0.1:9' } } });
      try {
        await withBucket.createCollection({ collectionName: NAME, externalSource: `s3://${s3.bucket}/ext/lake/`, externalSpec: spec({ address, use_ssl: 'false' }), fields: FIELDS });
        await withBucket.createIndex({ collectionName: NAME, fieldName: 'vec', params: { index_type: 'FLAT', metric_type: 'L2' } });
        await withBucket.loadCollection({ collectionName: NAME });
        const job = await waitRefresh(withBucket, (await withBucket.refreshExternalCollection({ collectionName: NAME })).jobId);
        assert.equal(job.state, 'Completed', job.reason);
        assert.deepEqual(await titles(withBucket), ['a0', 'a1', 'b0']);
      } finally {
        await withBucket.close();
      }
    });
  } finally {
    await cluster.close();
  }
});
