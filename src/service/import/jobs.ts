/**
 * Bulk import jobs (Milvus's v2 import): Import creates a job and answers its id at once; the job
 * waits as Pending until one of `limits.importMaxConcurrentJobs` slots is free, runs as Importing
 * (run.ts) and ends Completed or Failed with a reason. Jobs are kept in `<data dir>/IMPORTS`
 * (storage/import-jobs-file.ts), written at each state change.
 *
 * After a crash or a stop, a job that was Pending or Importing is settled at open from the catalog:
 * if the catalog records it (its commit happened) it is Completed; otherwise its staged files were
 * orphans (removed at open) and it runs again from the start (Milvus resumes its jobs too). A job
 * whose collection is gone fails. So a job is never half-applied and never applied twice.
 */
import { errors, importErrors, MilvusError } from '../../core/errors.js';
import { limits } from '../../core/limits.js';
import type { Engine } from '../../engine/engine.js';
import { committedImport } from '../../engine/import-stage.js';
import { Mutex } from '../../engine/mutex.js';
import { storageErrors } from '../../storage/errors.js';
import { readImportJobs, writeImportJobs } from '../../storage/import-jobs-file.js';
import { isPartitionKeyMode, requireCollection, requirePartition } from '../resolve.js';
import { formatOf } from './formats/format.js';
import { isExternal, parseExternalSpec, redactExternalSpec } from '../../schema/external.js';
import { externalColumnMap, refreshFiles, refreshSource } from './refresh.js';
import { runImport } from './run.js';
import { refuseExternal } from '../writes.js';
import { importSource, type ImportSource } from './sources.js';
import type * as T from './types.js';

/** A job as kept: what GetImportState reports, plus its request. */
export interface JobRecord extends T.ImportJobInfo {
  files: string[][];
  options: Record<string, string>;
  /** Set on a refresh of an external collection (refresh.ts): its files are found when it runs. */
  refresh?: { externalSource: string; externalSpec: string };
}

interface JobsBody { formatVersion: 1; jobs: JobRecord[] }

class Stopped extends Error {}

function checkBody(json: unknown, file: string): JobsBody {
  const ok = typeof json === 'object' && json !== null && (json as { formatVersion?: unknown }).formatVersion === 1
    && Array.isArray((json as { jobs?: unknown }).jobs);
  if (!ok) throw storageErrors.corruptFile(file, 16, 'not an import job list of format 1');
  return json as JobsBody;
}

/** Milvus's `timeout` option: "300s", "5m", "1h" or seconds. */
function timeoutMs(options: Record<string, string>): number | null {
  const raw = options['timeout'];
  if (raw === undefined || raw === '') return null;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(raw.trim());
  if (m === null) throw importErrors.failed(`invalid timeout option ${JSON.stringify(raw)}, expected a duration such as 300s`);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h' ?? 's'];
  return Number(m[1]) * unit;
}

export class ImportJobs {
  private readonly lock = new Mutex();
  private running = 0;
  private stopping = false;
  private readonly runs = new Set<Promise<void>>();

  private constructor(
    private readonly engine: Engine, private readonly opts: T.ImportOptions, private readonly source: ImportSource | null, private readonly body: JobsBody,
  ) {}

  static async open(engine: Engine, opts: T.ImportOptions = {}): Promise<ImportJobs> {
    const json = await readImportJobs(engine.fs, engine.dataDir);
    const body = json === null ? { formatVersion: 1 as const, jobs: [] } : checkBody(json, `${engine.dataDir}/IMPORTS`);
    const jobs = new ImportJobs(engine, opts, importSource(opts), body);
    let changed = false;
    for (const job of body.jobs) {
      if (job.state !== 'Pending' && job.state !== 'Importing') continue;
      const c = engine.collections.get(job.collectionId);
      const mark = c === undefined ? undefined : committedImport(c, job.jobId);
      if (c === undefined) jobs.finish(job, 'Failed', 'the collection was dropped before the import finished');
      else if (mark !== undefined) jobs.finish(job, 'Completed', '', mark.rows);
      else jobs.reset(job);
      changed = true;
    }
    if (changed) await jobs.persist();
    jobs.startQueued();
    return jobs;
  }

  /** Import: validate the request, record the job, queue it; answers the job id. */
  async create(req: T.ImportRequest): Promise<string> {
    const c = requireCollection(this.engine, req);
    refuseExternal(c, 'import');
    const partitionName = req.partitionName ?? '';
    if (partitionName !== '') {
      if (isPartitionKeyMode(c)) throw errors.invalidParameter('not allow to set partition name for collection with partition key');
      requirePartition(c, partitionName);
    }
    const options = req.options ?? {};
    if (options['backup'] === 'true') throw importErrors.failed('backup files are not supported by Sextant');
    timeoutMs(options);
    if (!Array.isArray(req.files) || req.files.length === 0) throw importErrors.failed('import request is empty: no files');
    const count = req.files.reduce((n, g) => n + g.length, 0);
    if (count > limits.importMaxFilesPerJob) throw importErrors.failed(`the number of files exceeds the limit, max=${limits.importMaxFilesPerJob}, got=${count}`);
    if (this.source === null) throw importErrors.failed('bulk import has no source: start the server with --import-root or --import-s3-bucket');
    for (const group of req.files) {
      formatOf(group);
      for (const p of group) this.source.check(p);
    }
    if (this.body.jobs.filter((j) => j.state === 'Pending').length >= limits.importJobsKept) {
      throw importErrors.failed(`too many pending import jobs, max=${limits.importJobsKept}`);
    }
    const job: JobRecord = {
      jobId: String(this.engine.clock.next()), dbName: c.meta.dbName, collectionName: c.name, collectionId: c.id,
      partitionName, state: 'Pending', reason: '', progress: 0, importedRows: 0, totalRows: 0, fileSize: 0,
      createTimeMs: Date.now(), completeTimeMs: null, segmentIds: [], details: [], files: req.files.map((g) => [...g]), options: { ...options },
    };
    this.reset(job);
    this.body.jobs.push(job);
    this.prune();
    await this.persist();
    this.startQueued();
    return job.jobId;
  }

  get(req: T.GetImportProgressRequest): T.ImportJobInfo {
    const job = this.body.jobs.find((j) => j.jobId === String(req.jobId) && j.refresh === undefined);
    if (job === undefined) throw importErrors.jobNotFound(String(req.jobId));
    return info(job);
  }

  /** RefreshExternalCollection: record a refresh job of an external collection and queue it; answers its id. */
  async createRefresh(req: T.RefreshRequest): Promise<string> {
    const c = requireCollection(this.engine, req);
    const schema = c.meta.schema;
    if (!isExternal(schema)) throw errors.invalidParameter(`collection ${c.name} is not an external collection`);
    const externalSource = req.externalSource !== undefined && req.externalSource !== '' ? req.externalSource : schema.externalSource!;
    const externalSpec = req.externalSpec !== undefined && req.externalSpec !== '' ? req.externalSpec : schema.externalSpec ?? '';
    parseExternalSpec(externalSpec);
    if (this.body.jobs.filter((j) => j.state === 'Pending').length >= limits.importJobsKept) {
      throw importErrors.failed(`too many pending jobs, max=${limits.importJobsKept}`);
    }
    const job: JobRecord = {
      jobId: String(this.engine.clock.next()), dbName: c.meta.dbName, collectionName: c.name, collectionId: c.id,
      partitionName: '', state: 'Pending', reason: '', progress: 0, importedRows: 0, totalRows: 0, fileSize: 0,
      createTimeMs: Date.now(), completeTimeMs: null, segmentIds: [], details: [], files: [], options: {}, refresh: { externalSource, externalSpec },
    };
    this.body.jobs.push(job);
    this.prune();
    await this.persist();
    this.startQueued();
    return job.jobId;
  }

  getRefresh(jobId: string): T.RefreshJobInfo {
    const job = this.body.jobs.find((j) => j.jobId === jobId && j.refresh !== undefined);
    if (job === undefined) throw importErrors.jobNotFound(jobId);
    return refreshInfo(job);
  }

  listRefresh(req: { dbName?: string; collectionName?: string }): T.RefreshJobInfo[] {
    const db = req.dbName !== undefined && req.dbName !== '' ? req.dbName : 'default';
    let jobs = this.body.jobs.filter((j) => j.refresh !== undefined && j.dbName === db);
    if (req.collectionName !== undefined && req.collectionName !== '') {
      const c = requireCollection(this.engine, { dbName: db, collectionName: req.collectionName });
      jobs = jobs.filter((j) => j.collectionId === c.id);
    }
    return jobs.map(refreshInfo);
  }

  list(req: T.ListImportsRequest): T.ImportJobInfo[] {
    const db = req.dbName !== undefined && req.dbName !== '' ? req.dbName : 'default';
    let jobs = this.body.jobs.filter((j) => j.dbName === db && j.refresh === undefined);
    if (req.collectionName !== undefined && req.collectionName !== '') {
      const c = requireCollection(this.engine, { dbName: db, collectionName: req.collectionName });
      jobs = jobs.filter((j) => j.collectionId === c.id);
    }
    if (req.limit !== undefined && req.limit > 0) jobs = jobs.slice(-req.limit);
    return jobs.map(info);
  }

  /** No new job starts; running ones stop at their next batch (they run again after a restart). */
  async close(): Promise<void> {
    this.stopping = true;
    while (this.runs.size > 0) await Promise.allSettled([...this.runs]);
  }

  private reset(job: JobRecord): void {
    job.state = 'Pending';
    job.reason = '';
    job.progress = 0;
    job.importedRows = 0;
    job.totalRows = 0;
    job.fileSize = 0;
    job.segmentIds = [];
    job.details = job.files.map((g) => ({
      fileName: g.join(','), fileSize: 0, totalRows: 0, importedRows: 0, progress: 0, state: 'Pending', reason: '', completeTimeMs: null,
    }));
  }

  private finish(job: JobRecord, state: 'Completed' | 'Failed', reason: string, rows?: number): void {
    job.state = state;
    job.reason = reason;
    job.completeTimeMs = Date.now();
    if (state === 'Completed') {
      job.progress = 100;
      if (rows !== undefined) job.importedRows = rows;
      for (const d of job.details) { d.state = 'Completed'; d.progress = 100; d.completeTimeMs = job.completeTimeMs; }
    } else {
      for (const d of job.details) if (d.state !== 'Completed') { d.state = 'Failed'; d.reason = d.reason || reason; }
    }
  }

  /** Forget the oldest finished jobs beyond the limit. */
  private prune(): void {
    while (this.body.jobs.length > limits.importJobsKept) {
      const i = this.body.jobs.findIndex((j) => j.state === 'Completed' || j.state === 'Failed');
      if (i < 0) break;
      this.body.jobs.splice(i, 1);
    }
  }

  private persist(): Promise<void> {
    return this.lock.run(() => writeImportJobs(this.engine.fs, this.engine.dataDir, this.body));
  }

  private startQueued(): void {
    while (!this.stopping && this.running < limits.importMaxConcurrentJobs) {
      const job = this.body.jobs.find((j) => j.state === 'Pending');
      if (job === undefined) return;
      job.state = 'Importing';
      this.running++;
      const run = this.run(job).finally(() => {
        this.running--;
        this.runs.delete(run);
        this.startQueued();
      });
      this.runs.add(run);
    }
  }

  private async run(job: JobRecord): Promise<void> {
    try {
      await this.persist();
      const c = this.engine.collections.get(job.collectionId);
      if (c === undefined) throw importErrors.failed(`collection ${job.collectionName} was dropped`);
      const source = job.refresh === undefined ? this.source : refreshSource(this.opts, this.source, job.refresh.externalSource, job.refresh.externalSpec);
      if (job.refresh !== undefined) {
        job.files = await refreshFiles(source, job.refresh.externalSource);
        this.reset(job);
        job.state = 'Importing';
      }
      const deadline = timeoutMs(job.options);
      const endMs = deadline === null ? Infinity : job.createTimeMs + deadline;
      const { rows, segmentIds } = await runImport(this.engine, c, source!, {
        jobId: job.jobId,
        partitionName: job.partitionName,
        files: job.files,
        options: job.options,
        details: job.details,
        checkpoint: () => {
          if (this.stopping) throw new Stopped();
          if (Date.now() > endMs) throw importErrors.failed(`the import job timed out after ${job.options['timeout'] ?? ''}`);
        },
        progressed: () => this.tally(job),
        ...(job.refresh !== undefined ? { external: { columns: externalColumnMap(c.meta.schema) } } : {}),
      });
      this.tally(job);
      job.segmentIds = segmentIds;
      this.finish(job, 'Completed', '', rows);
    } catch (e) {
      if (e instanceof Stopped) return; // stays Importing on disk: it runs again at the next open
      this.tally(job);
      this.finish(job, 'Failed', e instanceof MilvusError || e instanceof Error ? e.message : String(e));
    }
    await this.persist().catch(() => undefined);
  }

  private tally(job: JobRecord): void {
    let imported = 0;
    let total = 0;
    let size = 0;
    let progress = 0;
    for (const d of job.details) { imported += d.importedRows; total += d.totalRows; size += d.fileSize; progress += d.progress; }
    job.importedRows = imported;
    job.totalRows = total;
    job.fileSize = size;
    // As Milvus: reading and staging take the job to 90%, the commit to 100.
    job.progress = job.details.length === 0 ? 0 : Math.min(90, Math.floor((0.9 * progress) / job.details.length));
  }
}

function info(job: JobRecord): T.ImportJobInfo {
  const { files: _files, options: _options, refresh: _refresh, ...rest } = job;
  return structuredClone(rest);
}

function refreshInfo(job: JobRecord): T.RefreshJobInfo {
  return {
    jobId: job.jobId, collectionName: job.collectionName, state: job.state, progress: job.progress, reason: job.reason,
    externalSource: job.refresh?.externalSource ?? '', externalSpec: redactExternalSpec(job.refresh?.externalSpec ?? ''),
    startTimeMs: job.createTimeMs, endTimeMs: job.completeTimeMs, importedRows: job.importedRows,
  };
}
