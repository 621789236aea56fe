/**
 * Regenerates the golden files in test/fixtures/storage/. NOT run by the tests: run it by hand
 * (`node dist/test/storage/make-golden.js`) only when adding a new format version, and keep the
 * old version's files so they stay readable.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NodeFileSystem } from '../../src/storage/fs/node.js';
import { writeManifest } from '../../src/storage/manifest.js';
import { writeSegmentFile } from '../../src/storage/segment.js';
import { Wal } from '../../src/storage/wal.js';
import {
  GOLDEN_MANIFEST, GOLDEN_MANIFEST_DIR, GOLDEN_SEGMENT_FILE, GOLDEN_WAL_DIR, GOLDEN_WAL_RECORDS,
  GOLDEN_WAL_ROTATE_AFTER, goldenSegment,
} from './golden-data.js';

const root = fileURLToPath(new URL('../../../test/fixtures/storage/', import.meta.url));
const fs = new NodeFileSystem();

await rm(join(root, GOLDEN_WAL_DIR), { recursive: true, force: true });
const { wal } = await Wal.open(fs, join(root, GOLDEN_WAL_DIR));
for (let i = 0; i < GOLDEN_WAL_RECORDS.length; i++) {
  if (i === GOLDEN_WAL_ROTATE_AFTER) await wal.rotate();
  const r = GOLDEN_WAL_RECORDS[i];
  if (r !== undefined) await wal.append(r.type, r.payload);
}
await wal.close();

await writeSegmentFile(fs, root, GOLDEN_SEGMENT_FILE, goldenSegment());

await rm(join(root, GOLDEN_MANIFEST_DIR), { recursive: true, force: true });
await mkdir(join(root, GOLDEN_MANIFEST_DIR));
await writeManifest(fs, join(root, GOLDEN_MANIFEST_DIR), GOLDEN_MANIFEST);
console.log(`golden files written under ${root}`);
