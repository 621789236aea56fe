/**
 * Snapshots and external collection refreshes with the Node SDK's method names and shapes
 * (`createSnapshot`, ..., `unpinSnapshotData`; `refreshExternalCollection`,
 * `getRefreshExternalCollectionProgress`, `listRefreshExternalCollectionJobs`): the SDK's request
 * fields in, its response shapes out (int64 ids as decimal strings, states by their enum names).
 */
import type * as Sdk from '@zilliz/milvus2-sdk-node';
import type { RefreshJobInfo } from '../service/import/types.js';
import type { RestoreJobInfo, SnapshotRef } from '../service/snapshots.js';
import { type ClientContext, dbOf, scoped } from './context.js';
import { answer, clientError, type ResStatus, statusOf } from './status.js';

/** milvus.proto RestoreSnapshotState, as the SDK names it. */
const RESTORE_STATE = { completed: 'RestoreSnapshotCompleted', failed: 'RestoreSnapshotFailed' } as const;
/** milvus.proto RefreshExternalCollectionState, as the SDK names it, by the import job state. */
const REFRESH_STATE = { Pending: 'RefreshPending', Importing: 'RefreshInProgress', Completed: 'RefreshCompleted', Failed: 'RefreshFailed' } as const;

export interface SdkRestoreJob {
  job_id: string; snapshot_name: string; db_name: string; collection_name: string; state: string;
  progress: number; reason: string; start_time: string; time_cost: string;
}
export interface SdkRefreshJob {
  job_id: string; collection_name: string; state: string; progress: string; reason: string;
  external_source: string; external_spec: string; start_time: string; end_time: string;
}

function snapshotOf(ctx: ClientContext, req: Sdk.DropSnapshotReq): SnapshotRef {
  const { dbName, collectionName } = scoped(ctx, req);
  return { dbName, collectionName, name: req.snapshot_name };
}

/** An int64 id as the SDK passes it (number or decimal string). */
function idOf(v: number | string, what: string): bigint {
  const text = String(v).trim();
  if (!/^-?\d{1,19}$/.test(text)) throw clientError(`${what} must be an integer, got ${JSON.stringify(v)}`);
  return BigInt(text);
}

function restoreJob(j: RestoreJobInfo): SdkRestoreJob {
  return {
    job_id: String(j.jobId), snapshot_name: j.snapshotName, db_name: j.dbName, collection_name: j.collectionName, state: RESTORE_STATE[j.state],
    progress: j.progress, reason: j.reason, start_time: String(j.startTimeMs), time_cost: String(j.timeCostMs),
  };
}

function refreshJob(j: RefreshJobInfo): SdkRefreshJob {
  return {
    job_id: j.jobId, collection_name: j.collectionName, state: REFRESH_STATE[j.state], progress: String(j.progress), reason: j.reason,
    external_source: j.externalSource, external_spec: j.externalSpec, start_time: String(j.startTimeMs), end_time: String(j.endTimeMs ?? 0),
  };
}

const emptyRestoreJob = (): SdkRestoreJob => ({ job_id: '0', snapshot_name: '', db_name: '', collection_name: '', state: 'RestoreSnapshotNone', progress: 0, reason: '', start_time: '0', time_cost: '0' });
const emptyRefreshJob = (): SdkRefreshJob => ({ job_id: '0', collection_name: '', state: 'RefreshPending', progress: '0', reason: '', external_source: '', external_spec: '', start_time: '0', end_time: '0' });

export function createSnapshot(ctx: ClientContext, req: Sdk.CreateSnapshotReq): Promise<ResStatus> {
  return statusOf(() => ctx.service.createSnapshot({
    ...snapshotOf(ctx, req), description: req.description ?? '',
    ...(req.compaction_protection_seconds !== undefined ? { compactionProtectionSeconds: idOf(req.compaction_protection_seconds, 'compaction_protection_seconds') } : {}),
  }));
}

export function dropSnapshot(ctx: ClientContext, req: Sdk.DropSnapshotReq): Promise<ResStatus> {
  return statusOf(() => ctx.service.dropSnapshot(snapshotOf(ctx, req)));
}

export function listSnapshots(ctx: ClientContext, req: Sdk.ListSnapshotsReq): Promise<{ status: ResStatus; snapshots: string[] }> {
  return answer(async () => ({ snapshots: await ctx.service.listSnapshots(scoped(ctx, req)) }), () => ({ snapshots: [] }));
}

export function describeSnapshot(ctx: ClientContext, req: Sdk.DescribeSnapshotReq): Promise<{
  status: ResStatus; name: string; description: string; collection_name: string; partition_names: string[]; create_ts: string; s3_location: string;
}> {
  return answer(async () => {
    const d = await ctx.service.describeSnapshot(snapshotOf(ctx, req));
    return { name: d.name, description: d.description, collection_name: d.collectionName, partition_names: d.partitionNames, create_ts: String(d.createTs), s3_location: '' };
  }, () => ({ name: '', description: '', collection_name: '', partition_names: [], create_ts: '0', s3_location: '' }));
}

export function restoreSnapshot(ctx: ClientContext, req: Sdk.RestoreSnapshotReq): Promise<{ status: ResStatus; job_id: string }> {
  return answer(async () => {
    const r = await ctx.service.restoreSnapshot({
      dbName: dbOf(ctx, { db_name: req.source_db_name }), collectionName: req.source_collection_name, name: req.snapshot_name,
      ...(req.target_db_name !== undefined && req.target_db_name !== '' ? { targetDbName: req.target_db_name } : {}), targetCollectionName: req.target_collection_name,
    });
    return { job_id: String(r.jobId) };
  }, () => ({ job_id: '0' }));
}

export function getRestoreSnapshotState(ctx: ClientContext, req: Sdk.GetRestoreSnapshotStateReq): Promise<{ status: ResStatus; info: SdkRestoreJob }> {
  return answer(async () => ({ info: restoreJob(await ctx.service.getRestoreSnapshotState({ jobId: idOf(req.job_id, 'job_id') })) }), () => ({ info: emptyRestoreJob() }));
}

export function listRestoreSnapshotJobs(ctx: ClientContext, req?: Sdk.ListRestoreSnapshotJobsReq): Promise<{ status: ResStatus; jobs: SdkRestoreJob[] }> {
  return answer(async () => {
    const jobs = await ctx.service.listRestoreSnapshotJobs({
      ...(req?.db_name ? { dbName: req.db_name } : {}), ...(req?.collection_name ? { collectionName: req.collection_name } : {}),
    });
    return { jobs: jobs.map(restoreJob) };
  }, () => ({ jobs: [] }));
}

export function pinSnapshotData(ctx: ClientContext, req: Sdk.PinSnapshotDataReq): Promise<{ status: ResStatus; pin_id: string }> {
  return answer(async () => {
    const r = await ctx.service.pinSnapshotData({ ...snapshotOf(ctx, req), ...(req.ttl_seconds !== undefined ? { ttlSeconds: idOf(req.ttl_seconds, 'ttl_seconds') } : {}) });
    return { pin_id: String(r.pinId) };
  }, () => ({ pin_id: '0' }));
}

export function unpinSnapshotData(ctx: ClientContext, req: Sdk.UnpinSnapshotDataReq): Promise<ResStatus> {
  return statusOf(() => ctx.service.unpinSnapshotData({ pinId: idOf(req.pin_id, 'pin_id') }));
}

export function refreshExternalCollection(ctx: ClientContext, req: Sdk.RefreshExternalCollectionReq): Promise<{ status: ResStatus; job_id: string }> {
  return answer(async () => {
    const r = await ctx.service.refreshExternalCollection({
      ...scoped(ctx, req),
      ...(req.external_source ? { externalSource: req.external_source } : {}), ...(req.external_spec ? { externalSpec: req.external_spec } : {}),
    });
    return { job_id: r.jobId };
  }, () => ({ job_id: '0' }));
}

export function getRefreshExternalCollectionProgress(ctx: ClientContext, req: Sdk.GetRefreshExternalCollectionProgressReq): Promise<{ status: ResStatus; job_info: SdkRefreshJob }> {
  return answer(async () => ({ job_info: refreshJob(await ctx.service.getRefreshExternalCollectionProgress({ jobId: String(idOf(req.job_id, 'job_id')) })) }),
    () => ({ job_info: emptyRefreshJob() }));
}

export function listRefreshExternalCollectionJobs(ctx: ClientContext, req?: Sdk.ListRefreshExternalCollectionJobsReq): Promise<{ status: ResStatus; jobs: SdkRefreshJob[] }> {
  return answer(async () => {
    const jobs = await ctx.service.listRefreshExternalCollectionJobs({
      dbName: dbOf(ctx, req), ...(req?.collection_name ? { collectionName: req.collection_name } : {}),
    });
    return { jobs: jobs.map(refreshJob) };
  }, () => ({ jobs: [] }));
}
