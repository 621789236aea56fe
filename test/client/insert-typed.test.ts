/**
 * The embedded client's lean `insertTyped` (one typed array per field) and the columnar write path
 * under it: validation takes exact typed columns as they are, growing rows are appended in place to
 * the growing segment's last chunk (engine/growing.ts), WAL payload buffers are used again. The rows
 * read back equal those written by `insert` (row objects), whether growing, sealed at the seal bound,
 * flushed or replayed from the WAL after a reopen, even though the caller reuses (overwrites) its
 * arrays after every call; bad values fail as `insert` fails them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataType, SextantClient } from '../../src/client/index.js';
import { MilvusError } from '../../src/core/errors.js';
import { SextantService } from '../../src/service/service.js';
import { withTempDir } from '../support/tmp.js';
import { rng } from '../support/fixtures.js';

const DIM = 4;
const BATCH = 60;
const BATCHES = 9;

interface Row { pk: number; v: number[]; n: number; f: number; b: boolean; s?: string }

const fields = (withText: boolean) => [
  { name: 'pk', data_type: DataType.Int64, is_primary_key: true },
  { name: 'v', data_type: DataType.FloatVector, dim: DIM },
  { name: 'n', data_type: DataType.Int32 },
  { name: 'f', data_type: DataType.Float },
  { name: 'b', data_type: DataType.Bool },
  ...(withText ? [{ name: 's', data_type: DataType.VarChar, max_length: 16 }] : []),
];

async function rowsOf(client: SextantClient, name: string): Promise<Row[]> {
  const r = await client.query({ collection_name: name, filter: 'pk >= 0', output_fields: ['*'], limit: 16384 });
  assert.equal(r.status.error_code, 'Success', r.status.reason);
  return (r.data as unknown as Row[]).map((x) => ({ ...x, pk: Number(x.pk) })).sort((a, b) => a.pk - b.pk);
}

test('insertTyped writes the rows insert writes, with the caller\'s arrays reused between calls (growing, sealed, replayed)', async () => {
  await withTempDir(async (dir) => {
    const r = rng(11);
    const expected: Row[] = [];
    // sealRows: the growing segment is sealed (and its tail written as a segment) every 200 rows.
    let svc = await SextantService.open({ dataDir: dir, sealRows: 200 });
    let client = new SextantClient(svc);
    try {
      for (const [name, withText] of [['typed', false], ['typed_text', true], ['rows', false]] as const) {
        const c = await client.createCollection({ collection_name: name, fields: fields(withText) });
        assert.equal(c.error_code, 'Success', c.reason);
      }
      const ids = new BigInt64Array(BATCH), v = new Float32Array(BATCH * DIM), n = new Int32Array(BATCH);
      const f = new Float32Array(BATCH), b = new Uint8Array(BATCH), s: string[] = new Array<string>(BATCH);
      for (let k = 0; k < BATCHES; k++) {
        const rows: Row[] = [];
        for (let i = 0; i < BATCH; i++) {
          const pk = k * BATCH + i;
          ids[i] = BigInt(pk); n[i] = pk * 7 - 100; f[i] = Math.fround(r()); b[i] = pk % 3 === 0 ? 1 : 0; s[i] = `s${pk}`;
          for (let d = 0; d < DIM; d++) v[i * DIM + d] = Math.fround(r());
          rows.push({ pk, v: Array.from(v.subarray(i * DIM, (i + 1) * DIM)), n: n[i]!, f: f[i]!, b: b[i] === 1 });
        }
        expected.push(...rows);
        const t = await client.insertTyped({ collection_name: 'typed', num_rows: BATCH, fields: { pk: ids, v, n, f, b } });
        assert.equal(t.insert_cnt, BATCH);
        assert.deepEqual(Array.from(t.ids as BigInt64Array, Number), rows.map((x) => x.pk));
        await client.insertTyped({ collection_name: 'typed_text', num_rows: BATCH, fields: { pk: ids, v, n, f, b, s } });
        const plain = await client.insert({ collection_name: 'rows', data: rows.map((x) => ({ ...x })) });
        assert.equal(plain.status.error_code, 'Success', plain.status.reason);
        if (k === 4) await client.flush({ collection_names: ['typed', 'typed_text', 'rows'] }); // a tail flushed before it filled
        v.fill(-1); n.fill(-1); f.fill(-1); ids.fill(-1n); s.fill('overwritten'); // the caller reuses its arrays
      }
      for (const name of ['typed', 'typed_text', 'rows']) {
        await client.createIndex({ collection_name: name, field_name: 'v', index_type: 'FLAT', metric_type: 'L2' });
        await client.loadCollection({ collection_name: name });
      }
      const want = expected.map((x) => ({ ...x }));
      assert.deepEqual(await rowsOf(client, 'rows'), want, 'insert');
      assert.deepEqual(await rowsOf(client, 'typed'), want, 'insertTyped');
      assert.deepEqual(await rowsOf(client, 'typed_text'), expected.map((x) => ({ ...x, s: `s${x.pk}` })), 'insertTyped with a VarChar field');
    } finally {
      await client.close();
    }
    // Reopened: sealed segments from their files, the rest replayed from the WAL.
    svc = await SextantService.open({ dataDir: dir, sealRows: 200 });
    client = new SextantClient(svc);
    try {
      await client.loadCollection({ collection_name: 'typed' });
      assert.deepEqual(await rowsOf(client, 'typed'), expected, 'after reopen');
    } finally {
      await client.close();
    }
  });
});

test('insertTyped refuses what insert refuses, with the same code and words', async () => {
  await withTempDir(async (dir) => {
    const client = new SextantClient(await SextantService.open({ dataDir: dir }));
    try {
      await client.createCollection({ collection_name: 'c', fields: fields(false) });
      const good = () => ({ pk: new BigInt64Array([1n, 2n]), v: new Float32Array(2 * DIM), n: new Int32Array(2), f: new Float32Array(2), b: new Uint8Array(2) });
      const nan = good();
      nan.v[DIM + 1] = NaN;
      const err = (await client.insert({ collection_name: 'c', data: [{ pk: 1, v: [0, 0, 0, 0], n: 0, f: 0, b: false }, { pk: 2, v: [0, NaN, 0, 0], n: 0, f: 0, b: false }] })).status;
      assert.equal(err.code, 1100);
      await assert.rejects(client.insertTyped({ collection_name: 'c', num_rows: 2, fields: nan }),
        (e: unknown) => e instanceof MilvusError && e.code === 1100 && e.message === err.reason);
      const inf = good();
      inf.f[0] = Infinity;
      await assert.rejects(client.insertTyped({ collection_name: 'c', num_rows: 2, fields: inf }), (e: unknown) => e instanceof MilvusError && e.code === 1100);
      const bool = good();
      bool.b[1] = 2; // any non-zero byte is true, as insert's booleans
      await client.insertTyped({ collection_name: 'c', num_rows: 2, fields: bool });
      await client.createIndex({ collection_name: 'c', field_name: 'v', index_type: 'FLAT', metric_type: 'L2' });
      await client.loadCollection({ collection_name: 'c' });
      assert.deepEqual((await rowsOf(client, 'c')).map((x) => x.b), [false, true]);
      await assert.rejects(client.insertTyped({ collection_name: 'c', num_rows: 2, fields: { ...good(), v: new Float64Array(2 * DIM) as unknown as Float32Array } }), /takes a Float32Array/);
      await assert.rejects(client.insertTyped({ collection_name: 'c', num_rows: 2, fields: { ...good(), nope: new Int32Array(2) } }), /no field nope/);
      await assert.rejects(client.insertTyped({ collection_name: 'c', num_rows: 3, fields: good() }), (e: unknown) => e instanceof MilvusError && e.code === 1100);
    } finally {
      await client.close();
    }
  });
});
