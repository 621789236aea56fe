/**
 * Segment, tombstone and index objects in an S3 bucket (the `BlobStore` port), with plain S3 calls
 * only: PUT, multipart upload, GET (with Range), HEAD, LIST v2, DELETE. No conditional writes (many
 * S3-compatible stores ignore them); immutability is the caller's rule, keys are never rewritten.
 *
 * `publish(key)` uploads `<stagingDir>/<key>` (multipart above `multipartThresholdBytes`), checks the
 * stored length with HEAD, then moves the file into the local cache: resolved means the object is in
 * the store. `localPath` serves from a bounded disk cache (LRU by bytes) and downloads on a miss.
 * Every call is retried with backoff while the endpoint is unreachable or answers 5xx/429, up to
 * `retryBudgetMs`; then it fails with a retriable `remoteUnavailable` error.
 */
import { mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand,
  DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand,
  S3Client, UploadPartCommand, type CompletedPart,
} from '@aws-sdk/client-s3';
import { errors } from '../../core/errors.js';
import type { BlobStore } from '../ports.js';
import { DiskCache } from './disk-cache.js';
import { withRetry, type RetryPolicy } from './s3-retry.js';

export interface S3BlobOptions {
  /** An S3-compatible endpoint (http://host:port); absent for AWS itself. */
  endpoint?: string;
  region: string;
  bucket: string;
  /** Key prefix of this data set inside the bucket (e.g. `sextant/<name>/`). */
  prefix?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  /** Path-style URLs (default true when an endpoint is given, as MinIO and s3rver want). */
  forcePathStyle?: boolean;
  stagingDir: string;
  cacheDir: string;
  cacheBytes: number;
  multipartThresholdBytes?: number;
  partBytes?: number;
  retryBudgetMs?: number;
  requestTimeoutMs?: number;
}

const MiB = 1024 * 1024;

export class S3BlobStore implements BlobStore {
  private readonly prefix: string;
  private readonly bucket: string;
  private readonly thresholdBytes: number;
  private readonly partBytes: number;
  private readonly retry: RetryPolicy;
  private readonly downloads = new Map<string, Promise<string>>();

  private constructor(
    private readonly s3: S3Client, opts: S3BlobOptions, readonly stagingDir: string, private readonly cache: DiskCache,
  ) {
    this.prefix = opts.prefix ?? '';
    this.bucket = opts.bucket;
    this.thresholdBytes = opts.multipartThresholdBytes ?? 8 * MiB;
    this.partBytes = Math.max(5 * MiB, opts.partBytes ?? 8 * MiB);
    this.retry = { budgetMs: opts.retryBudgetMs ?? 60_000, store: 'S3' };
  }

  static async open(opts: S3BlobOptions): Promise<S3BlobStore> {
    const timeoutMs = opts.requestTimeoutMs ?? 10_000;
    const s3 = new S3Client({
      region: opts.region,
      ...(opts.endpoint === undefined ? {} : { endpoint: opts.endpoint }),
      forcePathStyle: opts.forcePathStyle ?? opts.endpoint !== undefined,
      ...(opts.accessKeyId === undefined || opts.secretAccessKey === undefined ? {} : {
        credentials: {
          accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey,
          ...(opts.sessionToken === undefined ? {} : { sessionToken: opts.sessionToken }),
        },
      }),
      maxAttempts: 1,
      requestHandler: { requestTimeout: timeoutMs, connectionTimeout: Math.min(timeoutMs, 3000), throwOnRequestTimeout: true },
    });
    await mkdir(opts.stagingDir, { recursive: true });
    const cache = await DiskCache.open(opts.cacheDir, opts.cacheBytes);
    return new S3BlobStore(s3, opts, opts.stagingDir, cache);
  }

  get cachedBytes(): number {
    return this.cache.usedBytes;
  }

  private objectKey(key: string): string {
    if (key.length === 0 || key.startsWith('/') || key.split('/').includes('..')) {
      throw errors.invalidParameter('blob key', { actual: key });
    }
    return this.prefix + key;
  }

  async publish(key: string): Promise<void> {
    const objectKey = this.objectKey(key);
    const file = path.join(this.stagingDir, key);
    const size = (await stat(file)).size;
    if (size <= this.thresholdBytes) {
      const body = await readFile(file);
      await withRetry(this.retry, `PUT ${objectKey}`, () => this.s3.send(new PutObjectCommand({
        Bucket: this.bucket, Key: objectKey, Body: body, ContentLength: size,
      })));
    } else {
      await this.putMultipart(objectKey, file, size);
    }
    const head = await withRetry(this.retry, `HEAD ${objectKey}`, () => this.s3.send(new HeadObjectCommand({
      Bucket: this.bucket, Key: objectKey,
    })));
    if (head.ContentLength !== size) {
      throw errors.internal(`object ${objectKey} holds ${String(head.ContentLength)} bytes after upload, expected ${size}`);
    }
    await this.cache.adopt(key, file, size);
  }

  private async putMultipart(objectKey: string, file: string, size: number): Promise<void> {
    const created = await withRetry(this.retry, `create multipart ${objectKey}`, () => this.s3.send(
      new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: objectKey })));
    const uploadId = created.UploadId;
    if (uploadId === undefined) throw errors.internal(`S3 gave no upload id for ${objectKey}`);
    const fh = await open(file, 'r');
    try {
      const parts: CompletedPart[] = [];
      for (let offset = 0, n = 1; offset < size; offset += this.partBytes, n++) {
        const length = Math.min(this.partBytes, size - offset);
        const body = Buffer.alloc(length);
        const { bytesRead } = await fh.read(body, 0, length, offset);
        if (bytesRead !== length) throw errors.internal(`short read of ${file} at ${offset}`);
        const res = await withRetry(this.retry, `upload part ${n} of ${objectKey}`, () => this.s3.send(new UploadPartCommand({
          Bucket: this.bucket, Key: objectKey, UploadId: uploadId, PartNumber: n, Body: body, ContentLength: length,
        })));
        parts.push({ PartNumber: n, ETag: res.ETag });
      }
      await withRetry(this.retry, `complete multipart ${objectKey}`, () => this.s3.send(new CompleteMultipartUploadCommand({
        Bucket: this.bucket, Key: objectKey, UploadId: uploadId, MultipartUpload: { Parts: parts },
      })));
    } catch (e) {
      await this.s3.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: objectKey, UploadId: uploadId }))
        .catch(() => undefined);
      throw e;
    } finally {
      await fh.close();
    }
  }

  async localPath(key: string): Promise<string> {
    const hit = this.cache.hit(key);
    if (hit !== null) return hit;
    const running = this.downloads.get(key);
    if (running !== undefined) return running;
    const p = this.download(key).finally(() => this.downloads.delete(key));
    this.downloads.set(key, p);
    return p;
  }

  private async download(key: string): Promise<string> {
    const objectKey = this.objectKey(key);
    const tmp = this.cache.tempPathOf(key);
    try {
      const size = await withRetry(this.retry, `GET ${objectKey}`, async () => {
        const res = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: objectKey }));
        if (!(res.Body instanceof Readable)) throw errors.internal(`GET ${objectKey} gave no stream`);
        return writeStream(res.Body, tmp);
      });
      return await this.cache.adopt(key, tmp, size);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
  }

  async readRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
      throw errors.invalidParameter('blob range', { offset, length });
    }
    if (length === 0) return new Uint8Array(0);
    const cached = this.cache.hit(key);
    if (cached !== null) {
      const fh = await open(cached, 'r').catch(() => null);
      if (fh !== null) {
        try {
          const out = new Uint8Array(length);
          const { bytesRead } = await fh.read(out, 0, length, offset);
          if (bytesRead === length) return out;
        } finally {
          await fh.close();
        }
      }
    }
    const objectKey = this.objectKey(key);
    return withRetry(this.retry, `GET range ${objectKey}`, async () => {
      const res = await this.s3.send(new GetObjectCommand({
        Bucket: this.bucket, Key: objectKey, Range: `bytes=${offset}-${offset + length - 1}`,
      }));
      const bytes = res.Body === undefined ? new Uint8Array(0) : await res.Body.transformToByteArray();
      if (bytes.length !== length) {
        throw errors.invalidParameter('blob range', { key, offset, length, actualBytes: bytes.length });
      }
      return bytes;
    });
  }

  async list(): Promise<string[]> {
    const out: string[] = [];
    let token: string | undefined;
    do {
      const res = await withRetry(this.retry, `LIST ${this.prefix}`, () => this.s3.send(new ListObjectsV2Command({
        Bucket: this.bucket, Prefix: this.prefix, ...(token === undefined ? {} : { ContinuationToken: token }),
      })));
      for (const o of res.Contents ?? []) if (o.Key !== undefined) out.push(o.Key.slice(this.prefix.length));
      token = res.IsTruncated === true ? res.NextContinuationToken : undefined;
    } while (token !== undefined);
    return out;
  }

  async remove(keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      const objectKey = this.objectKey(key);
      await this.cache.drop(key);
      await withRetry(this.retry, `DELETE ${objectKey}`, () => this.s3.send(new DeleteObjectCommand({
        Bucket: this.bucket, Key: objectKey,
      })));
    }
  }

  close(): void {
    this.s3.destroy();
  }
}

/** Writes a stream to `file`, fsyncs it and returns its size. */
async function writeStream(body: Readable, file: string): Promise<number> {
  const fh = await open(file, 'w');
  let size = 0;
  try {
    for await (const chunk of body) {
      const buf = chunk instanceof Uint8Array ? chunk : Buffer.from(String(chunk));
      await fh.write(buf);
      size += buf.length;
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
  return size;
}
