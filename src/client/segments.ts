/** Flush, compaction and segment info. flushSync polls GetFlushState like the SDK. */
import { errors } from '../core/errors.js';
import type { CompactReq, FlushReq, LoadBalanceReq, GePersistentSegmentInfoReq, GetCompactionStateReq, GetFlushStateReq, GetQuerySegmentInfoReq } from '@zilliz/milvus2-sdk-node';
import type * as T from '../service/types.js';
import { type ClientContext, dbOf, scoped } from './context.js';
import { ERROR_REASONS } from './enums.js';
import { answer, clientError, isSuccess, statusOf, type ResStatus } from './status.js';
import type { CompactionResponse, FlushResult, GePersistentSegmentInfoResponse, GetCompactionStateResponse, GetFlushStateResponse, GetQuerySegmentInfoResponse } from './types.js';

const POLL_MS = 20;

function collectionNames(req: FlushReq): string[] {
  if (!req || !Array.isArray(req.collection_names) || req.collection_names.length === 0) {
    throw clientError(ERROR_REASONS.COLLECTION_NAME_IS_REQUIRED);
  }
  return req.collection_names;
}

/** FlushAll: every collection, flushed before it answers (so flushAllSync needs no polling). */
export async function flushAll(ctx: ClientContext): Promise<{ status: ResStatus; flush_all_ts: string }> {
  return answer(async () => ({ flush_all_ts: String((await ctx.service.flushAll({})).flushAllTs) }), () => ({ flush_all_ts: '0' }));
}

export async function getFlushAllState(ctx: ClientContext): Promise<{ status: ResStatus; flushed: boolean }> {
  return answer(async () => ({ flushed: await ctx.service.getFlushAllState({}) }), () => ({ flushed: false }));
}

export async function flushAllSync(ctx: ClientContext): Promise<{ status: ResStatus; flushed: boolean }> {
  const r = await flushAll(ctx);
  if (!isSuccess(r.status)) return { status: r.status, flushed: false };
  return getFlushAllState(ctx);
}

export async function flush(ctx: ClientContext, req: FlushReq): Promise<FlushResult> {
  const names = collectionNames(req);
  const dbName = dbOf(ctx, req);
  return answer(async () => {
    const r = await ctx.service.flush({ dbName, collectionNames: names });
    const segs: FlushResult['coll_segIDs'] = {};
    const ts: Record<string, string> = {};
    for (const [name, ids] of r.segmentIds) segs[name] = { data: ids.map(String) };
    for (const [name, t] of r.flushTs) ts[name] = String(t);
    return { db_name: r.dbName, coll_segIDs: segs, flush_coll_segIDs: segs, coll_seal_times: {}, coll_flush_ts: ts, channel_cps: {} };
  }, () => ({ db_name: '', coll_segIDs: {}, flush_coll_segIDs: {}, coll_seal_times: {}, coll_flush_ts: {}, channel_cps: {} }));
}

export async function getFlushState(ctx: ClientContext, req: GetFlushStateReq): Promise<GetFlushStateResponse> {
  if (!req || (!req.segmentIDs && !req.collection_name && req.flush_ts === undefined)) throw clientError(ERROR_REASONS.GET_FLUSH_STATE_CHECK_PARAMS);
  const ids = (req.segmentIDs ?? []).map((id) => BigInt(id));
  return answer(async () => ({ flushed: await ctx.service.getFlushState({ segmentIds: ids }) }), () => ({ flushed: false }));
}

/** Flush, then poll GetFlushState over the segment ids it returned until `flushed`. */
export async function flushSync(ctx: ClientContext, req: FlushReq): Promise<GetFlushStateResponse> {
  const res = await flush(ctx, req);
  if (!isSuccess(res.status)) return { status: res.status, flushed: false };
  const segmentIDs = Object.values(res.coll_segIDs).flatMap((s) => s.data.map(Number));
  for (;;) {
    const state = await getFlushState(ctx, { segmentIDs });
    if (state.flushed || !isSuccess(state.status)) return state;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export async function compact(ctx: ClientContext, req: CompactReq): Promise<CompactionResponse> {
  const s = scoped(ctx, req);
  return answer(async () => {
    const r = await ctx.service.compact({ ...s, targetSizeMb: targetSizeOf(req.target_size) });
    return { compactionID: String(r.compactionId), compactionPlanCount: r.planCount };
  }, () => ({ compactionID: '0', compactionPlanCount: 0 }));
}

/** LoadBalance; the SDK refuses a request without `src_nodeID` before sending it, and so does this. */
export async function loadBalance(ctx: ClientContext, req: LoadBalanceReq): Promise<ResStatus> {
  if (!req || req.src_nodeID === undefined) throw clientError(ERROR_REASONS.LOAD_BALANCE_CHECK_PARAMS);
  const s = { dbName: dbOf(ctx, req), collectionName: req.collectionName ?? '' };
  const ids = (v: readonly number[] | undefined): bigint[] => (v ?? []).map((x) => BigInt(x));
  return statusOf(() => ctx.service.loadBalance({ ...s, srcNodeId: BigInt(req.src_nodeID), dstNodeIds: ids(req.dst_nodeIDs), segmentIds: ids(req.sealed_segmentIDs) }));
}

function targetSizeOf(v: number | string | undefined): bigint {
  if (v === undefined || v === '') return 0n;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  throw errors.parameterInvalidMsg(`target_size must be an integer number of MB, got ${String(v)}`);
}

export async function getCompactionState(ctx: ClientContext, req: GetCompactionStateReq): Promise<GetCompactionStateResponse> {
  if (!req || !req.compactionID) throw clientError(ERROR_REASONS.COMPACTION_ID_IS_REQUIRED);
  const id = BigInt(req.compactionID);
  return answer(async () => {
    const r = await ctx.service.getCompactionState({ compactionId: id });
    return { state: r.state, executingPlanNo: String(r.executingPlans), timeoutPlanNo: '0', completedPlanNo: String(r.completedPlans), failedPlanNo: String(r.failedPlans) };
  }, () => ({ state: 'UndefiedState', executingPlanNo: '0', timeoutPlanNo: '0', completedPlanNo: '0', failedPlanNo: '0' }));
}

function segmentScope(ctx: ClientContext, req: GetQuerySegmentInfoReq): T.CollectionScoped {
  return { dbName: req.dbName ? req.dbName : ctx.database, collectionName: req.collectionName };
}

export async function getQuerySegmentInfo(ctx: ClientContext, req: GetQuerySegmentInfoReq): Promise<GetQuerySegmentInfoResponse> {
  const s = segmentScope(ctx, req);
  return answer(async () => ({
    infos: (await ctx.service.getQuerySegmentInfo(s)).map((i) => ({
      segmentID: String(i.segmentId), collectionID: String(i.collectionId), partitionID: String(i.partitionId),
      mem_size: String(i.memSizeBytes), num_rows: String(i.numRows), index_name: i.indexName, indexID: '0', nodeID: '0',
      state: i.state, nodeIds: [], level: 'L1', is_sorted: i.isSorted ?? false, storage_version: '0',
    })),
  }), () => ({ infos: [] }));
}

export async function getPersistentSegmentInfo(ctx: ClientContext, req: GePersistentSegmentInfoReq): Promise<GePersistentSegmentInfoResponse> {
  const s = segmentScope(ctx, req);
  return answer(async () => ({
    infos: (await ctx.service.getPersistentSegmentInfo(s)).map((i) => ({
      segmentID: String(i.segmentId), collectionID: String(i.collectionId), partitionID: String(i.partitionId),
      num_rows: String(i.numRows), state: i.state, level: 'L1', is_sorted: false, storage_version: '0',
    })),
  }), () => ({ infos: [] }));
}
