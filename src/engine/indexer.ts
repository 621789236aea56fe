/**
 * Vector index builds: one per (sealed segment, vector index). Builds run in a worker thread when
 * the engine is on the real file system (off the event loop), one at a time so searches keep a
 * core; results are written as index files next to the segment and recorded in the manifest.
 * Loading reads those files and never rebuilds. Growing data is searched exactly until sealed.
 */
import { Worker } from 'node:worker_threads';
import { errors } from '../core/errors.js';
import { workerExecArgv } from '../core/worker-flags.js';
import { getIndexDescriptor, validateIndexParams } from '../index/registry.js';
import { isVectorKind } from '../index/metrics.js';
import { columnKindFor } from '../schema/column.js';
import { NodeFileSystem } from '../storage/fs/node.js';
import { locateIndexPayload, readIndexFile, writeIndexFile } from '../storage/index-file.js';
import type { CollectionRuntime } from './collection.js';
import type { Catalog, SegmentDir } from './parts.js';
import type { BuildJob } from './index-build.js';
import { buildIndexPayload } from './index-build.js';
import type { IndexMeta } from './meta.js';
import type { PartitionRuntime, SealedSegment } from './partition.js';

interface Task {
  c: CollectionRuntime;
  p: PartitionRuntime;
  seg: SealedSegment;
  index: IndexMeta;
}

export class Indexer {
  private readonly queue: Task[] = [];
  private readonly queued = new Set<string>();
  private running: Promise<void> | null = null;
  private worker: Worker | null = null;
  private nextJobId = 1;
  private closed = false;
  private readonly waiting = new Map<number, { resolve: (p: Uint8Array) => void; reject: (e: Error) => void }>();
  /** The last build failure per index id, reported by DescribeIndex. */
  readonly failures = new Map<number, string>();
  /** Called after every index build with its index type, duration and outcome (metrics). */
  readonly buildListeners = new Set<(indexType: string, seconds: number, ok: boolean) => void>();

  constructor(
    private readonly catalog: Catalog,
    private readonly files: SegmentDir,
  ) {}

  /** Queue builds for every sealed segment of the collection that lacks one of its vector indexes. */
  schedule(c: CollectionRuntime): void {
    if (this.closed) return;
    for (const index of c.meta.indexes) {
      const field = c.meta.schema.fields.find((f) => f.fieldId === index.fieldId);
      if (!field || !isVectorKind(columnKindFor(field.dataType))) continue;
      for (const p of c.partitions.values()) {
        for (const seg of p.sealed) {
          if (seg.meta.indexFiles?.[String(index.id)] !== undefined) continue;
          const key = `${seg.meta.id}:${index.id}`;
          if (this.queued.has(key)) continue;
          this.queued.add(key);
          this.queue.push({ c, p, seg, index });
        }
      }
    }
    if (!this.running && this.queue.length > 0) this.running = this.drain();
  }

  /** Resolves when every queued build has finished (or failed). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    try {
      for (let t = this.queue.shift(); t; t = this.queue.shift()) {
        this.queued.delete(`${t.seg.meta.id}:${t.index.id}`);
        const started = performance.now();
        let ok = false;
        try {
          await this.buildOne(t);
          this.failures.delete(t.index.id);
          ok = true;
        } catch (e) {
          this.failures.set(t.index.id, e instanceof Error ? e.message : String(e));
        }
        for (const l of this.buildListeners) l(t.index.indexType, (performance.now() - started) / 1000, ok);
      }
    } finally {
      this.running = null;
      // A build worker holds the segment it last read until it exits: let it go when idle.
      if (this.queue.length === 0 && this.worker) {
        const w = this.worker;
        this.worker = null;
        await w.terminate();
      }
    }
  }

  private stillLive(t: Task): boolean {
    return this.catalog.collections.get(t.c.id) === t.c && t.c.partitions.get(t.p.meta.id) === t.p &&
      t.p.sealed.includes(t.seg) && t.c.meta.indexes.includes(t.index);
  }

  private async buildOne(t: Task): Promise<void> {
    if (!this.stillLive(t)) return;
    const field = t.c.meta.schema.fields.find((f) => f.fieldId === t.index.fieldId)!;
    const kind = columnKindFor(field.dataType);
    if (!isVectorKind(kind)) return;
    const desc = getIndexDescriptor(t.index.indexType);
    const spec = validateIndexParams(desc, kind, t.index.metricType || undefined, t.index.params);
    let file = '';
    if (t.seg.meta.numRows >= (desc.exactThreshold ?? 0)) {
      const job: BuildJob = {
        segmentPath: this.files.path(t.seg.meta.file),
        fieldId: t.index.fieldId,
        indexType: desc.name,
        metric: spec.metric,
        params: spec.params,
      };
      const payload = this.files.fs instanceof NodeFileSystem ? await this.inWorker(job) : await buildIndexPayload(this.files.fs, job);
      if (!this.stillLive(t)) return;
      file = `idx-${t.seg.meta.id}-${t.index.id}.sxi`;
      await writeIndexFile(this.files.fs, this.files.dir, file, {
        meta: { segmentId: t.seg.meta.id, indexId: t.index.id, field: field.name, indexType: desc.name, metric: spec.metric },
        payload,
      });
    }
    if (!this.stillLive(t)) {
      if (file) await this.files.remove([file]);
      return;
    }
    // The segment meta object is shared with p.meta.segments, so the manifest sees this too.
    t.seg.meta.indexFiles = { ...(t.seg.meta.indexFiles ?? {}), [String(t.index.id)]: file };
    await this.catalog.persist();
    if (t.seg.data && file) await this.attachOne(t.c, t.seg, t.index);
  }

  private inWorker(job: BuildJob): Promise<Uint8Array> {
    if (!this.worker) {
      this.worker = new Worker(new URL('./index-worker.js', import.meta.url), { execArgv: workerExecArgv() });
      this.worker.unref();
      this.worker.on('message', (m: { id: number; payload?: Uint8Array; error?: string }) => {
        const w = this.waiting.get(m.id);
        if (!w) return;
        this.waiting.delete(m.id);
        if (m.payload) w.resolve(m.payload);
        else w.reject(errors.internal(`index build failed: ${m.error ?? 'unknown error'}`));
      });
      this.worker.on('error', (e) => {
        for (const w of this.waiting.values()) w.reject(e);
        this.waiting.clear();
        this.worker = null;
      });
    }
    const id = this.nextJobId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker!.postMessage({ id, job });
    });
  }

  /** Load the built indexes of a segment whose columns are in memory. */
  async attach(c: CollectionRuntime, seg: SealedSegment): Promise<void> {
    for (const index of c.meta.indexes) {
      if (seg.meta.indexFiles?.[String(index.id)]) await this.attachOne(c, seg, index);
    }
  }

  private async attachOne(c: CollectionRuntime, seg: SealedSegment, index: IndexMeta): Promise<void> {
    const data = seg.data;
    const file = seg.meta.indexFiles?.[String(index.id)];
    if (!data || !file) return;
    const field = c.meta.schema.fields.find((f) => f.fieldId === index.fieldId)!;
    const kind = columnKindFor(field.dataType);
    if (!isVectorKind(kind)) return;
    const col = data.column(field.name);
    if (!col) return;
    const desc = getIndexDescriptor(index.indexType);
    const spec = validateIndexParams(desc, kind, index.metricType || undefined, index.params);
    const path = this.files.path(file);
    // A disk index (DISKANN) reads its file in place on the real file system; others are read whole.
    if (desc.openFile !== undefined && this.files.fs instanceof NodeFileSystem) {
      const region = await locateIndexPayload(this.files.fs, path);
      const vi = desc.openFile({ path, ...region }, col, data.numRows, spec);
      data.indexes.get(field.name)?.index.close?.();
      data.indexes.set(field.name, { index: vi, sizeBytes: vi.memoryBytes ?? region.length });
      return;
    }
    const { payload } = await readIndexFile(this.files.fs, path);
    const vi = desc.deserialize(payload, col, data.numRows, spec);
    data.indexes.set(field.name, { index: vi, sizeBytes: payload.length });
  }

  /** Forget an index: drop it from loaded segments and return its files for deletion. */
  detach(c: CollectionRuntime, index: IndexMeta): string[] {
    const files: string[] = [];
    for (const p of c.partitions.values()) {
      for (const seg of p.sealed) {
        const f = seg.meta.indexFiles?.[String(index.id)];
        if (f !== undefined) {
          if (f) files.push(f);
          const rest = { ...seg.meta.indexFiles };
          delete rest[String(index.id)];
          seg.meta.indexFiles = rest;
        }
        seg.data?.indexes.get(index.fieldName)?.index.close?.();
        seg.data?.indexes.delete(index.fieldName);
      }
    }
    return files;
  }

  /** Rows of sealed segments indexed / not yet indexed for one index. */
  progress(c: CollectionRuntime, index: IndexMeta): { indexedRows: number; pendingRows: number } {
    let indexedRows = 0;
    let pendingRows = 0;
    for (const p of c.partitions.values()) {
      for (const seg of p.sealed) {
        if (seg.meta.indexFiles?.[String(index.id)] !== undefined) indexedRows += seg.meta.numRows;
        else pendingRows += seg.meta.numRows;
      }
    }
    return { indexedRows, pendingRows };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    this.queued.clear();
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
    for (const wait of this.waiting.values()) wait.reject(errors.internal('index build cancelled: closing'));
    this.waiting.clear();
    await this.idle();
  }
}
