/** The external collection refresh RPCs of milvus.proto 2.6 (service/import/refresh.ts): decode, one service call, encode. */
import type { MilvusApi } from '../../service/api.js';
import type { RefreshJobInfo } from '../../service/import/types.js';
import { dbNameOf, type CallContext } from './codec/context.js';
import { int64, str, type Wire } from './codec/wire.js';

type RpcHandler = (api: MilvusApi, req: Wire, ctx: CallContext) => Promise<Wire>;

/** milvus.proto RefreshExternalCollectionState. */
const STATE = { Pending: 0, Importing: 1, Completed: 2, Failed: 3 } as const;

function jobToWire(j: RefreshJobInfo): Wire {
  return {
    job_id: j.jobId, collection_name: j.collectionName, state: STATE[j.state as keyof typeof STATE] ?? 0, progress: String(j.progress),
    reason: j.reason, external_source: j.externalSource, external_spec: j.externalSpec,
    start_time: String(j.startTimeMs), end_time: String(j.endTimeMs ?? 0),
  };
}

export const externalRpcs: Record<string, RpcHandler> = {
  RefreshExternalCollection: async (api, req, ctx) => {
    const db = dbNameOf(req, ctx);
    const r = await api.refreshExternalCollection({
      ...(db !== undefined ? { dbName: db } : {}), collectionName: str(req['collection_name'], 'collection_name'),
      externalSource: str(req['external_source'], 'external_source'), externalSpec: str(req['external_spec'], 'external_spec'),
    });
    return { job_id: r.jobId };
  },
  GetRefreshExternalCollectionProgress: async (api, req) => ({
    job_info: jobToWire(await api.getRefreshExternalCollectionProgress({ jobId: String(int64(req['job_id'], 'job_id')) })),
  }),
  ListRefreshExternalCollectionJobs: async (api, req, ctx) => {
    const db = dbNameOf(req, ctx);
    const c = str(req['collection_name'], 'collection_name');
    const jobs = await api.listRefreshExternalCollectionJobs({ ...(db !== undefined ? { dbName: db } : {}), ...(c !== '' ? { collectionName: c } : {}) });
    return { jobs: jobs.map(jobToWire) };
  },
};
