/**
 * The catalog document in etcd (the `CatalogStore` port).
 *
 * Keys under `<prefix>/catalog/<name>/`: `head` (JSON: part count, byte length, CRC-32C of the body)
 * and `part/000000`, `part/000001`, ... each at most `chunkBytes` (default 1 MiB; etcd refuses a value
 * over its request limit). A commit is ONE transaction: it compares the head's mod revision with the
 * expected version AND the owner key's create revision with the lease's token, then puts the head and
 * every part and deletes parts left over from a longer document. The version is the head's mod
 * revision (the transaction's revision). A load is one range read, so it sees one revision.
 *
 * The whole document travels in one etcd request: etcd's `--max-request-bytes` (1.5 MiB by default)
 * and `--max-txn-ops` (128) must allow it; `maxDocumentBytes` refuses a larger one with a clear error
 * instead of a gRPC failure.
 */
import type { Etcd3 } from 'etcd3';
import { errors } from '../../core/errors.js';
import type { CatalogStore, Lease } from '../ports.js';
import { crc32c } from '../../core/crc32c.js';
import { currentOwner, fenceKey } from './etcd-lease.js';

export interface EtcdCatalogOptions {
  prefix?: string;
  /** The data set's name (one catalog per writer lease). */
  name: string;
  chunkBytes?: number;
  /** Largest document accepted (default 24 MiB; the etcd server must allow the request). */
  maxDocumentBytes?: number;
}

interface Head {
  parts: number;
  bytes: number;
  crc: number;
}

const PART_DIGITS = 6;

function parseHead(value: Buffer): Head {
  const doc: unknown = JSON.parse(value.toString('utf8'));
  if (typeof doc !== 'object' || doc === null) throw errors.internal('catalog head in etcd is not an object');
  const { parts, bytes, crc } = doc as Record<string, unknown>;
  if (typeof parts !== 'number' || typeof bytes !== 'number' || typeof crc !== 'number') {
    throw errors.internal('catalog head in etcd lacks parts, bytes or crc');
  }
  return { parts, bytes, crc };
}

export class EtcdCatalogStore implements CatalogStore {
  private readonly base: string;
  private readonly chunkBytes: number;
  private readonly maxDocumentBytes: number;

  constructor(private readonly client: Etcd3, opts: EtcdCatalogOptions) {
    this.base = `${opts.prefix ?? '/sextant'}/catalog/${opts.name}`;
    this.chunkBytes = opts.chunkBytes ?? 1024 * 1024;
    this.maxDocumentBytes = opts.maxDocumentBytes ?? 24 * 1024 * 1024;
  }

  private partKey(i: number): string {
    return `${this.base}/part/${String(i).padStart(PART_DIGITS, '0')}`;
  }

  /** The current document's version without reading it (0n: none yet); a follower polls it. */
  async version(): Promise<bigint> {
    const res = await this.client.get(`${this.base}/head`).exec();
    const kv = res.kvs[0];
    return kv === undefined ? 0n : BigInt(kv.mod_revision);
  }

  async load(): Promise<{ body: Uint8Array; version: bigint } | null> {
    const res = await this.client.getAll().prefix(`${this.base}/`).exec();
    const headKey = `${this.base}/head`;
    const headKv = res.kvs.find((kv) => kv.key.toString('utf8') === headKey);
    if (headKv === undefined) return null;
    const head = parseHead(headKv.value);
    const parts = new Map<string, Buffer>();
    for (const kv of res.kvs) parts.set(kv.key.toString('utf8'), kv.value);
    const body = new Uint8Array(head.bytes);
    let at = 0;
    for (let i = 0; i < head.parts; i++) {
      const part = parts.get(this.partKey(i));
      if (part === undefined || at + part.length > head.bytes) {
        throw errors.internal(`catalog in etcd is damaged: part ${i} of ${head.parts} missing or too long`);
      }
      body.set(part, at);
      at += part.length;
    }
    if (at !== head.bytes || crc32c(body) !== head.crc) {
      throw errors.internal(`catalog in etcd is damaged: ${at} bytes of ${head.bytes} or CRC mismatch`);
    }
    return { body, version: BigInt(headKv.mod_revision) };
  }

  async commit(expected: bigint, body: Uint8Array, lease: Lease): Promise<bigint> {
    const fence = fenceKey(lease);
    if (body.length > this.maxDocumentBytes) {
      throw errors.parameterTooLarge('catalog document', { bytes: body.length, maxBytes: this.maxDocumentBytes });
    }
    const parts = Math.max(1, Math.ceil(body.length / this.chunkBytes));
    const head: Head = { parts, bytes: body.length, crc: crc32c(body) };
    const ops = [this.client.put(`${this.base}/head`).value(JSON.stringify(head))];
    for (let i = 0; i < parts; i++) {
      const chunk = body.subarray(i * this.chunkBytes, Math.min(body.length, (i + 1) * this.chunkBytes));
      ops.push(this.client.put(this.partKey(i)).value(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length)));
    }
    const stale = this.client.delete().inRange({ start: this.partKey(parts), end: `${this.base}/part0` });
    const res = await this.client
      .if(`${this.base}/head`, 'Mod', '==', expected.toString())
      .and(fence.ownerKey, 'Create', '==', fence.token.toString())
      .then(...ops, stale)
      .commit();
    if (res.succeeded) return BigInt(res.header.revision);
    throw await this.whyRefused(expected, fence);
  }

  /** Reads what made the transaction fail, to refuse with the right error. */
  private async whyRefused(expected: bigint, fence: { ownerKey: string; token: bigint }): Promise<Error> {
    const owner = await currentOwner(this.client, fence.ownerKey);
    if (owner.token !== fence.token) {
      return errors.leaseLost('catalog commit', {
        token: fence.token, ownerToken: owner.token, owner: owner.holder || undefined,
      });
    }
    const head = await this.client.get(`${this.base}/head`).exec();
    const actual = head.kvs[0] === undefined ? 0n : BigInt(head.kvs[0].mod_revision);
    return errors.catalogConflict({ expected, actual });
  }
}
