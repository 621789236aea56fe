/**
 * What the engine's parts (writer.ts, loader.ts, indexer.ts) are given by the engine when it makes
 * them, instead of a pointer back to the whole Engine: the catalog as they see it and the segments
 * directory. The WAL and the clock are passed as themselves; calls between parts are callbacks.
 */
import * as path from 'node:path';
import type { FileSystem } from '../storage/fs/types.js';
import type { CollectionRuntime } from './collection.js';

/** The live collections, id allocation and the durable manifest write (the engine implements it). */
export interface Catalog {
  readonly collections: ReadonlyMap<number, CollectionRuntime>;
  allocId(): number;
  /** Write the manifest from the current catalog state. */
  persist(): Promise<void>;
}

/** The segments/ directory: segment, tombstone and index files. */
export class SegmentDir {
  constructor(
    readonly fs: FileSystem,
    readonly dir: string,
  ) {}

  path(file: string): string {
    return path.join(this.dir, file);
  }

  async remove(files: readonly string[]): Promise<void> {
    for (const f of files) {
      const p = this.path(f);
      if (await this.fs.exists(p)) await this.fs.unlink(p);
    }
  }
}
