/** Partition methods: create, drop, has, show/list, statistics. */
import type { CreatePartitionReq, DropPartitionReq, GetPartitionStatisticsReq, HasPartitionReq, ShowPartitionsReq } from '@zilliz/milvus2-sdk-node';
import type * as T from '../service/types.js';
import { type ClientContext, scoped } from './context.js';
import { ERROR_REASONS, ShowPartitionsType } from './enums.js';
import { answer, clientError, type ResStatus, statusOf } from './status.js';
import type { BoolResponse, KeyValuePair, ShowPartitionsResponse, StatisticsResponse } from './types.js';

/** The SDK's checkCollectionAndPartitionName: both names or a throw. */
function partitionRequest(ctx: ClientContext, req: { collection_name?: string; partition_name?: string; db_name?: string }): T.PartitionRequest {
  if (!req || !req.collection_name || !req.partition_name) throw clientError(ERROR_REASONS.COLLECTION_PARTITION_NAME_ARE_REQUIRED);
  return { ...scoped(ctx, req), partitionName: req.partition_name };
}

export async function createPartition(ctx: ClientContext, req: CreatePartitionReq): Promise<ResStatus> {
  const r = partitionRequest(ctx, req);
  return statusOf(() => ctx.service.createPartition(r));
}

export async function dropPartition(ctx: ClientContext, req: DropPartitionReq): Promise<ResStatus> {
  const r = partitionRequest(ctx, req);
  return statusOf(() => ctx.service.dropPartition(r));
}

export async function hasPartition(ctx: ClientContext, req: HasPartitionReq): Promise<BoolResponse> {
  const r = partitionRequest(ctx, req);
  return answer(async () => ({ value: await ctx.service.hasPartition(r) }), () => ({ value: false }));
}

export async function listPartitions(ctx: ClientContext, req: ShowPartitionsReq): Promise<ShowPartitionsResponse> {
  const s = scoped(ctx, req);
  return answer(async () => {
    let list = await ctx.service.listPartitions(s);
    if (req.type === ShowPartitionsType.Loaded) list = list.filter((p) => p.loadedPercent > 0);
    return {
      partition_names: list.map((p) => p.name),
      partitionIDs: list.map((p) => String(p.partitionId)),
      created_timestamps: list.map((p) => String(p.createdTimestamp)),
      created_utc_timestamps: list.map((p) => String(p.createdUtcMs)),
      inMemory_percentages: list.map((p) => String(p.loadedPercent)),
      data: list.map((p) => ({ name: p.name, id: String(p.partitionId), timestamp: String(p.createdUtcMs), loadedPercentage: String(p.loadedPercent) })),
    };
  }, () => ({ partition_names: [], partitionIDs: [], created_timestamps: [], created_utc_timestamps: [], inMemory_percentages: [], data: [] }));
}

export async function getPartitionStatistics(ctx: ClientContext, req: GetPartitionStatisticsReq): Promise<StatisticsResponse> {
  const r = partitionRequest(ctx, req);
  return answer(async () => {
    const rowCount = String((await ctx.service.getPartitionStatistics(r)).rowCount);
    return { stats: [{ key: 'row_count', value: rowCount }], data: { row_count: rowCount } };
  }, (): { stats: KeyValuePair[]; data: Record<string, string> } => ({ stats: [], data: {} }));
}
