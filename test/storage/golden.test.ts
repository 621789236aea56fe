/** Today's code must read the committed version-1 files and write them byte for byte. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NodeFileSystem } from '../../src/storage/fs/node.js';
import { decodeManifest, encodeManifest, readManifest } from '../../src/storage/manifest.js';
import { encodeSegment, readSegmentFile } from '../../src/storage/segment.js';
import { Wal, walFileName } from '../../src/storage/wal.js';
import { encodeWalFileHeader, encodeWalRecord } from '../../src/storage/wal-format.js';
import {
  GOLDEN_MANIFEST, GOLDEN_MANIFEST_DIR, GOLDEN_SEGMENT_FILE, GOLDEN_WAL_DIR, GOLDEN_WAL_RECORDS,
  GOLDEN_WAL_ROTATE_AFTER, goldenSegment,
} from './golden-data.js';
import { memoryDisk, putFile } from './helpers.js';

const root = fileURLToPath(new URL('../../../test/fixtures/storage/', import.meta.url));
const plain = (x: unknown): unknown => JSON.parse(JSON.stringify(x, (_k, v: unknown) =>
  typeof v === 'bigint' ? `${v}n` : ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v));

test('golden WAL v1: reads back every record, and the bytes are what we write today', async () => {
  const dir = join(root, GOLDEN_WAL_DIR);
  const names = await readdir(dir);
  assert.deepEqual(names, [walFileName(1n), walFileName(BigInt(GOLDEN_WAL_ROTATE_AFTER + 1))]);
  const mem = await memoryDisk();
  await mem.mkdir('/db/wal');
  await mem.fsyncDir('/db');
  const expected: Uint8Array[] = [];
  let parts: Uint8Array[] = [encodeWalFileHeader(1n)];
  for (let i = 0; i < GOLDEN_WAL_RECORDS.length; i++) {
    if (i === GOLDEN_WAL_ROTATE_AFTER) {
      expected.push(new Uint8Array(Buffer.concat(parts)));
      parts = [encodeWalFileHeader(BigInt(i + 1))];
    }
    const r = GOLDEN_WAL_RECORDS[i];
    if (r !== undefined) parts.push(encodeWalRecord(BigInt(i + 1), r.type, r.payload));
  }
  expected.push(new Uint8Array(Buffer.concat(parts)));
  for (let f = 0; f < names.length; f++) {
    const bytes = new Uint8Array(await readFile(join(dir, names[f] as string)));
    assert.deepEqual(bytes, expected[f], `${names[f]} differs from today's encoding`);
    await putFile(mem, `/db/wal/${names[f]}`, bytes);
  }
  const { records, tail } = await Wal.open(mem, '/db/wal');
  assert.equal(tail, null);
  assert.deepEqual(records.map((r) => ({ type: r.type, payload: Array.from(r.payload) })),
    GOLDEN_WAL_RECORDS.map((r) => ({ type: r.type, payload: Array.from(r.payload) })));
  assert.deepEqual(records.map((r) => r.lsn), [1n, 2n, 3n, 4n, 5n]);
});

test('golden segment v1: every column kind reads back, and the bytes are what we write today', async () => {
  const path = join(root, GOLDEN_SEGMENT_FILE);
  const got = await readSegmentFile(new NodeFileSystem(), path);
  assert.deepEqual(plain(got), plain(goldenSegment()));
  assert.deepEqual(new Uint8Array(await readFile(path)), encodeSegment(goldenSegment()));
});

test('golden manifest v1: reads back, and the bytes are what we write today', async () => {
  const dir = join(root, GOLDEN_MANIFEST_DIR);
  assert.deepEqual(await readManifest(new NodeFileSystem(), dir), GOLDEN_MANIFEST);
  const bytes = new Uint8Array(await readFile(join(dir, 'MANIFEST')));
  assert.deepEqual(bytes, encodeManifest(GOLDEN_MANIFEST));
  assert.deepEqual(decodeManifest(bytes, 'x'), GOLDEN_MANIFEST);
});
