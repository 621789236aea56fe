/** DISKANN index files for tests: an image written as the engine writes it, then opened in place. */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { IndexBuildSpec, VectorIndex } from '../../src/index/descriptor.js';
import { DiskAnnIndex } from '../../src/index/impl/diskann/index.js';
import { getIndexDescriptor } from '../../src/index/registry.js';
import type { Column } from '../../src/schema/column.js';
import { NodeFileSystem } from '../../src/storage/fs/node.js';
import { locateIndexPayload, writeIndexFile, type IndexPayloadRegion } from '../../src/storage/index-file.js';

/** Write `built`'s image as index file `name` in `dir` and open it in place (nodes read with positional reads). */
export async function openImageFile(
  dir: string, name: string, built: VectorIndex, column: Column, n: number, spec: IndexBuildSpec,
): Promise<{ index: DiskAnnIndex; region: IndexPayloadRegion; file: string }> {
  const fs = new NodeFileSystem();
  await writeIndexFile(fs, dir, name, { meta: { indexType: 'DISKANN' }, payload: built.serialize() });
  const file = path.join(dir, name);
  const region = await locateIndexPayload(fs, file);
  const index = getIndexDescriptor('DISKANN').openFile!({ path: file, ...region }, column, n, spec);
  assert.ok(index instanceof DiskAnnIndex);
  return { index, region, file };
}
