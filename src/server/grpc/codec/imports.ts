/**
 * Bulk import over gRPC (Milvus 2.5/2.6's Import, GetImportState, ListImportTasks, answered from
 * the v2 import jobs as Milvus's proxy does): each file of ImportRequest.files is a group of its
 * own, except that .npy files together make one group (one file per field); a job id is the task.
 */
import type { ImportJobInfo, ImportJobState, ImportRequest } from '../../../service/import/types.js';
import type { CallContext } from './context.js';
import { dbNameOf } from './context.js';
import { int64, keyValues, num, str, strings, type Wire } from './wire.js';

/** common.ImportState: ImportPending 0, ImportFailed 1, ImportStarted 2, ImportCompleted 6. */
const STATE: Record<ImportJobState, number> = { Pending: 0, Failed: 1, Importing: 2, Completed: 6 };

export function importFromWire(req: Wire, ctx: CallContext): ImportRequest {
  const files = strings(req['files'], 'files');
  const groups = files.length > 0 && files.every((f) => f.toLowerCase().endsWith('.npy')) ? [files] : files.map((f) => [f]);
  const partitionName = str(req['partition_name'], 'partition_name');
  return {
    dbName: dbNameOf(req, ctx) ?? 'default',
    collectionName: str(req['collection_name'], 'collection_name'),
    ...(partitionName !== '' ? { partitionName } : {}),
    files: groups,
    options: keyValues(req['options'], 'options'),
  };
}

export const importTaskOf = (req: Wire): string => String(int64(req['task'], 'task'));

export function importStateToWire(j: ImportJobInfo): Wire {
  return {
    state: STATE[j.state],
    row_count: String(j.importedRows),
    id_list: [],
    infos: [
      { key: 'collection', value: j.collectionName },
      { key: 'partition', value: j.partitionName },
      { key: 'progress_percent', value: String(j.progress) },
      { key: 'failed_reason', value: j.reason },
      { key: 'files', value: j.details.map((d) => d.fileName).join(';') },
    ],
    id: j.jobId,
    collection_id: String(j.collectionId),
    segment_ids: j.segmentIds.map(String),
    create_ts: String(Math.floor(j.createTimeMs / 1000)),
  };
}

export function listImportsFromWire(req: Wire, ctx: CallContext): { dbName: string; collectionName: string; limit: number } {
  return { dbName: dbNameOf(req, ctx) ?? 'default', collectionName: str(req['collection_name'], 'collection_name'), limit: num(req['limit'], 'limit') };
}
