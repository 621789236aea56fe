/**
 * The local CatalogStore: the MANIFEST file (storage/manifest.ts, same format). The document body
 * is the manifest's UTF-8 JSON; a commit is the atomic replacement (temp, fsync, rename, fsync the
 * directory), the commit point of every catalog change. Versions count commits in this process
 * (the directory lock keeps any other process out); 0n means no manifest was ever written.
 */
import { posix } from 'node:path';
import type { FileSystem } from '../fs/types.js';
import { writeFileAtomic } from '../fs/durable.js';
import { decodeJsonDoc, encodeJsonDocBytes, readJsonDocFile } from '../json-doc.js';
import { MANIFEST_FILE, MANIFEST_FORMAT } from '../manifest.js';
import type { CatalogStore, Lease } from '../ports.js';
import { errors } from '../../core/errors.js';

const HEADER_BYTES = 16;
const CRC_BYTES = 4;

export class LocalCatalogStore implements CatalogStore {
  private version = 0n;
  private opened = false;

  constructor(
    private readonly fs: FileSystem,
    private readonly dir: string,
  ) {}

  /** The first load (at open) also removes the temp file an interrupted replacement left. */
  async load(): Promise<{ body: Uint8Array; version: bigint } | null> {
    const doc = this.opened ? await this.readCurrent() : await readJsonDocFile(MANIFEST_FORMAT, this.fs, this.dir);
    this.opened = true;
    if (doc === null) return null;
    decodeJsonDoc(MANIFEST_FORMAT, doc.bytes, doc.path); // checks magic, version, length, CRC and JSON
    if (this.version === 0n) this.version = 1n;
    return { body: doc.bytes.slice(HEADER_BYTES, doc.bytes.length - CRC_BYTES), version: this.version };
  }

  private async readCurrent(): Promise<{ bytes: Uint8Array; path: string } | null> {
    const path = posix.join(this.dir, MANIFEST_FILE);
    return (await this.fs.exists(path)) ? { bytes: await this.fs.readFile(path), path } : null;
  }

  async commit(expected: bigint, body: Uint8Array, lease: Lease): Promise<bigint> {
    if (!lease.held) throw errors.leaseLost('catalog commit', { dir: this.dir });
    if (expected !== this.version) {
      throw errors.catalogConflict({ file: posix.join(this.dir, MANIFEST_FILE), expected, actual: this.version });
    }
    await writeFileAtomic(this.fs, this.dir, MANIFEST_FILE, encodeJsonDocBytes(MANIFEST_FORMAT, body));
    this.version += 1n;
    return this.version;
  }
}
