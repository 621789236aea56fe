/** Durable file-system idioms built on the seam: create a directory path, replace a file atomically. */
import { posix } from 'node:path';
import { assert } from '../../core/assert.js';
import type { FileSystem } from './types.js';

/** Creates `dir` and any missing ancestors, fsyncing each new entry's parent so the path survives a crash. */
export async function ensureDir(fs: FileSystem, dir: string): Promise<void> {
  const missing: string[] = [];
  let at = dir;
  while (!(await fs.exists(at))) {
    missing.push(at);
    const parent = posix.dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (let i = missing.length - 1; i >= 0; i--) {
    const d = missing[i] as string;
    await fs.mkdir(d, { recursive: true });
    await fs.fsyncDir(posix.dirname(d));
  }
}

/**
 * Replaces `dir/name` with `bytes` (one buffer, or pieces written one after another: they must not
 * change until this resolves) atomically: write `name.tmp`, fsync it, rename over `name`,
 * fsync `dir`. After a crash at any point, `dir/name` holds either the old or the new bytes. When
 * writing the temp file fails it is removed (best effort: a full disk gets its space back; a
 * leftover is removed at the next open) and the write's error is thrown.
 */
export async function writeFileAtomic(fs: FileSystem, dir: string, name: string, bytes: Uint8Array | readonly Uint8Array[]): Promise<void> {
  const tmp = posix.join(dir, `${name}.tmp`);
  const fh = await fs.open(tmp, 'w');
  try {
    if (bytes instanceof Uint8Array) await fh.write(bytes, 0);
    else {
      const lengths = bytes.map((b) => b.length);
      let at = 0;
      for (let i = 0; i < bytes.length; i++) {
        // A piece whose buffer went away meanwhile (a detached view) is a bug, never a short file.
        assert(bytes[i]!.length === lengths[i], `${name}: piece ${i} changed length while being written`);
        await fh.write(bytes[i]!, at);
        at += lengths[i]!;
      }
    }
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => undefined);
    await fs.unlink(tmp).catch(() => undefined);
    throw e;
  }
  await fh.close();
  await fs.rename(tmp, posix.join(dir, name));
  await fs.fsyncDir(dir);
}
