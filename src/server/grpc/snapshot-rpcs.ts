/** The snapshot RPCs of milvus.proto 2.6 (service/snapshots.ts): decode, one service call, encode. */
import type { MilvusApi } from '../../service/api.js';
import type { RestoreJobInfo, SnapshotRef } from '../../service/snapshots.js';
import { dbNameOf, type CallContext } from './codec/context.js';
import { int64, str, type Wire } from './codec/wire.js';

type RpcHandler = (api: MilvusApi, req: Wire, ctx: CallContext) => Promise<Wire>;

const none: Wire = {};
/** milvus.proto RestoreSnapshotState. */
const RESTORE_STATE = { completed: 3, failed: 4 } as const;

function ref(req: Wire, ctx: CallContext): SnapshotRef {
  const db = dbNameOf(req, ctx);
  return { ...(db !== undefined ? { dbName: db } : {}), collectionName: str(req['collection_name'], 'collection_name'), name: str(req['name'], 'name') };
}

function jobToWire(j: RestoreJobInfo): Wire {
  return {
    job_id: String(j.jobId), snapshot_name: j.snapshotName, db_name: j.dbName, collection_name: j.collectionName, state: RESTORE_STATE[j.state],
    progress: j.progress, reason: j.reason, start_time: String(j.startTimeMs), time_cost: String(j.timeCostMs),
  };
}

export const snapshotRpcs: Record<string, RpcHandler> = {
  CreateSnapshot: async (api, req, ctx) => {
    await api.createSnapshot({ ...ref(req, ctx), description: str(req['description'], 'description'), compactionProtectionSeconds: int64(req['compaction_protection_seconds'], 'compaction_protection_seconds') });
    return none;
  },
  DropSnapshot: async (api, req, ctx) => { await api.dropSnapshot(ref(req, ctx)); return none; },
  ListSnapshots: async (api, req, ctx) => {
    const db = dbNameOf(req, ctx);
    return { snapshots: await api.listSnapshots({ ...(db !== undefined ? { dbName: db } : {}), collectionName: str(req['collection_name'], 'collection_name') }) };
  },
  DescribeSnapshot: async (api, req, ctx) => {
    const d = await api.describeSnapshot(ref(req, ctx));
    return { name: d.name, description: d.description, collection_name: d.collectionName, partition_names: d.partitionNames, create_ts: String(d.createTs), s3_location: '' };
  },
  RestoreSnapshot: async (api, req, ctx) => {
    const target = str(req['target_db_name'], 'target_db_name');
    const r = await api.restoreSnapshot({
      ...ref(req, ctx), ...(target !== '' ? { targetDbName: target } : {}), targetCollectionName: str(req['target_collection_name'], 'target_collection_name'),
    });
    return { job_id: String(r.jobId) };
  },
  GetRestoreSnapshotState: async (api, req) => ({ info: jobToWire(await api.getRestoreSnapshotState({ jobId: int64(req['job_id'], 'job_id') })) }),
  ListRestoreSnapshotJobs: async (api, req, ctx) => {
    const c = str(req['collection_name'], 'collection_name');
    const db = str(req['db_name'], 'db_name') !== '' ? dbNameOf(req, ctx) : undefined;
    const jobs = await api.listRestoreSnapshotJobs({ ...(db !== undefined ? { dbName: db } : {}), ...(c !== '' ? { collectionName: c } : {}) });
    return { jobs: jobs.map(jobToWire) };
  },
  PinSnapshotData: async (api, req, ctx) => ({ pin_id: String((await api.pinSnapshotData({ ...ref(req, ctx), ttlSeconds: int64(req['ttl_seconds'], 'ttl_seconds') })).pinId) }),
  UnpinSnapshotData: async (api, req) => { await api.unpinSnapshotData({ pinId: int64(req['pin_id'], 'pin_id') }); return none; },
};
