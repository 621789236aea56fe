/**
 * REST v2 `snapshots/*` and `jobs/external_collection/*` over the service's snapshot and external
 * collection operations.
 * Snapshots, in the JSON shapes of Milvus' snapshot_handler_v2.go: create `{collectionName,
 * snapshotName, description?, compactionProtectionSeconds?}`; drop / describe `{collectionName,
 * snapshotName}`; list `{collectionName}` -> names; restore `{snapshotName, sourceCollectionName,
 * targetCollectionName, targetDbName?}` (no targetDbName: `default`, as Milvus) -> `{jobId}`; pin `{collectionName, snapshotName,
 * ttlSeconds}` -> `{pinId}`; unpin `{pinId}` (a positive decimal int64). Milvus has no REST endpoint
 * for GetRestoreSnapshotState / ListRestoreSnapshotJobs (a restore completes inside the call here).
 * External collections (the path family Zilliz documents, actions named as `jobs/import/*`):
 * refresh `{collectionName, externalSource?, externalSpec?}` -> `{jobId}`; get_progress / describe
 * `{jobId}` -> the job; list `{collectionName?}` -> `{records: [...]}`.
 */
import { errors } from '../../../core/errors.js';
import { DEFAULT_DB } from '../../../engine/engine.js';
import type { RefreshJobInfo } from '../../../service/import/types.js';
import type { SnapshotRef } from '../../../service/snapshots.js';
import { empty, ok, type RestCall, type V2Result, type V2Table } from '../route.js';

function snapshotOf(call: RestCall): SnapshotRef {
  return { ...(call.dbName !== undefined ? { dbName: call.dbName } : {}), collectionName: call.args.str('collectionName'), name: call.args.str('snapshotName') };
}

/** An int64 id given as a decimal string or a JSON integer; positive. */
function idOf(call: RestCall, key: string): bigint {
  const v = call.args.raw(key);
  const text = typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : typeof v === 'string' ? v.trim() : '';
  if (!/^\d{1,19}$/.test(text) || BigInt(text) <= 0n || BigInt(text) > 0x7fffffffffffffffn) {
    throw errors.invalidParameter(`${key} must be a positive decimal int64, got ${JSON.stringify(v ?? null)}`);
  }
  return BigInt(text);
}

function refreshJobToJson(j: RefreshJobInfo): Record<string, unknown> {
  return {
    jobId: j.jobId, collectionName: j.collectionName, state: j.state, progress: j.progress, reason: j.reason,
    externalSource: j.externalSource, externalSpec: j.externalSpec, startTime: j.startTimeMs, endTime: j.endTimeMs ?? 0,
  };
}

async function refreshProgress(call: RestCall): Promise<V2Result> {
  return ok(refreshJobToJson(await call.api.getRefreshExternalCollectionProgress({ jobId: String(idOf(call, 'jobId')) })));
}

export const snapshotRoutes: V2Table = {
  'snapshots/create': async (call) => {
    const protect = call.args.optInt('compactionProtectionSeconds');
    await call.api.createSnapshot({
      ...snapshotOf(call), description: call.args.optStr('description') ?? '', ...(protect !== undefined ? { compactionProtectionSeconds: protect } : {}),
    });
    return empty();
  },
  'snapshots/drop': async (call) => { await call.api.dropSnapshot(snapshotOf(call)); return empty(); },
  'snapshots/list': async (call) => ok(await call.api.listSnapshots({ ...(call.dbName !== undefined ? { dbName: call.dbName } : {}), collectionName: call.args.str('collectionName') })),
  'snapshots/describe': async (call) => {
    const d = await call.api.describeSnapshot(snapshotOf(call));
    return ok({ snapshotName: d.name, description: d.description, collectionName: d.collectionName, partitionNames: d.partitionNames, createTs: d.createTs, s3Location: '' });
  },
  'snapshots/restore': async (call) => {
    const target = call.args.optStr('targetDbName');
    const r = await call.api.restoreSnapshot({
      ...(call.dbName !== undefined ? { dbName: call.dbName } : {}), collectionName: call.args.str('sourceCollectionName'), name: call.args.str('snapshotName'),
      targetDbName: target !== undefined && target !== '' ? target : DEFAULT_DB, targetCollectionName: call.args.str('targetCollectionName'),
    });
    return ok({ jobId: r.jobId });
  },
  'snapshots/pin': async (call) => {
    const ttl = call.args.optInt('ttlSeconds');
    const r = await call.api.pinSnapshotData({ ...snapshotOf(call), ...(ttl !== undefined ? { ttlSeconds: ttl } : {}) });
    return ok({ pinId: r.pinId });
  },
  'snapshots/unpin': async (call) => { await call.api.unpinSnapshotData({ pinId: idOf(call, 'pinId') }); return empty(); },

  'jobs/external_collection/refresh': async (call) => {
    const source = call.args.optStr('externalSource');
    const spec = call.args.optStr('externalSpec');
    const r = await call.api.refreshExternalCollection({
      ...(call.dbName !== undefined ? { dbName: call.dbName } : {}), collectionName: call.args.str('collectionName'),
      ...(source !== undefined && source !== '' ? { externalSource: source } : {}), ...(spec !== undefined && spec !== '' ? { externalSpec: spec } : {}),
    });
    return ok({ jobId: r.jobId });
  },
  'jobs/external_collection/get_progress': refreshProgress,
  'jobs/external_collection/describe': refreshProgress,
  'jobs/external_collection/list': async (call) => {
    const c = call.args.optStr('collectionName');
    const jobs = await call.api.listRefreshExternalCollectionJobs({ ...(call.dbName !== undefined ? { dbName: call.dbName } : {}), ...(c !== undefined && c !== '' ? { collectionName: c } : {}) });
    return ok({ records: jobs.map(refreshJobToJson) });
  },
};
