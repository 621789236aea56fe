/**
 * Small response encoders: mutation results, load state, index descriptions, collection/partition
 * lists, statistics, flush, databases, aliases, segments, compaction. int64/uint64 as decimal strings.
 */
import { LoadState } from '../../../core/enums.js';
import type * as T from '../../../service/types.js';
import { primaryKeysToWire } from './placeholder.js';
import { toKeyValues, type Wire } from './wire.js';

const s = (v: bigint | number): string => String(v);

export function mutationResultToWire(r: T.MutationResult): Wire {
  const n = r.ids.data.length;
  const succ = new Array<number>(n);
  for (let i = 0; i < n; i++) succ[i] = i;
  return {
    IDs: primaryKeysToWire(r.ids),
    succ_index: succ,
    err_index: [],
    acknowledged: true,
    insert_cnt: s(r.insertCount),
    delete_cnt: s(r.deleteCount),
    upsert_cnt: s(r.upsertCount),
    timestamp: s(r.timestamp),
  };
}

export function loadStateToWire(r: T.LoadStateResult): Wire {
  return { state: LoadState[r.state] };
}

export function loadingProgressToWire(r: T.LoadingProgressResult): Wire {
  return { progress: s(r.progress), refresh_progress: s(r.refreshProgress) };
}

export const IndexState = { IndexStateNone: 0, Unissued: 1, InProgress: 2, Finished: 3, Failed: 4, Retry: 5 } as const;

/** `params` echo: index_type, metric_type, the build params as `params` JSON text, and each flat. */
export function indexDescriptionToWire(d: T.IndexDescription): Wire {
  const build: Record<string, string> = {};
  for (const [k, v] of Object.entries(d.params)) {
    if (k !== 'index_type' && k !== 'metric_type' && k !== 'params') build[k] = v;
  }
  const params: Record<string, string> = { ...build, index_type: d.indexType };
  if (d.metricType !== '') params['metric_type'] = d.metricType;
  params['params'] = d.params['params'] ?? JSON.stringify(build);
  return {
    index_name: d.indexName,
    indexID: s(d.indexId),
    params: toKeyValues(params),
    field_name: d.fieldName,
    indexed_rows: s(d.indexedRows),
    total_rows: s(d.totalRows),
    state: IndexState[d.state],
    index_state_fail_reason: d.failReason,
    pending_index_rows: s(d.pendingRows),
  };
}

export function describeIndexToWire(list: T.IndexDescription[]): Wire {
  return { index_descriptions: list.map(indexDescriptionToWire) };
}

export function showCollectionsToWire(list: T.CollectionListEntry[]): Wire {
  return {
    collection_names: list.map((c) => c.name),
    collection_ids: list.map((c) => s(c.collectionId)),
    created_timestamps: list.map((c) => s(c.createdTimestamp)),
    created_utc_timestamps: list.map((c) => s(c.createdUtcMs)),
    inMemory_percentages: list.map((c) => s(c.loadedPercent)),
    query_service_available: list.map((c) => c.loadedPercent >= 100),
    shards_num: list.map(() => 1),
  };
}

export function showPartitionsToWire(list: T.PartitionListEntry[]): Wire {
  return {
    partition_names: list.map((p) => p.name),
    partitionIDs: list.map((p) => s(p.partitionId)),
    created_timestamps: list.map((p) => s(p.createdTimestamp)),
    created_utc_timestamps: list.map((p) => s(p.createdUtcMs)),
    inMemory_percentages: list.map((p) => s(p.loadedPercent)),
  };
}

export function statisticsToWire(r: T.Statistics): Wire {
  return { stats: [{ key: 'row_count', value: String(r.rowCount) }] };
}

export function flushToWire(r: T.FlushResult): Wire {
  const segs: Record<string, Wire> = {};
  for (const [name, ids] of r.segmentIds) segs[name] = { data: ids.map(s) };
  const ts: Record<string, string> = {};
  for (const [name, t] of r.flushTs) ts[name] = s(t);
  const seal: Record<string, string> = {};
  for (const name of r.segmentIds.keys()) seal[name] = '0';
  return { db_name: r.dbName, coll_segIDs: segs, flush_coll_segIDs: segs, coll_seal_times: seal, coll_flush_ts: ts };
}

export function listDatabasesToWire(list: T.DatabaseInfo[]): Wire {
  return {
    db_names: list.map((d) => d.dbName),
    created_timestamp: list.map((d) => s(d.createdTimestamp)),
    db_ids: list.map((d) => s(d.dbId)),
  };
}

export function describeDatabaseToWire(d: T.DatabaseInfo): Wire {
  return { db_name: d.dbName, dbID: s(d.dbId), created_timestamp: s(d.createdTimestamp), properties: toKeyValues(d.properties) };
}

export function describeAliasToWire(a: T.AliasDescription): Wire {
  return { db_name: a.dbName, alias: a.alias, collection: a.collectionName };
}

export function listAliasesToWire(list: T.AliasDescription[], dbName: string, collectionName: string): Wire {
  return { db_name: dbName, collection_name: collectionName, aliases: list.map((a) => a.alias) };
}

const SegmentState = { Growing: 2, Sealed: 3, Flushed: 4 } as const;

export function persistentSegmentsToWire(list: T.SegmentInfo[]): Wire {
  return {
    infos: list.map((g) => ({
      segmentID: s(g.segmentId), collectionID: s(g.collectionId), partitionID: s(g.partitionId),
      num_rows: s(g.numRows), state: SegmentState[g.state],
    })),
  };
}

export function querySegmentsToWire(list: T.SegmentInfo[]): Wire {
  return {
    infos: list.map((g) => ({
      segmentID: s(g.segmentId), collectionID: s(g.collectionId), partitionID: s(g.partitionId),
      mem_size: s(g.memSizeBytes), num_rows: s(g.numRows), index_name: g.indexName, state: SegmentState[g.state],
      nodeID: '1', nodeIds: ['1'], is_sorted: g.isSorted ?? false,
    })),
  };
}

const CompactionState = { Executing: 1, Completed: 2 } as const;

export function compactionToWire(r: T.CompactionResult): Wire {
  return { compactionID: s(r.compactionId), compactionPlanCount: r.planCount };
}

export function compactionStateToWire(r: T.CompactionResult): Wire {
  return {
    state: CompactionState[r.state],
    executingPlanNo: s(r.executingPlans),
    timeoutPlanNo: '0',
    completedPlanNo: s(r.completedPlans),
    failedPlanNo: s(r.failedPlans),
  };
}

/** milvus.proto CompactionMergeInfo: the source segments of each merge and its target. */
export function compactionPlansToWire(r: T.CompactionResult): Wire {
  return { state: CompactionState[r.state], mergeInfos: r.plans.map((p) => ({ sources: p.sources.map(s), target: s(p.target) })) };
}

/** milvus.proto QuotaState numbers. */
const QUOTA_STATE: Record<T.QuotaState, number> = { DenyToWrite: 5 };

export function healthToWire(r: T.HealthReport): Wire {
  return { isHealthy: r.isHealthy, reasons: r.reasons, quota_states: r.quotaStates.map((q) => QUOTA_STATE[q]) };
}
