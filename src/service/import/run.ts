/**
 * One import job's work: read each file group, turn its rows into validated batches exactly as
 * insert() does (rowsToBatch, then writes.completeBatch: BM25 and other function outputs, auto
 * IDs, partition routing), stage them as segment files, and commit them all at once
 * (engine/import-stage.ts). Any error fails the whole job and removes what was staged: a job's
 * rows are all visible or none are. Errors name the file and the row (counted from 1).
 */
import { importErrors, MilvusError } from '../../core/errors.js';
import { limits } from '../../core/limits.js';
import type { CollectionRuntime } from '../../engine/collection.js';
import type { Engine } from '../../engine/engine.js';
import { ImportStage } from '../../engine/import-stage.js';
import { insertOptions, rowsToBatch } from '../../schema/rows.js';
import { completeBatch, type PreparedWrite } from '../writes.js';
import { parseCsv } from './formats/csv.js';
import { formatOf, type ParsedFile, type ReadContext, type RowBatch } from './formats/format.js';
import { parseJsonRows } from './formats/json.js';
import { parseNumpy } from './formats/numpy.js';
import { parseParquet } from './formats/parquet.js';
import { renameRow } from './refresh.js';
import type { ImportSource } from './sources.js';
import type { ImportFileProgress } from './types.js';
import { RowNormalizer, RowValueError } from './values.js';

/** What the runner needs of the job (jobs.ts keeps the record). */
export interface RunningJob {
  jobId: string;
  partitionName: string;
  files: string[][];
  options: Record<string, string>;
  details: ImportFileProgress[];
  /** Throws when the job must stop (service closing, timeout). */
  checkpoint(): void;
  /** Told after each batch. */
  progressed(): void;
  /** A refresh of an external collection: columns renamed (external -> field), the commit replaces all rows. */
  external?: { columns: ReadonlyMap<string, string> };
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** A `rowsToBatch` error (`...: invalid parameter[field=f][row=i]`) restated for the file's row. */
function rowError(e: unknown, file: string, batch: RowBatch): Error {
  if (e instanceof RowValueError) return e;
  if (!(e instanceof MilvusError)) return importErrors.failed(`file ${file}: ${message(e)}`);
  const m = /^(.*?)(?:: invalid parameter)?\[field=([^\]]*)\](?:\[row=(\d+)\])?$/s.exec(e.message);
  if (m === null) return importErrors.failed(`file ${file}: ${e.message}`);
  const at = m[3] === undefined ? '' : `row ${batch.firstRow + Number(m[3])}, `;
  return importErrors.failed(`file ${file}: ${at}field '${m[2] ?? ''}': ${m[1] ?? e.message}`);
}

async function parseGroup(source: ImportSource, paths: string[], ctx: ReadContext, detail: ImportFileProgress): Promise<ParsedFile> {
  const format = formatOf(paths);
  let files = paths;
  if (format === 'numpy' && paths.length === 1 && paths[0]!.endsWith('/')) {
    files = (await source.list(paths[0]!)).filter((p) => p.toLowerCase().endsWith('.npy'));
    if (files.length === 0) throw importErrors.failed(`folder ${paths[0]!} holds no .npy files`);
  }
  const read = new Map<string, Uint8Array>();
  for (const p of files) {
    detail.fileSize += await source.size(p);
    read.set(p, await source.read(p));
  }
  const bytes = read.get(files[0]!)!;
  switch (format) {
    case 'json': return parseJsonRows(bytes, ctx);
    case 'csv': return parseCsv(bytes, ctx);
    case 'parquet': return parseParquet(bytes, ctx);
    case 'numpy': return parseNumpy(read, ctx);
  }
}

function checkExternalColumns(file: string, columns: readonly string[], map: ReadonlyMap<string, string>): void {
  const have = new Set(columns);
  for (const [ext, name] of map) {
    if (!have.has(ext)) throw importErrors.failed(`file ${file}: the external field '${ext}' of field '${name}' is not in the file`);
  }
}

/** Read every group and stage its rows; returns the staged job (not committed yet). */
async function stageGroups(engine: Engine, c: CollectionRuntime, source: ImportSource, job: RunningJob, stage: ImportStage): Promise<void> {
  const opts = insertOptions(c.meta.properties, false);
  const normalizer = new RowNormalizer(c.meta.schema);
  for (let g = 0; g < job.files.length; g++) {
    const paths = job.files[g]!;
    const detail = job.details[g]!;
    const name = paths[0]!;
    detail.state = 'Importing';
    const parsed = await parseGroup(source, paths, { name, schema: c.meta.schema, options: job.options }, detail);
    detail.totalRows = parsed.totalRows;
    if (stage.rows + parsed.totalRows > limits.importMaxRowsPerJob) {
      throw importErrors.failed(`the job would import more than ${limits.importMaxRowsPerJob} rows (file ${name} has ${parsed.totalRows})`);
    }
    const ext = job.external?.columns;
    if (ext === undefined) normalizer.checkColumns(name, parsed.columns ?? []);
    else checkExternalColumns(name, parsed.columns ?? [], ext);
    for await (const batch of parsed.batches(limits.importBatchRows)) {
      job.checkpoint();
      let prepared: PreparedWrite;
      try {
        const rows = ext === undefined ? batch.rows : batch.rows.map((r) => renameRow(r, ext));
        for (let i = 0; i < rows.length; i++) {
          try {
            normalizer.row(rows[i]!);
          } catch (e) {
            if (e instanceof RowValueError) throw importErrors.failed(`file ${name}: row ${batch.firstRow + i}, field '${e.field}': ${e.message}`);
            throw e;
          }
        }
        const ib = rowsToBatch(c.meta.schema, rows, opts);
        prepared = completeBatch(engine, c, ib.numRows, new Map(ib.columns), job.partitionName);
      } catch (e) {
        throw e instanceof MilvusError && e.code === 2100 ? e : rowError(e, name, batch);
      }
      for (const part of prepared.parts) await stage.add(part.partitionId, part.numRows, part.columns);
      detail.importedRows += batch.rows.length;
      detail.progress = detail.totalRows === 0 ? 100 : Math.floor((100 * detail.importedRows) / detail.totalRows);
      job.progressed();
      // Let requests in between batches.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    detail.progress = 100;
  }
}

/** Run the job to its commit; returns the rows added and the new segments. Throws on any failure, with nothing applied. */
export async function runImport(engine: Engine, c: CollectionRuntime, source: ImportSource, job: RunningJob): Promise<{ rows: number; segmentIds: number[] }> {
  const stage = new ImportStage(engine, c);
  try {
    await stageGroups(engine, c, source, job, stage);
    job.checkpoint();
    const rows = await stage.commit(job.jobId, job.external !== undefined);
    return { rows, segmentIds: stage.segmentIds };
  } catch (e) {
    await stage.abandon().catch(() => undefined);
    throw e;
  }
}
