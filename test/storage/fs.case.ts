/** The FileSystem contract, run against every backend (see fs.test.ts). */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FileSystem } from '../../src/storage/fs/types.js';

export interface FsFixture {
  fs: FileSystem;
  /** An existing, empty directory to work in. */
  root: string;
  cleanup(): Promise<void>;
}

const bytes = (...xs: number[]) => Uint8Array.from(xs);
const text = (s: string) => new TextEncoder().encode(s);

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.equal((e as { code?: unknown }).code, code);
    return true;
  });
}

export function fileSystemSuite(name: string, make: () => Promise<FsFixture>): void {
  describe(`FileSystem contract: ${name}`, () => {
    let fx: FsFixture;
    let fs: FileSystem;
    let p: (rel: string) => string;
    beforeEach(async () => {
      fx = await make();
      fs = fx.fs;
      p = (rel) => `${fx.root}/${rel}`;
    });
    afterEach(() => fx.cleanup());

    test('positional and sequential writes, reads, size', async () => {
      const fh = await fs.open(p('f'), 'w');
      await fh.write(text('hello'));
      await fh.write(text(' world'));
      await fh.write(text('J'), 0);
      assert.equal(await fh.size(), 11);
      await fh.close();
      assert.equal(new TextDecoder().decode(await fs.readFile(p('f'))), 'Jello world');
      const r = await fs.open(p('f'), 'r');
      const into = new Uint8Array(8);
      assert.equal(await r.read(into, 6), 5);
      assert.deepEqual(into.subarray(0, 5), text('world'));
      assert.equal(await r.read(into, 11), 0);
      await r.close();
    });

    test('writing past the end fills the gap with zeros', async () => {
      const fh = await fs.open(p('gap'), 'w');
      await fh.write(bytes(1, 2), 0);
      await fh.write(bytes(9), 5);
      await fh.close();
      assert.deepEqual(await fs.readFile(p('gap')), bytes(1, 2, 0, 0, 0, 9));
    });

    test('open flags: r, r+, w, wx, a', async () => {
      await rejectsWith(fs.open(p('missing'), 'r'), 'ENOENT');
      await rejectsWith(fs.open(p('missing'), 'r+'), 'ENOENT');
      const w = await fs.open(p('f'), 'wx');
      await w.write(bytes(1, 2, 3, 4));
      await w.close();
      await rejectsWith(fs.open(p('f'), 'wx'), 'EEXIST');
      const rw = await fs.open(p('f'), 'r+');
      await rw.write(bytes(9), 1);
      await rw.close();
      assert.deepEqual(await fs.readFile(p('f')), bytes(1, 9, 3, 4));
      const a = await fs.open(p('f'), 'a');
      await a.write(bytes(5));
      await a.close();
      assert.deepEqual(await fs.readFile(p('f')), bytes(1, 9, 3, 4, 5));
      const t = await fs.open(p('f'), 'w');
      await t.close();
      assert.equal((await fs.stat(p('f'))).size, 0);
      const a2 = await fs.open(p('new-by-append'), 'a');
      await a2.write(bytes(7));
      await a2.close();
      assert.deepEqual(await fs.readFile(p('new-by-append')), bytes(7));
    });

    test('read-only handles refuse writes and write-only handles refuse reads', async () => {
      const w = await fs.open(p('f'), 'w');
      await rejectsWith(w.read(new Uint8Array(1), 0), 'EBADF');
      await w.close();
      const r = await fs.open(p('f'), 'r');
      await rejectsWith(r.write(bytes(1), 0), 'EBADF');
      await r.close();
      await rejectsWith(r.size(), 'EBADF');
    });

    test('truncate shrinks and extends with zeros', async () => {
      const fh = await fs.open(p('f'), 'w');
      await fh.write(bytes(1, 2, 3, 4, 5), 0);
      await fh.truncate(2);
      assert.equal(await fh.size(), 2);
      await fh.truncate(4);
      await fh.sync();
      await fh.close();
      assert.deepEqual(await fs.readFile(p('f')), bytes(1, 2, 0, 0));
    });

    test('rename moves and replaces', async () => {
      for (const [n, v] of [['a', 1], ['b', 2]] as const) {
        const fh = await fs.open(p(n), 'w');
        await fh.write(bytes(v), 0);
        await fh.close();
      }
      await fs.rename(p('a'), p('b'));
      assert.equal(await fs.exists(p('a')), false);
      assert.deepEqual(await fs.readFile(p('b')), bytes(1));
      await rejectsWith(fs.rename(p('a'), p('c')), 'ENOENT');
      await fs.mkdir(p('sub'));
      await fs.rename(p('b'), p('sub/b'));
      assert.deepEqual(await fs.readdir(p('sub')), ['b']);
    });

    test('unlink, readdir (sorted), exists, stat', async () => {
      for (const n of ['c', 'a', 'b']) await (await fs.open(p(n), 'w')).close();
      await fs.mkdir(p('d'));
      assert.deepEqual(await fs.readdir(fx.root), ['a', 'b', 'c', 'd']);
      await fs.unlink(p('b'));
      assert.deepEqual(await fs.readdir(fx.root), ['a', 'c', 'd']);
      await rejectsWith(fs.unlink(p('b')), 'ENOENT');
      await rejectsWith(fs.unlink(p('d')), 'EISDIR');
      assert.equal(await fs.exists(p('a')), true);
      assert.equal(await fs.exists(p('b')), false);
      assert.equal(await fs.exists(p('a/below-a-file')), false);
      assert.equal((await fs.stat(p('d'))).isDirectory, true);
      assert.equal((await fs.stat(p('a'))).isDirectory, false);
      await rejectsWith(fs.stat(p('b')), 'ENOENT');
      await rejectsWith(fs.readdir(p('nope')), 'ENOENT');
      await rejectsWith(fs.readdir(p('a')), 'ENOTDIR');
      await rejectsWith(fs.readFile(p('d')), 'EISDIR');
      await rejectsWith(fs.readFile(p('nope')), 'ENOENT');
    });

    test('mkdir, recursive and not', async () => {
      await rejectsWith(fs.mkdir(p('x/y')), 'ENOENT');
      await fs.mkdir(p('x/y/z'), { recursive: true });
      await fs.mkdir(p('x/y/z'), { recursive: true });
      await rejectsWith(fs.mkdir(p('x')), 'EEXIST');
      assert.equal((await fs.stat(p('x/y/z'))).isDirectory, true);
      await rejectsWith(fs.open(p('nope/f'), 'w'), 'ENOENT');
      await rejectsWith(fs.open(p('x'), 'w'), 'EISDIR');
    });

    test('fsyncDir and sync succeed on existing paths only', async () => {
      const fh = await fs.open(p('f'), 'w');
      await fh.write(bytes(1), 0);
      await fh.sync();
      await fh.close();
      await fs.fsyncDir(fx.root);
      await rejectsWith(fs.fsyncDir(p('nope')), 'ENOENT');
    });

    test('rm of files and directory trees', async () => {
      await fs.mkdir(p('t/u'), { recursive: true });
      await (await fs.open(p('t/u/f'), 'w')).close();
      await rejectsWith(fs.rm(p('t')), 'EISDIR');
      await fs.rm(p('t'), { recursive: true });
      assert.equal(await fs.exists(p('t')), false);
      await rejectsWith(fs.rm(p('t')), 'ENOENT');
      await fs.rm(p('t'), { force: true });
      await fs.rm(p('t/u/f'), { force: true });
      await (await fs.open(p('g'), 'w')).close();
      await fs.rm(p('g'));
      assert.deepEqual(await fs.readdir(fx.root), []);
    });
  });
}
