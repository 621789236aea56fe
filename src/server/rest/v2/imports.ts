/**
 * REST v2 `jobs/import/*` (Milvus handler_v2): create `{collectionName, partitionName?, files:
 * [["a.parquet"], ["x.npy", "y.npy"]], options: {sep, nullkey, timeout}}` -> `{jobId}`;
 * get_progress / describe `{jobId}` -> the job with per-file `details`; list `{collectionName?}`
 * -> `{records: [{collectionName, jobId, state, progress, reason}]}`.
 */
import { errors } from '../../../core/errors.js';
import type { ImportJobInfo } from '../../../service/import/types.js';
import type { Args } from '../args.js';
import { ok, type RestCall, type V2Result, type V2Table } from '../route.js';

const iso = (ms: number | null): string => (ms === null ? '' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'));

function filesOf(a: Args): string[][] {
  return a.list('files').map((g, i) => {
    if (!Array.isArray(g) || !g.every((p): p is string => typeof p === 'string')) {
      throw errors.invalidParameter(`files[${i}] must be a list of file paths`);
    }
    return g;
  });
}

function optionsOf(a: Args): Record<string, string> {
  const o = a.optObject('options');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o?.body ?? {})) if (v !== null && v !== undefined) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return out;
}

function jobToJson(j: ImportJobInfo): Record<string, unknown> {
  return {
    jobId: j.jobId, collectionName: j.collectionName, completeTime: iso(j.completeTimeMs), state: j.state, progress: j.progress,
    importedRows: j.importedRows, totalRows: j.totalRows, reason: j.reason, fileSize: j.fileSize,
    details: j.details.map((d) => ({
      fileName: d.fileName, fileSize: d.fileSize, progress: d.progress, completeTime: iso(d.completeTimeMs), state: d.state,
      importedRows: d.importedRows, totalRows: d.totalRows, reason: d.reason,
    })),
  };
}

async function progress(call: RestCall): Promise<V2Result> {
  return ok(jobToJson(await call.api.getImportProgress({ jobId: call.args.str('jobId'), ...(call.dbName !== undefined ? { dbName: call.dbName } : {}) })));
}

export const importRoutes: V2Table = {
  'jobs/import/create': async (call) => {
    const partitionName = call.args.optStr('partitionName');
    const { jobId } = await call.api.importData({
      ...(call.dbName !== undefined ? { dbName: call.dbName } : {}),
      collectionName: call.args.str('collectionName'),
      ...(partitionName !== undefined && partitionName !== '' ? { partitionName } : {}),
      files: filesOf(call.args),
      options: optionsOf(call.args),
    });
    return ok({ jobId });
  },
  'jobs/import/get_progress': progress,
  'jobs/import/describe': progress,
  'jobs/import/list': async (call) => {
    const collectionName = call.args.optStr('collectionName');
    const jobs = await call.api.listImports({
      ...(call.dbName !== undefined ? { dbName: call.dbName } : {}),
      ...(collectionName !== undefined ? { collectionName } : {}),
    });
    return ok({ records: jobs.map((j) => ({ collectionName: j.collectionName, jobId: j.jobId, state: j.state, progress: j.progress, reason: j.reason })) });
  },
};
