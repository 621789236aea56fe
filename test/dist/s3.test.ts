/**
 * S3BlobStore against s3rver (a child process on loopback): the shared BlobStore contract (multipart
 * above 8 MiB included), then faults: s3rver killed (-9) or paused during a publish and brought back
 * (the publish completes, every object reads back intact), the bounded retry budget, and the local
 * cache (bounded in bytes, adopted by a restarted store, serving reads while the endpoint is down).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { startCluster, type Cluster } from '../support/cluster.js';
import { blobContract } from '../support/port-contracts.js';
import { S3BlobStore, type S3BlobOptions } from '../../src/storage/dist/s3-blobs.js';

let cluster: Cluster;
let seq = 0;

before(async () => { cluster = await startCluster({ etcd: false, nats: 0, s3: true }); });
after(async () => { await cluster?.close(); });

const MiB = 1024 * 1024;

function options(name: string, extra: Partial<S3BlobOptions> = {}): S3BlobOptions {
  const dir = path.join(cluster.dir, 'stores', name);
  return {
    endpoint: cluster.s3.endpoint, region: cluster.s3.region, bucket: cluster.s3.bucket,
    accessKeyId: cluster.s3.accessKeyId, secretAccessKey: cluster.s3.secretAccessKey,
    prefix: `${name}/`, stagingDir: path.join(dir, 'staging'), cacheDir: path.join(dir, 'cache'),
    cacheBytes: 64 * MiB, requestTimeoutMs: 2000, ...extra,
  };
}

async function stage(store: S3BlobStore, key: string, bytes: Uint8Array): Promise<void> {
  const file = path.join(store.stagingDir, key);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, bytes);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

blobContract('S3 (s3rver)', async () => {
  const name = `contract-${++seq}`;
  const store = await S3BlobStore.open(options(name));
  return { store, largeBytes: 9 * MiB, nestedKeys: true, cleanup: async () => { store.close(); } };
});

describe('S3BlobStore faults and cache', () => {
  for (const fault of ['kill -9', 'SIGSTOP'] as const) {
    test(`s3rver ${fault} during a multipart publish and back 3 s later: the publish completes, nothing lost`, async (t) => {
      const name = `fault-${++seq}`;
      const store = await S3BlobStore.open(options(name));
      const before = new Uint8Array(randomBytes(MiB));
      await stage(store, 'old.seg', before);
      await store.publish('old.seg');
      const big = new Uint8Array(randomBytes(20 * MiB));
      await stage(store, 'big.seg', big);
      const startedAt = Date.now();
      const publishing = store.publish('big.seg');
      await sleep(150);
      const s3 = cluster.s3rver;
      assert.ok(s3 !== null);
      if (fault === 'kill -9') await s3.kill9(); else s3.pause();
      await sleep(3000);
      if (fault === 'kill -9') await s3.restart(); else s3.resume();
      await publishing;
      t.diagnostic(`20 MiB publish completed ${Date.now() - startedAt} ms after it started (endpoint down 3 s)`);
      const reader = await S3BlobStore.open(options(name, { cacheDir: path.join(cluster.dir, 'stores', name, 'cache2') }));
      assert.deepEqual((await reader.list()).sort(), ['big.seg', 'old.seg']);
      assert.deepEqual(Buffer.from(await readFile(await reader.localPath('big.seg'))), Buffer.from(big));
      assert.deepEqual(Buffer.from(await readFile(await reader.localPath('old.seg'))), Buffer.from(before));
      store.close(); reader.close();
    });
  }

  test('past its retry budget a publish fails with a retriable error naming S3', async () => {
    const store = await S3BlobStore.open(options(`budget-${++seq}`, { retryBudgetMs: 1500, requestTimeoutMs: 500 }));
    await stage(store, 'a.seg', new Uint8Array(10));
    const s3 = cluster.s3rver;
    assert.ok(s3 !== null);
    await s3.kill9();
    try {
      await assert.rejects(store.publish('a.seg'), (e: unknown) => e instanceof Error && /S3 unavailable/.test(e.message)
        && (e as { retriable?: unknown }).retriable === true);
    } finally {
      await s3.restart();
    }
    await store.publish('a.seg');
    assert.deepEqual(await store.list(), ['a.seg']);
    store.close();
  });

  test('the cache stays within its bound, re-downloads on a miss, and a restarted store reads from it while S3 is down', async () => {
    const name = `cache-${++seq}`;
    const opts = options(name, { cacheBytes: 3 * MiB, retryBudgetMs: 1000, requestTimeoutMs: 500 });
    const store = await S3BlobStore.open(opts);
    const blobs = Array.from({ length: 5 }, () => new Uint8Array(randomBytes(MiB)));
    for (let i = 0; i < blobs.length; i++) {
      await stage(store, `s${i}.seg`, blobs[i] as Uint8Array);
      await store.publish(`s${i}.seg`);
      assert.ok(store.cachedBytes <= 3 * MiB, `cache ${store.cachedBytes} bytes within 3 MiB`);
    }
    assert.deepEqual(Buffer.from(await readFile(await store.localPath('s0.seg'))), Buffer.from(blobs[0] as Uint8Array), 'evicted, downloaded again');
    assert.ok(store.cachedBytes <= 3 * MiB);
    store.close();
    await rm(opts.stagingDir, { recursive: true, force: true });

    const s3 = cluster.s3rver;
    assert.ok(s3 !== null);
    s3.pause();
    try {
      const restarted = await S3BlobStore.open(opts);
      assert.ok(restarted.cachedBytes > 0, 'cached files adopted at open');
      assert.deepEqual(Buffer.from(await readFile(await restarted.localPath('s0.seg'))), Buffer.from(blobs[0] as Uint8Array));
      assert.deepEqual(Buffer.from(await restarted.readRange('s4.seg', 100, 1000)), Buffer.from((blobs[4] as Uint8Array).subarray(100, 1100)));
      await assert.rejects(restarted.localPath('s1.seg'), /S3 unavailable/, 'a miss needs the endpoint');
      restarted.close();
    } finally {
      s3.resume();
    }
  });
});
