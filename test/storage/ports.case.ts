/**
 * The contract of the five storage ports (src/storage/ports.ts), as one suite that every
 * implementation runs (local-ports.test.ts for the data directory; the distributed ones pass their
 * own fixture). A fixture opens the same data set again on every `open()`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { LogRecord, StoragePorts } from '../../src/storage/ports.js';

export interface PortsFixture {
  /** The ports of the fixture's data set (a second open sees what the first made durable). */
  open(): Promise<StoragePorts>;
}

async function all(records: AsyncIterable<LogRecord>): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for await (const r of records) out.push(r);
  return out;
}

async function closePorts(p: StoragePorts): Promise<void> {
  await p.log.close();
  await p.lease.release();
}

const text = (s: string): Uint8Array => new TextEncoder().encode(JSON.stringify({ s }));

export function portsContract(name: string, withFixture: (fn: (f: PortsFixture) => Promise<void>) => Promise<void>): void {
  test(`${name}: Log appends in LSN order, replays from an LSN after reopening, serves later appends, keeps what is above a checkpoint`, () =>
    withFixture(async (f) => {
      const first = await f.open();
      const lsns = await Promise.all(Array.from({ length: 10 }, (_, i) => first.log.append(1, new Uint8Array(40).fill(i))));
      assert.deepEqual(lsns, Array.from({ length: 10 }, (_, i) => BigInt(i + 1)));
      await closePorts(first);

      const ports = await f.open();
      const replayed = await all(ports.log.readFrom(4n));
      assert.deepEqual(replayed.map((r) => r.lsn), [4n, 5n, 6n, 7n, 8n, 9n, 10n]);
      assert.equal(replayed[0]!.payload[0], 3);
      assert.equal(ports.log.nextLsn, 11n);
      for (let i = 10; i < 13; i++) await ports.log.append(2, new Uint8Array(40).fill(i));
      const later = await all(ports.log.readFrom(9n));
      assert.deepEqual(later.map((r) => [r.lsn, r.type]), [[9n, 1], [10n, 1], [11n, 2], [12n, 2], [13n, 2]]);
      await ports.log.truncateBelow(8n);
      const kept = (await all(ports.log.readFrom(1n))).map((r) => r.lsn);
      const expected: bigint[] = [];
      for (let l = kept[0] ?? 8n; l <= 13n; l++) expected.push(l);
      assert.deepEqual(kept, expected, 'what is kept is contiguous up to the last append');
      assert.ok(kept[0]! <= 8n, 'nothing at or above the checkpoint is dropped');
      assert.equal(ports.log.failure, null);
      await closePorts(ports);
    }));

  test(`${name}: CatalogStore compares and swaps on the version and refuses a commit without the lease`, () =>
    withFixture(async (f) => {
      const ports = await f.open();
      const { catalog, lease } = ports;
      assert.equal(await catalog.load(), null);
      const v1 = await catalog.commit(0n, text('one'), lease);
      await assert.rejects(catalog.commit(0n, text('stale'), lease), 'a stale expected version is refused');
      const v2 = await catalog.commit(v1, text('two'), lease);
      assert.ok(v2 > v1);
      const doc = await catalog.load();
      assert.equal(new TextDecoder().decode(doc!.body), JSON.stringify({ s: 'two' }));
      assert.equal(doc!.version, v2);
      await closePorts(ports);
      await assert.rejects(catalog.commit(v2, text('fenced'), lease), 'a released lease fences commits');

      const again = await f.open();
      const reread = await again.catalog.load();
      assert.equal(new TextDecoder().decode(reread!.body), JSON.stringify({ s: 'two' }), 'the last commit is durable, the fenced one absent');
      await again.catalog.commit(reread!.version, text('three'), again.lease);
      await closePorts(again);
    }));

  test(`${name}: BlobStore publishes staged files, reads ranges, lists and removes`, () =>
    withFixture(async (f) => {
      const ports = await f.open();
      const { blobs } = ports;
      await writeFile(path.join(blobs.stagingDir, 'blob-1'), Uint8Array.from({ length: 100 }, (_, i) => i));
      await blobs.publish('blob-1');
      await assert.rejects(blobs.publish('missing'), 'publishing a file never written is refused');
      assert.deepEqual([...(await blobs.readRange('blob-1', 10, 5))], [10, 11, 12, 13, 14]);
      const local = await blobs.localPath('blob-1');
      assert.equal(path.basename(local), 'blob-1');
      assert.deepEqual((await blobs.list()).filter((k) => k.startsWith('blob-')), ['blob-1']);
      await blobs.remove(['blob-1', 'never-there']);
      assert.deepEqual((await blobs.list()).filter((k) => k.startsWith('blob-')), []);
      await closePorts(ports);
    }));

  test(`${name}: Lease is held until released, then reports itself lost; TimestampOracle is strictly increasing`, () =>
    withFixture(async (f) => {
      const ports = await f.open();
      const { lease, clock } = ports;
      assert.equal(lease.held, true);
      assert.ok(lease.token > 0n);
      let lost = false;
      void lease.lost.then(() => { lost = true; });
      const a = clock.next();
      const b = clock.reserve(5);
      assert.ok(b > a);
      assert.ok(clock.next() >= b + 5n, 'a reservation is never handed out again');
      clock.observe(clock.current + 1000n);
      const c = clock.current;
      assert.ok(clock.next() > c);
      await closePorts(ports);
      await new Promise((r) => setImmediate(r));
      assert.deepEqual([lease.held, lost], [false, true]);
    }));
}
