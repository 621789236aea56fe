/**
 * Index builds: one per (sealed segment, index), vector and scalar alike (scalar-indexes.ts). Builds run on a pool of worker
 * threads when the engine is on the real file system (off the event loop), several segments at
 * once (one per build thread, `buildThreads`, default one per core); results are written as index
 * files next to the segment and recorded in the manifest. Compaction builds its merged segment's
 * indexes through `buildFor` before the segment is swapped in. Loading reads those files and never
 * rebuilds. Growing data is searched exactly until sealed.
 */
import { getIndexDescriptor, validateIndexParams } from '../index/registry.js';
import { isVectorKind, type VectorKind } from '../index/metrics.js';
import { columnKindFor, type Column } from '../schema/column.js';
import { mappedFieldNames, type MappedColumn } from './mmap-column.js';
import { mappedVectorRows } from './mapped-rows.js';
import { NodeFileSystem } from '../storage/fs/node.js';
import { locateIndexPayload, readIndexFile, readIndexPayload, writeIndexFile } from '../storage/index-file.js';
import type { CollectionRuntime } from './collection.js';
import type { Catalog, SegmentDir } from './parts.js';
import type { BuildJob } from './index-build.js';
import { buildIndexPayload } from './index-build.js';
import { JobThreads } from './job-threads.js';
import type { IndexMeta, SealedSegmentMeta } from './meta.js';
import type { PartitionRuntime, SealedSegment } from './partition.js';
import { scalarBuildOf, scalarEntryOf } from './scalar-indexes.js';
import { isStructVectorMember, memberBaseMetric, memberElements, memberVectorKind } from '../schema/struct.js';
import type { FieldSchema } from '../schema/types.js';
import type { MetricType } from '../core/enums.js';
import type { IndexParams } from '../index/descriptor.js';

interface Task {
  c: CollectionRuntime;
  p: PartitionRuntime;
  seg: SealedSegment;
  index: IndexMeta;
}

/** Bytes of one vector as a column of `kind` stores it (sparse rows vary: 0, the file size stands in). */
function rawRowBytes(kind: VectorKind, dim: number): number {
  switch (kind) {
    case 'floatVector': return 4 * dim;
    case 'float16Vector': case 'bfloat16Vector': return 2 * dim;
    case 'int8Vector': return dim;
    case 'binaryVector': return dim / 8;
    case 'sparseVector': return 0;
  }
}

type LoadedIndexes = NonNullable<SealedSegment['data']>['indexes'];

/** A loaded segment's index for a field, put in place of the one it held (closed: a second attach of the same file must not leak the first). */
function replaceIndex(data: { readonly indexes: LoadedIndexes }, field: string, entry: Parameters<LoadedIndexes['set']>[1]): void {
  data.indexes.get(field)?.index.close?.();
  data.indexes.set(field, entry);
}

/** The key of one (sealed segment, index) build in `Indexer`'s `queued` and `building` sets. */
function buildKey(seg: SealedSegmentMeta, index: IndexMeta): string {
  return `${seg.id}:${index.id}`;
}

export class Indexer {
  private readonly queue: Task[] = [];
  private readonly queued = new Set<string>();
  /**
   * Builds under way, by the same `segment:index` key. A segment learns its index file only when its
   * build ends, so without this a `schedule` during a build (a flush sealing another segment, a
   * compaction finishing) queued the same build again, and it ran a second time once the first was
   * done: 1M x 128 HNSW, ~280 s more of build threads after DescribeIndex said Finished, under the
   * searches that followed (bench/README.md "Session 22").
   */
  private readonly building = new Set<string>();
  private running: Promise<void> | null = null;
  private readonly threads: JobThreads<BuildJob, Uint8Array>;
  private closed = false;
  /** Builds under way right now (DescribeIndex reports them as pending until they finish). */
  activeBuilds = 0;
  /** The last build failure per index id, reported by DescribeIndex. */
  readonly failures = new Map<number, string>();
  /** Called after every index build with its index type, duration and outcome (metrics). */
  readonly buildListeners = new Set<(indexType: string, seconds: number, ok: boolean) => void>();

  constructor(
    private readonly catalog: Catalog,
    private readonly files: SegmentDir,
    readonly buildThreads: number,
  ) {
    this.threads = new JobThreads(new URL('./index-worker.js', import.meta.url), buildThreads, 'index build');
  }

  /** Queue builds for every sealed segment of the collection that lacks one of its vector indexes. */
  schedule(c: CollectionRuntime): void {
    if (this.closed) return;
    for (const index of c.meta.indexes) {
      const field = c.meta.schema.fields.find((f) => f.fieldId === index.fieldId);
      if (!field) continue;
      for (const p of c.partitions.values()) {
        for (const seg of p.sealed) {
          if (seg.meta.indexFiles?.[String(index.id)] !== undefined) continue;
          const key = buildKey(seg.meta, index);
          if (this.queued.has(key) || this.building.has(key)) continue;
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

  /** Runs queued builds, `buildThreads` at once, until the queue is empty. */
  private async drain(): Promise<void> {
    try {
      const lanes: Promise<void>[] = [];
      for (let i = 0; i < Math.max(1, this.buildThreads); i++) lanes.push(this.lane());
      await Promise.all(lanes);
    } finally {
      this.running = null;
      if (this.queue.length === 0 && this.activeBuilds === 0) await this.threads.stopIdle();
    }
  }

  private async lane(): Promise<void> {
    for (let t = this.queue.shift(); t; t = this.queue.shift()) {
      const key = buildKey(t.seg.meta, t.index);
      this.queued.delete(key);
      this.building.add(key);
      const started = performance.now();
      let ok = false;
      this.activeBuilds++;
      try {
        await this.buildOne(t);
        this.failures.delete(t.index.id);
        ok = true;
      } catch (e) {
        this.failures.set(t.index.id, e instanceof Error ? e.message : String(e));
      } finally {
        this.activeBuilds--;
        this.building.delete(key);
      }
      for (const l of this.buildListeners) l(t.index.indexType, (performance.now() - started) / 1000, ok);
    }
  }

  private stillLive(t: Task): boolean {
    return this.catalog.collections.get(t.c.id) === t.c && t.c.partitions.get(t.p.meta.id) === t.p &&
      t.p.sealed.includes(t.seg) && t.c.meta.indexes.includes(t.index);
  }

  private async buildOne(t: Task): Promise<void> {
    if (!this.stillLive(t)) return;
    const file = await this.buildFile(t.c, t.seg.meta, t.index, () => this.stillLive(t));
    if (file === null) return;
    if (!this.stillLive(t)) {
      if (file) await this.files.remove([file]);
      return;
    }
    // Committed first; then the segment meta object (shared with p.meta.segments) learns its file.
    const segMeta = t.seg.meta;
    await this.catalog.commit(() => {
      const indexFiles = { ...(segMeta.indexFiles ?? {}), [String(t.index.id)]: file };
      const segments = t.p.meta.segments.map((s) => (s === segMeta ? { ...s, indexFiles } : s));
      return {
        draft: { partitions: new Map([[t.p.meta.id, { ...t.p.meta, segments }]]) },
        publish: () => { segMeta.indexFiles = indexFiles; },
      };
    });
    if (t.seg.data && file) await this.attachOne(t.c, t.seg, t.index);
  }

  /**
   * Build one index of one segment file and write its index file: the file name, '' when the
   * segment is below the index type's exact threshold, null when `live()` turned false meanwhile.
   */
  private async buildFile(c: CollectionRuntime, seg: SealedSegmentMeta, index: IndexMeta, live: () => boolean): Promise<string | null> {
    const field = c.meta.schema.fields.find((f) => f.fieldId === index.fieldId)!;
    const member = isStructVectorMember(field);
    const kind = columnKindFor(field.dataType);
    let job: BuildJob;
    const segmentPath = await this.files.localPath(seg.file);
    if (member) {
      // A struct vector member: one index over the element vectors of the segment (schema/struct.ts).
      const spec = memberIndexSpec(field, index);
      job = { segmentPath, fieldId: index.fieldId, indexType: spec.indexType, metric: spec.metric, params: spec.params, threads: this.threadsPerBuild(), member: field };
    } else if (isVectorKind(kind)) {
      const desc = getIndexDescriptor(index.indexType);
      const spec = validateIndexParams(desc, kind, index.metricType || undefined, index.params);
      if (seg.numRows < (desc.exactThreshold ?? 0)) return '';
      // The cores are shared among the builds running and waiting: a lone build gets them all.
      job = { segmentPath, fieldId: index.fieldId, indexType: desc.name, metric: spec.metric, params: spec.params, threads: this.threadsPerBuild() };
    } else {
      job = { segmentPath, fieldId: index.fieldId, indexType: index.indexType, metric: 'L2', params: {}, scalar: scalarBuildOf(field, index) };
    }
    const payload = this.files.fs instanceof NodeFileSystem ? await this.threads.run(job) : await buildIndexPayload(this.files.fs, job);
    if (!live()) return null;
    if (member && payload.length === 0) return ''; // too few elements: searched exactly
    const file = `idx-${seg.id}-${index.id}.sxi`;
    await writeIndexFile(this.files.fs, this.files.dir, file, {
      meta: { segmentId: seg.id, indexId: index.id, field: field.name, indexType: job.indexType, metric: job.scalar === undefined ? job.metric : '' },
      payload,
    });
    await this.files.publish(file);
    return file;
  }

  /** The cores are shared among the builds running and waiting: a lone build gets them all. */
  private threadsPerBuild(): number {
    return Math.max(1, Math.floor(this.buildThreads / Math.max(1, this.activeBuilds + this.queue.length)));
  }

  /**
   * Compaction: build every vector index of the collection over a segment file not yet in the
   * manifest, on the same build threads; returns its `indexFiles` (null when `live()` turned false).
   */
  async buildFor(c: CollectionRuntime, seg: SealedSegmentMeta, live: () => boolean): Promise<Record<string, string> | null> {
    const out: Record<string, string> = {};
    const builds = c.meta.indexes.map(async (index) => {
      const started = performance.now();
      this.activeBuilds++;
      try {
        const file = await this.buildFile(c, seg, index, live);
        if (file !== null) out[String(index.id)] = file;
        for (const l of this.buildListeners) l(index.indexType, (performance.now() - started) / 1000, true);
      } finally {
        this.activeBuilds--;
      }
    });
    await Promise.all(builds).finally(async () => {
      if (this.running === null && this.activeBuilds === 0) await this.threads.stopIdle();
    });
    if (!live()) {
      await this.files.remove(Object.values(out).filter((f) => f !== ''));
      return null;
    }
    return out;
  }

  /**
   * Bytes the indexes of a segment will hold once loaded, before anything is read: each index file's
   * size (a stat, not a read) through its descriptor's `memoryEstimateBytes`.
   */
  async loadEstimateBytes(c: CollectionRuntime, seg: SealedSegmentMeta, unloaded: ReadonlySet<string> = new Set()): Promise<number> {
    let n = 0;
    const mapped = mappedFieldNames(c);
    for (const index of c.meta.indexes) {
      const file = seg.indexFiles?.[String(index.id)];
      if (!file) continue;
      const field = c.meta.schema.fields.find((f) => f.fieldId === index.fieldId);
      if (field === undefined || unloaded.has(field.name)) continue;
      const fileBytes = (await this.files.fs.stat(await this.files.localPath(file))).size;
      const kind = columnKindFor(field.dataType);
      const desc = isVectorKind(kind) ? getIndexDescriptor(index.indexType) : undefined;
      if (desc?.memoryEstimateBytes === undefined || !isVectorKind(kind)) {
        n += fileBytes;
        continue;
      }
      const spec = validateIndexParams(desc, kind, index.metricType || undefined, index.params);
      // An index reading a mapped field on demand holds none of its rows (they count as the page cache).
      const rawBytes = mapped.has(field.name) && desc.openMapped !== undefined ? 0 : seg.numRows * rawRowBytes(kind, field.dim ?? 0);
      n += desc.memoryEstimateBytes(fileBytes, rawBytes, spec);
    }
    return n;
  }

  /** Load the built indexes of a segment whose columns are in memory (only those `only` accepts, when given). */
  async attach(c: CollectionRuntime, seg: SealedSegment, only?: (indexId: number) => boolean): Promise<void> {
    for (const index of c.meta.indexes) {
      if (only !== undefined && !only(index.id)) continue;
      if (seg.meta.indexFiles?.[String(index.id)]) await this.attachOne(c, seg, index);
    }
  }

  private async attachOne(c: CollectionRuntime, seg: SealedSegment, index: IndexMeta): Promise<void> {
    const data = seg.data;
    const file = seg.meta.indexFiles?.[String(index.id)];
    if (!data || !file) return;
    const field = c.meta.schema.fields.find((f) => f.fieldId === index.fieldId)!;
    if (isStructVectorMember(field)) return this.attachMember(seg, field, index, file);
    const kind = columnKindFor(field.dataType);
    if (!isVectorKind(kind)) {
      if (data.column(field.name) === undefined && !data.mapped.has(field.name)) return; // a field not loaded
      const { payload } = await readIndexFile(this.files.fs, await this.files.localPath(file));
      data.setScalarIndex(index.id, scalarEntryOf(field, index, payload));
      return;
    }
    const desc = getIndexDescriptor(index.indexType);
    const spec = validateIndexParams(desc, kind, index.metricType || undefined, index.params);
    const path = await this.files.localPath(file);
    const mapped = data.mapped.get(field.name);
    if (mapped !== undefined && desc.openMapped !== undefined && desc.openFile === undefined) {
      // Rows read on demand; without the wasm kernels (null) the index gets a copy of the column.
      const { payload } = await readIndexFile(this.files.fs, path);
      const vi = await desc.openMapped(payload, mappedVectorRows(mapped), data.numRows, spec)
        ?? desc.deserialize(payload, mapped.materialize(), data.numRows, spec);
      replaceIndex(data, field.name, { index: vi });
      return;
    }
    const col = data.column(field.name) ?? mappedForIndex(mapped, desc.openFile !== undefined);
    if (!col) return;
    // A disk index (DISKANN) reads its file in place on the real file system; others are read whole.
    if (desc.openFile !== undefined && this.files.fs instanceof NodeFileSystem) {
      const region = await locateIndexPayload(this.files.fs, path);
      const vi = desc.openFile({ path, ...region }, col, data.numRows, spec);
      replaceIndex(data, field.name, { index: vi });
      return;
    }
    // Read in bounded pieces where the index can place its sections itself (HNSW: links into wasm).
    const vi = desc.readPayload !== undefined
      ? await readIndexPayload(this.files.fs, path, (r) => desc.readPayload!(r, col, data.numRows, spec), (i) => i.close?.())
      : desc.deserialize((await readIndexFile(this.files.fs, path)).payload, col, data.numRows, spec);
    replaceIndex(data, field.name, { index: vi });
  }

  /** An index on a struct vector member: over the element vectors of the loaded rows, with each element's row and offset. */
  private async attachMember(seg: SealedSegment, field: FieldSchema, index: IndexMeta, file: string): Promise<void> {
    const data = seg.data;
    const col = data?.column(field.name);
    if (!data || !col) return;
    const { vectors, rowOf, offsetOf } = memberElements(field, col, data.numRows);
    const spec = memberIndexSpec(field, index);
    const desc = getIndexDescriptor(spec.indexType);
    const { payload } = await readIndexFile(this.files.fs, await this.files.localPath(file));
    const vi = desc.deserialize(payload, vectors, rowOf.length, { metric: spec.metric, params: spec.params });
    replaceIndex(data, field.name, { index: vi, elements: { rowOf, offsetOf } });
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
        seg.data?.setScalarIndex(index.id, null);
        if (isVectorIndex(c, index)) {
          seg.data?.indexes.get(index.fieldName)?.index.close?.();
          seg.data?.indexes.delete(index.fieldName);
        }
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
    await this.threads.close();
    await this.idle();
  }
}

function isVectorIndex(c: CollectionRuntime, index: IndexMeta): boolean {
  const field = c.meta.schema.fields.find((f) => f.fieldId === index.fieldId);
  return field !== undefined && (isVectorKind(columnKindFor(field.dataType)) || isStructVectorMember(field));
}

/** An index on a struct vector member: its descriptor and build spec over the element vectors (metric MAX_SIM_X builds X). */
function memberIndexSpec(field: FieldSchema, index: IndexMeta): { indexType: string; kind: VectorKind; metric: MetricType; params: IndexParams } {
  const desc = getIndexDescriptor(index.indexType);
  const params: Record<string, string> = { ...index.params };
  delete params['metric_type'];
  const kind = memberVectorKind(field);
  const spec = validateIndexParams(desc, kind, memberBaseMetric(field, index.params['metric_type'] ?? ''), params);
  return { indexType: desc.name, kind, metric: spec.metric, params: spec.params };
}

/**
 * The column an index over a mapped (mmap.enabled) field is opened with: a disk index reads its own
 * file and needs only the column's kind, dim and validity; an index created over a mapped field while
 * loaded gets the rows it builds from (a copy it holds).
 */
function mappedForIndex(m: MappedColumn | undefined, diskIndex: boolean): Column | undefined {
  if (m === undefined) return undefined;
  return diskIndex ? m.shape() : m.materialize();
}
