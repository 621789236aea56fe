/** REST v2 `collections/*` (reference §7.1), except `create` (create.ts). */
import { MilvusError } from '../../../core/errors.js';
import { errors } from '../../../core/errors.js';
import { parseInt64 } from '../../../core/int64.js';
import type { MilvusApi } from '../../../service/api.js';
import type { CollectionScoped, IndexDescription } from '../../../service/types.js';
import { collectionOf, empty, ok, type RestCall, type V2Table } from '../route.js';
import { describeCollectionData } from './describe.js';

/** DescribeIndex, with "no index" as an empty list. */
export async function indexesOf(api: MilvusApi, s: CollectionScoped): Promise<IndexDescription[]> {
  try {
    return await api.describeIndex(s);
  } catch (e) {
    if (e instanceof MilvusError && e.code === 700) return [];
    throw e;
  }
}

async function loadState(call: RestCall): Promise<{ loadState: string; loadProgress: number; message: string }> {
  const s = collectionOf(call);
  // The Node SDK's type for this one endpoint says `partitionNames?: string`; accept both forms.
  const raw = call.args.raw('partitionNames');
  const partitionNames = typeof raw === 'string' ? (raw === '' ? [] : [raw]) : call.args.strList('partitionNames');
  const { state } = await call.api.getLoadState({ ...s, partitionNames });
  let loadProgress = 0;
  if (state === 'LoadStateLoaded' || state === 'LoadStateLoading') {
    loadProgress = (await call.api.getLoadingProgress({ ...s, partitionNames })).progress;
  }
  return { loadState: state, loadProgress, message: '' };
}

async function describe(call: RestCall): Promise<Record<string, unknown>> {
  const s = collectionOf(call);
  const d = await call.api.describeCollection(s);
  const [indexes, state, partitions] = await Promise.all([
    indexesOf(call.api, s), call.api.getLoadState(s), call.api.listPartitions(s),
  ]);
  return describeCollectionData(d, indexes, state.state, partitions.length);
}

export const collectionRoutes: V2Table = {
  'collections/list': async (call) => ok((await call.api.listCollections({ dbName: call.dbName })).map((c) => c.name)),
  'collections/has': async (call) => ok({ has: await call.api.hasCollection(collectionOf(call)) }),
  'collections/describe': async (call) => ok(await describe(call)),
  'collections/drop': async (call) => { await call.api.dropCollection(collectionOf(call)); return empty(); },
  'collections/rename': async (call) => {
    const newDbName = call.args.optStr('newDbName');
    await call.api.renameCollection({
      dbName: call.dbName,
      oldName: call.args.str('collectionName'),
      newName: call.args.str('newCollectionName'),
      ...(newDbName ? { newDbName } : {}),
    });
    return empty();
  },
  'collections/get_stats': async (call) => ok({ rowCount: (await call.api.getCollectionStatistics(collectionOf(call))).rowCount }),
  'collections/get_load_state': async (call) => ok(await loadState(call)),
  'collections/load': async (call) => { await call.api.loadCollection(collectionOf(call)); return empty(); },
  'collections/refresh_load': async (call) => { await call.api.loadCollection({ ...collectionOf(call), refresh: true }); return empty(); },
  'collections/release': async (call) => { await call.api.releaseCollection(collectionOf(call)); return empty(); },
  'collections/flush': async (call) => {
    await call.api.flush({ dbName: call.dbName, collectionNames: [call.args.str('collectionName')] });
    return empty();
  },
  'collections/compact': async (call) => ok({ compactionID: Number((await call.api.compact(collectionOf(call))).compactionId) }),
  'collections/get_compaction_state': async (call) => {
    const id = call.args.raw('compactionID');
    if (id === undefined || id === null) throw errors.missingParameter('compactionID');
    const compactionId = parseInt64(id);
    if (compactionId === undefined) throw errors.invalidParameter('compactionID', { expected: 'an integer', actual: String(id) });
    const r = await call.api.getCompactionState({ compactionId });
    return ok({ compactionID: Number(r.compactionId), state: r.state, executingPlanNo: r.executingPlans, timeoutPlanNo: 0, completedPlanNo: r.completedPlans, failedPlanNo: r.failedPlans });
  },
  'collections/alter_properties': async (call) => {
    await call.api.alterCollection({ ...collectionOf(call), properties: call.args.stringRecord('properties') });
    return empty();
  },
  'collections/drop_properties': async (call) => {
    await call.api.alterCollection({ ...collectionOf(call), deleteKeys: call.args.requiredStrList('propertyKeys') });
    return empty();
  },
  'collections/fields/alter_properties': async (call) => {
    await call.api.alterCollectionField({
      ...collectionOf(call), fieldName: call.args.str('fieldName'), properties: call.args.stringRecord('fieldParams'), deleteKeys: [],
    });
    return empty();
  },
  'collections/fields/add': async () => { throw errors.unsupported('add collection field'); },
};
