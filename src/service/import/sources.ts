/**
 * Where import files come from. Paths are hostile input, so each source checks them before it
 * touches anything:
 * - local (`ImportOptions.root`): a path is relative to the import root, or absolute; either way
 *   its real path (symbolic links resolved) must lie inside the root's real path. No NUL bytes.
 * - S3 (`ImportOptions.s3`): a path is an object key in the configured bucket (`s3://<bucket>/`
 *   may prefix it); no leading `/`, no `.`/`..` segments, no NUL bytes.
 * Sizes are checked against `limits.importMaxFileBytes` before a file is read.
 */
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { importErrors } from '../../core/errors.js';
import { limits } from '../../core/limits.js';
import type { ImportOptions, ImportS3Options } from './types.js';

export interface ImportSource {
  /** Refuses a malformed path before the job is accepted. */
  check(p: string): void;
  /** Size in bytes; fails naming the file when it is missing or not a file. */
  size(p: string): Promise<number>;
  read(p: string): Promise<Uint8Array>;
  /**
   * The files directly in a folder (local directory, or S3 prefix ending in `/`); with `recursive`,
   * those of its subfolders too (at most `limits.importMaxFilesPerJob` + 1 are listed).
   */
  list(folder: string, recursive?: boolean): Promise<string[]>;
}

const MAX_PATH_CHARS = 4_096;
/** Folder levels a recursive listing descends (deeper subfolders are not read). */
const MAX_FOLDER_DEPTH = 32;

function checkCommon(p: string): void {
  if (p.length === 0) throw importErrors.failed('empty file path');
  if (p.length > MAX_PATH_CHARS) throw importErrors.failed(`file path longer than ${MAX_PATH_CHARS} characters`);
  if (p.includes('\0')) throw importErrors.failed(`file path ${JSON.stringify(p)} contains a NUL byte`);
}

function tooLarge(p: string, size: number): Error {
  return importErrors.failed(`file ${p} is ${size} bytes, larger than the limit of ${limits.importMaxFileBytes} bytes`);
}

class LocalSource implements ImportSource {
  private rootReal: Promise<string> | null = null;

  constructor(private readonly root: string) {}

  check(p: string): void {
    checkCommon(p);
  }

  /** The real path of `p`, refused unless inside the root. */
  private async resolve(p: string): Promise<string> {
    this.check(p);
    this.rootReal ??= realpath(this.root);
    const root = await this.rootReal.catch(() => { throw importErrors.failed(`the import root ${this.root} does not exist`); });
    const abs = path.isAbsolute(p) ? path.normalize(p) : path.resolve(root, p);
    let real: string;
    try {
      real = await realpath(abs);
    } catch {
      throw importErrors.failed(`file ${p} not found`);
    }
    if (real !== root && !real.startsWith(root.endsWith(path.sep) ? root : root + path.sep)) {
      throw importErrors.failed(`file ${p} is outside the import root`);
    }
    return real;
  }

  async size(p: string): Promise<number> {
    const st = await stat(await this.resolve(p));
    if (!st.isFile()) throw importErrors.failed(`${p} is not a file`);
    if (st.size > limits.importMaxFileBytes) throw tooLarge(p, st.size);
    return st.size;
  }

  async read(p: string): Promise<Uint8Array> {
    await this.size(p);
    return readFile(await this.resolve(p));
  }

  async list(folder: string, recursive = false, depth = 0): Promise<string[]> {
    const real = await this.resolve(folder);
    const entries = await readdir(real, { withFileTypes: true }).catch(() => { throw importErrors.failed(`${folder} is not a folder`); });
    const files = entries.filter((e) => e.isFile()).map((e) => path.join(folder, e.name)).sort();
    if (!recursive || depth >= MAX_FOLDER_DEPTH) return files;
    // Subfolders one level at a time (symbolic links are neither files nor folders here, so never followed).
    for (const d of entries.filter((e) => e.isDirectory()).map((e) => e.name).sort()) {
      if (files.length > limits.importMaxFilesPerJob) break;
      files.push(...await this.list(path.join(folder, d), true, depth + 1));
    }
    return files;
  }
}

class S3Source implements ImportSource {
  private readonly s3: S3Client;

  constructor(private readonly opts: ImportS3Options) {
    this.s3 = new S3Client({
      region: opts.region,
      forcePathStyle: true,
      ...(opts.endpoint !== undefined ? { endpoint: opts.endpoint } : {}),
      ...(opts.accessKeyId !== undefined && opts.secretAccessKey !== undefined
        ? { credentials: { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey } } : {}),
    });
  }

  check(p: string): void {
    this.key(p);
  }

  private key(p: string): string {
    checkCommon(p);
    let k = p;
    const prefix = `s3://${this.opts.bucket}/`;
    if (k.startsWith('s3://')) {
      if (!k.startsWith(prefix)) throw importErrors.failed(`file ${p} is not in the import bucket ${this.opts.bucket}`);
      k = k.slice(prefix.length);
    }
    if (k.startsWith('/') || k.split('/').some((s) => s === '.' || s === '..')) throw importErrors.failed(`file path ${p} is not a plain object key`);
    return k;
  }

  private fail(p: string, e: unknown): Error {
    const name = typeof e === 'object' && e !== null && 'name' in e ? String((e as { name: unknown }).name) : '';
    if (name === 'NotFound' || name === 'NoSuchKey') return importErrors.failed(`file ${p} not found in bucket ${this.opts.bucket}`);
    return importErrors.failed(`reading ${p} from bucket ${this.opts.bucket}: ${e instanceof Error ? e.message : String(e)}`);
  }

  async size(p: string): Promise<number> {
    const out = await this.s3.send(new HeadObjectCommand({ Bucket: this.opts.bucket, Key: this.key(p) })).catch((e: unknown) => { throw this.fail(p, e); });
    const size = out.ContentLength ?? 0;
    if (size > limits.importMaxFileBytes) throw tooLarge(p, size);
    return size;
  }

  async read(p: string): Promise<Uint8Array> {
    await this.size(p);
    const out = await this.s3.send(new GetObjectCommand({ Bucket: this.opts.bucket, Key: this.key(p) })).catch((e: unknown) => { throw this.fail(p, e); });
    if (!out.Body) throw importErrors.failed(`file ${p} has no body`);
    return out.Body.transformToByteArray();
  }

  async list(folder: string, recursive = false): Promise<string[]> {
    const prefix = this.key(folder);
    const keys: string[] = [];
    let token: string | undefined;
    for (let page = 0; page < 1_000 && keys.length <= limits.importMaxFilesPerJob; page++) {
      const out = await this.s3.send(new ListObjectsV2Command({
        Bucket: this.opts.bucket, Prefix: prefix, ContinuationToken: token, ...(recursive ? {} : { Delimiter: '/' }),
      }))
        .catch((e: unknown) => { throw this.fail(folder, e); });
      for (const o of out.Contents ?? []) if (o.Key !== undefined && o.Key !== prefix) keys.push(o.Key);
      token = out.NextContinuationToken;
      if (out.IsTruncated !== true || token === undefined) break;
    }
    return keys.sort();
  }
}

/** A source over one S3 bucket (an external collection's `extfs` settings, service/import/refresh.ts). */
export function s3Source(opts: ImportS3Options): ImportSource {
  return new S3Source(opts);
}

/** The configured source, or null when import has none (local root absent and no bucket). */
export function importSource(opts: ImportOptions): ImportSource | null {
  if (opts.s3 !== undefined) return new S3Source(opts.s3);
  if (opts.root !== undefined) return new LocalSource(opts.root);
  return null;
}
