/**
 * Contract tests of the five storage ports (src/storage/ports.ts), written against the interfaces
 * only, so every implementation runs the same suite: the local data directory and the distributed
 * one (etcd, NATS JetStream, S3). Each `*Contract(label, factory)` registers a `describe` block; the
 * factory is called inside each test (after the file's `before` hooks), once per test, and gives a
 * fresh, empty instance plus what the contract needs to drive it.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { BlobStore, CatalogStore, Lease, Log, LogRecord, TimestampOracle } from '../../src/storage/ports.js';

export interface LogHarness {
  /** Opens the log (again: the same data set after a close). */
  open(): Promise<Log>;
  cleanup(): Promise<void>;
}

export interface CatalogHarness {
  store: CatalogStore;
  /** A lease held by the caller, valid for commits to `store`. */
  lease: Lease;
  /** Ends `lease` the way the implementation loses it (release, expiry). */
  loseLease(): Promise<void>;
  /** The store accepts any bytes (etcd); false when the document must be the manifest's JSON (local). */
  anyBytes: boolean;
  cleanup(): Promise<void>;
}

export interface BlobHarness {
  store: BlobStore;
  /** Size of the large object test (above the implementation's multipart threshold, if any). */
  largeBytes?: number;
  /** Keys may contain '/' (S3); false when keys are file names in one directory (local segments/). */
  nestedKeys: boolean;
  cleanup(): Promise<void>;
}

export interface LeaseHarness {
  /** Takes the lease of one data set; `waits`: true when a second taker waits for the first, false when it is refused. */
  acquire(): Promise<Lease>;
  waits: boolean;
  cleanup(): Promise<void>;
}

export interface TsoHarness {
  tso: TimestampOracle;
  cleanup(): Promise<void>;
}

async function collect(it: AsyncIterable<LogRecord>): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for await (const r of it) out.push(r);
  return out;
}

const payloadOf = (i: number) => new TextEncoder().encode(`record-${i}-${'x'.repeat(i % 97)}`);

async function withHarness<H extends { cleanup(): Promise<void> }>(make: () => Promise<H>, fn: (h: H) => Promise<void>): Promise<void> {
  const h = await make();
  try { await fn(h); } finally { await h.cleanup(); }
}

export function logContract(label: string, make: () => Promise<LogHarness>): void {
  describe(`Log contract: ${label}`, () => {
    test('appends get increasing LSNs from nextLsn and replay in order with type and payload', () => withHarness(make, async (h) => {
      const log = await h.open();
      assert.equal(log.failure, null);
      assert.deepEqual(await collect(log.readFrom(0n)), []);
      const first = log.nextLsn;
      const lsns: bigint[] = [];
      for (let i = 0; i < 20; i++) lsns.push(await log.append(i % 5, payloadOf(i)));
      assert.equal(lsns[0], first);
      for (let i = 1; i < lsns.length; i++) assert.ok((lsns[i] as bigint) > (lsns[i - 1] as bigint));
      assert.ok(log.nextLsn > (lsns.at(-1) as bigint));
      const back = await collect(log.readFrom(first));
      assert.deepEqual(back.map((r) => r.lsn), lsns);
      back.forEach((r, i) => { assert.equal(r.type, i % 5); assert.deepEqual(Buffer.from(r.payload), Buffer.from(payloadOf(i))); });
      const tail = await collect(log.readFrom(lsns[10] as bigint));
      assert.deepEqual(tail.map((r) => r.lsn), lsns.slice(10));
      await log.close();
    }));

    test('concurrent appends resolve in LSN order, each record once', () => withHarness(make, async (h) => {
      const log = await h.open();
      const resolved: bigint[] = [];
      const all = await Promise.all(Array.from({ length: 200 }, (_, i) =>
        log.append(1, payloadOf(i)).then((lsn) => { resolved.push(lsn); return lsn; })));
      assert.equal(new Set(all.map(String)).size, 200);
      for (let i = 1; i < resolved.length; i++) assert.ok((resolved[i] as bigint) > (resolved[i - 1] as bigint), 'resolution order is LSN order');
      const back = await collect(log.readFrom(0n));
      assert.equal(back.length, 200);
      const byLsn = new Map(all.map((lsn, i) => [lsn, i]));
      for (const r of back) assert.deepEqual(Buffer.from(r.payload), Buffer.from(payloadOf(byLsn.get(r.lsn) as number)));
      await log.close();
    }));

    test('reopen replays everything and continues after the last LSN', () => withHarness(make, async (h) => {
      let log = await h.open();
      const lsns: bigint[] = [];
      for (let i = 0; i < 10; i++) lsns.push(await log.append(2, payloadOf(i)));
      await log.close();
      log = await h.open();
      assert.deepEqual((await collect(log.readFrom(0n))).map((r) => r.lsn), lsns);
      const next = await log.append(3, payloadOf(99));
      assert.ok(next > (lsns.at(-1) as bigint));
      await log.close();
    }));

    test('truncateBelow keeps every record at or above the checkpoint', () => withHarness(make, async (h) => {
      const log = await h.open();
      const lsns: bigint[] = [];
      for (let i = 0; i < 30; i++) lsns.push(await log.append(4, payloadOf(i)));
      const mid = lsns[17] as bigint;
      await log.truncateBelow(mid);
      assert.deepEqual((await collect(log.readFrom(mid))).map((r) => r.lsn), lsns.slice(17));
      const rest = (await collect(log.readFrom(0n))).map((r) => r.lsn);
      assert.deepEqual(rest.slice(rest.length - 13), lsns.slice(17), 'records at or above the checkpoint all remain');
      assert.ok(rest.every((l, i) => i === 0 || l > (rest[i - 1] as bigint)));
      assert.deepEqual(rest, lsns.slice(lsns.length - rest.length), 'what is kept is a gapless suffix of the appends');
      assert.equal(log.failure, null);
      await log.close();
    }));
  });
}

export function catalogContract(label: string, make: () => Promise<CatalogHarness>): void {
  describe(`CatalogStore contract: ${label}`, () => {
    test('nothing at first; commit then load; versions grow; stale or absent expectations are refused', () => withHarness(make, async (h) => {
      assert.equal(await h.store.load(), null);
      const b1 = new TextEncoder().encode('{"collections":[]}');
      const v1 = await h.store.commit(0n, b1, h.lease);
      assert.ok(v1 > 0n);
      assert.deepEqual(await h.store.load(), { body: b1, version: v1 });
      const b2 = new TextEncoder().encode('{"collections":["a"]}');
      const v2 = await h.store.commit(v1, b2, h.lease);
      assert.ok(v2 > v1);
      await assert.rejects(h.store.commit(v1, new Uint8Array([1]), h.lease), /catalog version moved/, 'a stale version is refused');
      await assert.rejects(h.store.commit(0n, new Uint8Array([2]), h.lease), /catalog version moved/, '0n is refused once a document exists');
      assert.deepEqual(await h.store.load(), { body: b2, version: v2 }, 'refused commits changed nothing');
    }));

    test('large documents (several MiB) and shrinking ones round-trip exactly', () => withHarness(make, async (h) => {
      const doc = (bytes: number) => h.anyBytes
        ? new Uint8Array(randomBytes(bytes))
        : new TextEncoder().encode(JSON.stringify({ blob: randomBytes(bytes).toString('base64') }));
      const big = doc(3 * 1024 * 1024 + 12345);
      const v1 = await h.store.commit(0n, big, h.lease);
      assert.deepEqual(Buffer.from((await h.store.load())?.body ?? []), Buffer.from(big));
      const small = doc(1000);
      const v2 = await h.store.commit(v1, small, h.lease);
      assert.deepEqual(await h.store.load(), { body: small, version: v2 });
      const empty = h.anyBytes ? new Uint8Array(0) : new TextEncoder().encode('{}');
      const v3 = await h.store.commit(v2, empty, h.lease);
      assert.deepEqual(await h.store.load(), { body: empty, version: v3 });
    }));

    test('a lost lease cannot commit', () => withHarness(make, async (h) => {
      const body = new TextEncoder().encode('[1,2,3]');
      const v1 = await h.store.commit(0n, body, h.lease);
      await h.loseLease();
      await assert.rejects(h.store.commit(v1, new TextEncoder().encode('[9]'), h.lease), /lease lost/);
      assert.deepEqual(await h.store.load(), { body, version: v1 }, 'the last commit is durable, the fenced one absent');
    }));
  });
}

async function stage(store: BlobStore, key: string, bytes: Uint8Array): Promise<void> {
  const file = path.join(store.stagingDir, key);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, bytes);
}

export function blobContract(label: string, make: () => Promise<BlobHarness>): void {
  describe(`BlobStore contract: ${label}`, () => {
    test('publish, list, localPath, readRange, remove', () => withHarness(make, async (h) => {
      const a = new Uint8Array(randomBytes(100_000));
      const b = new Uint8Array(randomBytes(10));
      await stage(h.store, 'seg-1.bin', a);
      await h.store.publish('seg-1.bin');
      const idx = h.nestedKeys ? 'idx/seg-1/hnsw.idx' : 'seg-1.hnsw.idx';
      await stage(h.store, idx, b);
      await h.store.publish(idx);
      assert.deepEqual((await h.store.list()).sort(), [idx, 'seg-1.bin'].sort());
      assert.deepEqual(Buffer.from(await readFile(await h.store.localPath('seg-1.bin'))), Buffer.from(a));
      assert.deepEqual(Buffer.from(await readFile(await h.store.localPath(idx))), Buffer.from(b));
      for (const [off, len] of [[0, 1], [0, 100_000], [4095, 8193], [99_999, 1], [50_000, 0]] as const) {
        assert.deepEqual(Buffer.from(await h.store.readRange('seg-1.bin', off, len)), Buffer.from(a.subarray(off, off + len)));
      }
      await h.store.remove(['seg-1.bin', 'never-there.bin']);
      assert.deepEqual(await h.store.list(), [idx], 'removing a key that is absent is not an error');
    }));

    test('a large object round-trips', () => withHarness(make, async (h) => {
      const big = new Uint8Array(randomBytes(h.largeBytes ?? 9 * 1024 * 1024));
      await stage(h.store, 'big.seg', big);
      await h.store.publish('big.seg');
      assert.deepEqual(Buffer.from(await readFile(await h.store.localPath('big.seg'))), Buffer.from(big));
      const off = big.length - 70_000;
      assert.deepEqual(Buffer.from(await h.store.readRange('big.seg', off, 65_536)), Buffer.from(big.subarray(off, off + 65_536)));
    }));

    test('publishing a file that was never staged fails', () => withHarness(make, async (h) => {
      await assert.rejects(h.store.publish('missing.seg'));
      assert.deepEqual(await h.store.list(), []);
    }));
  });
}

const pending = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p.then(() => 'settled' as const, () => 'settled' as const), new Promise<'pending'>((r) => setTimeout(() => r('pending'), ms))]);

export function leaseContract(label: string, make: () => Promise<LeaseHarness>): void {
  describe(`Lease contract: ${label}`, () => {
    test('one holder at a time; a release hands over with a larger token; lost resolves', () => withHarness(make, async (h) => {
      const first = await h.acquire();
      assert.ok(first.held);
      assert.ok(first.token > 0n);
      assert.equal(await pending(first.lost, 50), 'pending');
      const second = h.acquire();
      if (h.waits) {
        assert.equal(await pending(second, 1000), 'pending', 'a second taker waits while the first holds');
      } else {
        await assert.rejects(second, 'a second taker is refused while the first holds');
      }
      await first.release();
      assert.equal(first.held, false);
      assert.equal(await pending(first.lost, 1000), 'settled');
      const next = h.waits ? await second : await h.acquire();
      assert.ok(next.held);
      assert.ok(next.token > first.token, `token grows at a change of hands (${first.token} -> ${next.token})`);
      await next.release();
    }));
  });
}

export function tsoContract(label: string, make: () => Promise<TsoHarness>): void {
  describe(`TimestampOracle contract: ${label}`, () => {
    test('strictly increasing, Milvus layout, reserve and observe', () => withHarness(make, async ({ tso }) => {
      let prev = tso.current;
      for (let i = 0; i < 20_000; i++) {
        const ts = tso.next();
        assert.ok(ts > prev, `${ts} > ${prev}`);
        prev = ts;
      }
      assert.ok(tso.current >= prev);
      const physical = Number(prev >> 18n);
      assert.ok(Math.abs(physical - Date.now()) < 60_000, `physical part ${physical} is wall-clock milliseconds`);
      const first = tso.reserve(1000);
      assert.ok(first > prev);
      const after = tso.next();
      assert.ok(after > first + 999n, 'a reserved range is not handed out again');
      const ahead = tso.current + (500n << 18n);
      tso.observe(ahead);
      let next = 0n;
      for (let i = 0; i < 100 && next === 0n; i++) {
        try { next = tso.next(); } catch { await new Promise((r) => setTimeout(r, 20)); }
      }
      assert.ok(next > ahead, 'never at or below an observed timestamp');
      tso.observe(1n);
      assert.ok(tso.next() > next);
    }));
  });
}
