/**
 * External collections (#16): the schema's external_source/external_spec and each field's
 * external_field survive a reopen and describe as given, with an auto-ID `__virtual_pk__`; a
 * refresh reads the Parquet files at the source (written here with the Node SDK's BulkWriter,
 * whose columns are the external names) into searchable rows; after the files change, a second
 * refresh replaces every row; an unreadable source fails the job with its reason; inserts are refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BulkWriter, DataType as SdkType } from '@zilliz/milvus2-sdk-node';
import { DataType } from '../../src/core/enums.js';
import { MilvusError } from '../../src/core/errors.js';
import { SextantService } from '../../src/service/service.js';
import type { RefreshJobInfo } from '../../src/service/import/types.js';
import { withTempDir } from '../support/tmp.js';

const NAME = 'ext';
const SPEC = JSON.stringify({ format: 'parquet', extfs: { access_key_id: 'dummy', access_key_value: 'dummy' } });
const EXTERNAL_FIELDS = [
  { name: 'id', data_type: SdkType.Int64, is_primary_key: true, autoID: false },
  { name: 'title', data_type: SdkType.VarChar, max_length: 64 },
  { name: 'vector', data_type: SdkType.FloatVector, dim: 4 },
];

/** Writes `n` rows as Parquet files directly in `folder` (BulkWriter writes them in subfolders of a scratch dir). */
async function writeParquet(folder: string, n: number, tag: string): Promise<void> {
  await rm(folder, { recursive: true, force: true });
  await mkdir(folder, { recursive: true });
  const scratch = `${folder}.scratch`;
  const writer = new BulkWriter({ schema: { fields: EXTERNAL_FIELDS } as never, format: 'parquet', localPath: scratch });
  for (let i = 0; i < n; i++) await writer.append({ id: i, title: `${tag}${i}`, vector: [i, 1, 0, 0] } as never);
  const files = (await writer.close()).flat();
  assert.ok(files.length > 0);
  for (let i = 0; i < files.length; i++) await rename(files[i]!, join(folder, `part-${i}.parquet`));
  await rm(scratch, { recursive: true, force: true });
}

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
      assert.equal(d.schema.externalSpec, SPEC);
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
