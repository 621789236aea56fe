/**
 * Bulk import with the Node SDK's names and shapes (bulkInsert, getImportState, listImportTasks:
 * the gRPC Import family), plus the v2 job view (`importJob` / `getImportProgress` / `listImports`)
 * with per-file details. Paths are read by the service's import source (`open(dir, {importRoot})`).
 */
import type { ImportJobInfo, ImportJobState } from '../service/import/types.js';
import { type ClientContext, dbOf, scoped } from './context.js';
import { ERROR_REASONS } from './enums.js';
import { answer, clientError, successStatus, type ResStatus } from './status.js';

export interface BulkInsertReq {
  collection_name: string;
  db_name?: string;
  partition_name?: string;
  /** One file per entry (.npy files together make one group, as over gRPC); or groups. */
  files: (string | string[])[];
  options?: { key: string; value: string }[] | Record<string, string>;
}

export interface ImportStateResponse {
  status: ResStatus;
  /** common.ImportState: 0 pending, 1 failed, 2 started, 6 completed. */
  state: number;
  row_count: string;
  id_list: string[];
  infos: { key: string; value: string }[];
  id: string;
  collection_id: string;
  segment_ids: string[];
  create_ts: string;
}

const STATE: Record<ImportJobState, number> = { Pending: 0, Failed: 1, Importing: 2, Completed: 6 };

function stateOf(j: ImportJobInfo): Omit<ImportStateResponse, 'status'> {
  return {
    state: STATE[j.state], row_count: String(j.importedRows), id_list: [],
    infos: [
      { key: 'collection', value: j.collectionName }, { key: 'partition', value: j.partitionName },
      { key: 'progress_percent', value: String(j.progress) }, { key: 'failed_reason', value: j.reason },
    ],
    id: j.jobId, collection_id: String(j.collectionId), segment_ids: j.segmentIds.map(String), create_ts: String(Math.floor(j.createTimeMs / 1000)),
  };
}

const emptyState = (): Omit<ImportStateResponse, 'status'> =>
  ({ state: 1, row_count: '0', id_list: [], infos: [], id: '0', collection_id: '0', segment_ids: [], create_ts: '0' });

function groupsOf(files: (string | string[])[]): string[][] {
  const flat = files.every((f): f is string => typeof f === 'string');
  if (flat && files.length > 0 && files.every((f) => f.toLowerCase().endsWith('.npy'))) return [files];
  return files.map((f) => (typeof f === 'string' ? [f] : [...f]));
}

function optionsOf(o: BulkInsertReq['options']): Record<string, string> {
  if (o === undefined) return {};
  if (Array.isArray(o)) return Object.fromEntries(o.map((kv) => [kv.key, kv.value]));
  return { ...o };
}

export async function bulkInsert(ctx: ClientContext, req: BulkInsertReq): Promise<{ status: ResStatus; tasks: string[] }> {
  const s = scoped(ctx, req);
  if (!Array.isArray(req.files)) throw clientError(ERROR_REASONS.IMPORT_FILE_CHECK);
  return answer(async () => {
    const { jobId } = await ctx.service.importData({
      ...s, ...(req.partition_name ? { partitionName: req.partition_name } : {}), files: groupsOf(req.files), options: optionsOf(req.options),
    });
    return { tasks: [jobId] };
  }, () => ({ tasks: [] }));
}

export async function getImportState(ctx: ClientContext, req: { task: string | number | bigint }): Promise<ImportStateResponse> {
  return answer(async () => stateOf(await ctx.service.getImportState({ jobId: String(req.task) })), emptyState);
}

export async function listImportTasks(ctx: ClientContext, req: { collection_name?: string; db_name?: string; limit?: number }): Promise<{ status: ResStatus; tasks: ImportStateResponse[] }> {
  if (!req || !req.collection_name) throw clientError(ERROR_REASONS.COLLECTION_NAME_IS_REQUIRED);
  const dbName = dbOf(ctx, req);
  const collectionName = req.collection_name;
  return answer(async () => {
    const jobs = await ctx.service.listImportTasks({ dbName, collectionName, ...(req.limit !== undefined ? { limit: req.limit } : {}) });
    return { tasks: jobs.map((j) => ({ status: successStatus(), ...stateOf(j) })) };
  }, () => ({ tasks: [] }));
}

/** The v2 job view with per-file details (REST's get_progress). */
export async function getImportProgress(ctx: ClientContext, req: { jobId: string }): Promise<{ status: ResStatus; job: ImportJobInfo | null }> {
  return answer<{ job: ImportJobInfo | null }>(async () => ({ job: await ctx.service.getImportProgress({ jobId: String(req.jobId) }) }), () => ({ job: null }));
}
