/**
 * Load / release. As in SDK 3.0.6, `loadCollection` (= `loadCollectionSync`) and
 * `loadPartitionsSync` wait for progress 100 and throw `ErrorCode: <name>. Reason: <reason>` on
 * failure; `loadCollectionAsync`, `loadPartitions` and the releases answer a status.
 */
import type { GetLoadStateReq, GetLoadingProgressReq, LoadCollectionReq, LoadPartitionsReq, ReleaseLoadCollectionReq, ReleasePartitionsReq } from '@zilliz/milvus2-sdk-node';
import type * as T from '../service/types.js';
import { type ClientContext, scoped } from './context.js';
import { ERROR_REASONS, LoadState } from './enums.js';
import { answer, clientError, isSuccess, type ResStatus, StatusError, statusOf } from './status.js';
import type { GetLoadStateResponse, GetLoadingProgressResponse } from './types.js';

const POLL_MS = 50;

function loadRequest(ctx: ClientContext, req: LoadCollectionReq): T.LoadRequest {
  const out: T.LoadRequest = { ...scoped(ctx, req), refresh: req.refresh === true, skipLoadDynamicField: req.skip_load_dynamic_field === true };
  if (req.replica_number !== undefined) out.replicaNumber = req.replica_number;
  if (req.load_fields !== undefined) out.loadFields = req.load_fields;
  if (req.resource_groups !== undefined && req.resource_groups.length > 0) out.resourceGroups = req.resource_groups;
  return out;
}

function partitionNames(req: { partition_names?: string[] }): string[] {
  if (!Array.isArray(req.partition_names) || req.partition_names.length === 0) throw clientError(ERROR_REASONS.PARTITION_NAMES_IS_REQUIRED);
  return req.partition_names;
}

function loadFailure(s: ResStatus): StatusError {
  return new StatusError(s, `ErrorCode: ${s.error_code}. Reason: ${s.reason}`);
}

/** Poll GetLoadingProgress until 100, throwing on an error status. */
async function waitLoaded(ctx: ClientContext, req: GetLoadingProgressReq): Promise<void> {
  for (;;) {
    const res = await getLoadingProgress(ctx, req);
    if (!isSuccess(res.status)) throw loadFailure(res.status);
    if (Number(res.progress) >= 100) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export async function loadCollectionAsync(ctx: ClientContext, req: LoadCollectionReq): Promise<ResStatus> {
  const r = loadRequest(ctx, req);
  return statusOf(() => ctx.service.loadCollection(r));
}

export async function loadCollectionSync(ctx: ClientContext, req: LoadCollectionReq): Promise<ResStatus> {
  const status = await loadCollectionAsync(ctx, req);
  if (!isSuccess(status)) throw loadFailure(status);
  await waitLoaded(ctx, { collection_name: req.collection_name, ...(req.db_name ? { db_name: req.db_name } : {}) });
  return status;
}

export async function releaseCollection(ctx: ClientContext, req: ReleaseLoadCollectionReq): Promise<ResStatus> {
  const s = scoped(ctx, req);
  return statusOf(() => ctx.service.releaseCollection(s));
}

export async function loadPartitions(ctx: ClientContext, req: LoadPartitionsReq): Promise<ResStatus> {
  const s = scoped(ctx, req);
  const names = partitionNames(req);
  return statusOf(() => ctx.service.loadPartitions({ ...s, partitionNames: names, ...(req.replica_number !== undefined ? { replicaNumber: req.replica_number } : {}) }));
}

export async function loadPartitionsSync(ctx: ClientContext, req: LoadPartitionsReq): Promise<ResStatus> {
  const status = await loadPartitions(ctx, req);
  if (!isSuccess(status)) throw loadFailure(status);
  await waitLoaded(ctx, { collection_name: req.collection_name, partition_names: req.partition_names, ...(req.db_name ? { db_name: req.db_name } : {}) });
  return status;
}

export async function releasePartitions(ctx: ClientContext, req: ReleasePartitionsReq): Promise<ResStatus> {
  const s = scoped(ctx, req);
  const names = partitionNames(req);
  return statusOf(() => ctx.service.releasePartitions({ ...s, partitionNames: names }));
}

export async function getLoadState(ctx: ClientContext, req: GetLoadStateReq): Promise<GetLoadStateResponse> {
  const s = scoped(ctx, req);
  return answer(async () => ({ state: LoadState[(await ctx.service.getLoadState({ ...s, partitionNames: req.partition_names ?? [] })).state] }),
    () => ({ state: LoadState.LoadStateNotExist }));
}

export async function getLoadingProgress(ctx: ClientContext, req: GetLoadingProgressReq): Promise<GetLoadingProgressResponse> {
  const s = scoped(ctx, req);
  return answer(async () => {
    const p = await ctx.service.getLoadingProgress({ ...s, partitionNames: req.partition_names ?? [] });
    return { progress: String(p.progress), refresh_progress: String(p.refreshProgress) };
  }, () => ({ progress: '0', refresh_progress: '0' }));
}
