/** Shared helpers for the storage tests. */
import { seededRandom } from '../../src/core/random.js';
import assert from 'node:assert/strict';
import { MilvusError } from '../../src/core/errors.js';
import { MemoryFileSystem } from '../../src/storage/fs/memory.js';
import type { FileSystem } from '../../src/storage/fs/types.js';

/** A memory disk with a durable, empty `/db`. */
export async function memoryDisk(): Promise<MemoryFileSystem> {
  const fs = new MemoryFileSystem();
  await fs.mkdir('/db');
  await fs.fsyncDir('/');
  return fs;
}

/** Payload number j: its length varies with j and its bytes spell j, so mix-ups are visible. */
export function payloadFor(j: number): Uint8Array {
  const len = 4 + ((j * 37) % 61);
  const out = new Uint8Array(len);
  new DataView(out.buffer).setUint32(0, j, true);
  for (let i = 4; i < len; i++) out[i] = (j * 31 + i) & 0xff;
  return out;
}

export function payloadNumber(p: Uint8Array): number {
  return new DataView(p.buffer, p.byteOffset, p.byteLength).getUint32(0, true);
}

/** Writes `bytes` to `path` durably (file synced, directory synced). */
export async function putFile(fs: FileSystem, path: string, bytes: Uint8Array): Promise<void> {
  const fh = await fs.open(path, 'w');
  await fh.write(bytes, 0);
  await fh.sync();
  await fh.close();
  await fs.fsyncDir(path.slice(0, path.lastIndexOf('/')) || '/');
}

export async function rejectsMilvus(p: Promise<unknown>, pattern: RegExp): Promise<MilvusError> {
  let caught: unknown;
  await assert.rejects(p, (e: unknown) => {
    caught = e;
    return true;
  });
  assert.ok(caught instanceof MilvusError, `expected a MilvusError, got ${String(caught)}`);
  assert.match(caught.message, pattern);
  return caught;
}

/** A small deterministic PRNG (mulberry32) for reproducible random tests. */
export const rng = seededRandom;
