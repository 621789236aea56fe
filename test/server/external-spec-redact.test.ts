/**
 * `external_spec` over gRPC shows its `extfs` secrets redacted (`***`, as Milvus's proxy
 * DescribeCollection does) in DescribeCollection, BatchDescribeCollection and the refresh job RPCs
 * (that the stored spec keeps them, so refreshes still authenticate: test/service/external-collection).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeMessage } from '../../src/server/grpc/proto.js';
import { rawClient } from './grpc-client.js';
import { serverPerFile, type Running } from './harness.js';

let server!: Running;
serverPerFile((r) => { server = r; });

const SECRET = 'wJalrXUtnFEMI-K7MDENG-secret';
const KEY_ID = 'AKIDEXAMPLE123';
const spec = (extfs: unknown) => JSON.stringify({ format: 'parquet', extfs });

test('gRPC: external_spec secrets are redacted in describe and refresh job info', { timeout: 60_000 }, async () => {
  const raw = rawClient(server.port);
  try {
    const schema = encodeMessage('milvus.proto.schema.CollectionSchema', {
      name: 'ext', external_source: 's3://bucket/lake/',
      external_spec: spec({ access_key_id: KEY_ID, access_key_value: SECRET, region: 'us-east-1', session_token: 'TOKEN-xyz' }),
      fields: [
        { name: 'pid', data_type: 'Int64', external_field: 'id' },
        { name: 'v', data_type: 'FloatVector', type_params: [{ key: 'dim', value: '4' }], external_field: 'vector' },
      ],
    });
    const created = await raw.call('CreateCollection', { collection_name: 'ext', schema: Buffer.from(schema) });
    assert.equal(created['code'], 0, String(created['reason']));

    const d = await raw.call('DescribeCollection', { collection_name: 'ext' });
    const shown = (d['schema'] as { external_spec: string }).external_spec;
    assert.ok(!shown.includes(SECRET) && !shown.includes(KEY_ID) && !shown.includes('TOKEN-xyz'), shown);
    assert.deepEqual(JSON.parse(shown), { format: 'parquet', extfs: { access_key_id: '***', access_key_value: '***', region: 'us-east-1', session_token: '***' } });
    const batch = await raw.call('BatchDescribeCollection', { collection_name: ['ext'] });
    const batchShown = ((batch['responses'] as { schema: { external_spec: string } }[])[0]!).schema.external_spec;
    assert.equal(batchShown, shown);

    // A refresh given its own spec (extfs as JSON text, the Go SDK's form): its job info is redacted too.
    const given = spec(JSON.stringify({ access_key_id: KEY_ID, access_key_value: SECRET, address: '127.0.0.1:9' }));
    const r = await raw.call('RefreshExternalCollection', { collection_name: 'ext', external_spec: given });
    assert.equal((r['status'] as { code: number }).code, 0, JSON.stringify(r['status']));
    const progress = await raw.call('GetRefreshExternalCollectionProgress', { job_id: r['job_id'] });
    const jobSpec = (progress['job_info'] as { external_spec: string }).external_spec;
    assert.ok(!jobSpec.includes(SECRET) && !jobSpec.includes(KEY_ID), jobSpec);
    assert.deepEqual(JSON.parse(JSON.parse(jobSpec).extfs as string), { access_key_id: '***', access_key_value: '***', address: '127.0.0.1:9' });
    const listed = await raw.call('ListRefreshExternalCollectionJobs', { collection_name: 'ext' });
    for (const j of listed['jobs'] as { external_spec: string }[]) assert.ok(!j.external_spec.includes(SECRET), j.external_spec);
  } finally {
    raw.close();
  }
});
