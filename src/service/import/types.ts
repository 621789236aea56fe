/** Bulk import's vocabulary (Milvus 2.5/2.6 v2 import: jobs, states, progress, per-file details). */

/** Milvus's import job states (REST v2 names; gRPC maps them to common.ImportState). */
export type ImportJobState = 'Pending' | 'Importing' | 'Completed' | 'Failed';

export interface ImportRequest {
  dbName?: string;
  collectionName: string;
  partitionName?: string;
  /**
   * File groups: each inner list is one import unit. A group is one .json, .parquet or .csv file,
   * or the .npy files of one set of columns (one per field); a group may also be one folder
   * (local directory or S3 prefix ending in `/`) holding such .npy files.
   */
  files: string[][];
  /** Milvus's import options (`sep`, `nullkey` for CSV; `timeout`; `backup` is refused). */
  options?: Record<string, string>;
}

export interface ImportFileProgress {
  fileName: string;
  fileSize: number;
  totalRows: number;
  importedRows: number;
  /** 0..100 */
  progress: number;
  state: ImportJobState;
  reason: string;
  completeTimeMs: number | null;
}

export interface ImportJobInfo {
  jobId: string;
  dbName: string;
  collectionName: string;
  collectionId: number;
  partitionName: string;
  state: ImportJobState;
  reason: string;
  /** 0..100 */
  progress: number;
  importedRows: number;
  totalRows: number;
  fileSize: number;
  createTimeMs: number;
  completeTimeMs: number | null;
  segmentIds: number[];
  details: ImportFileProgress[];
}

export interface GetImportProgressRequest {
  jobId: string;
  dbName?: string;
}

export interface ListImportsRequest {
  dbName?: string;
  collectionName?: string;
  /** At most this many jobs, newest first (0 or absent: all). */
  limit?: number;
}

/** Where import files are read from (service options; the server's flags, the embedded client's open options). */
export interface ImportOptions {
  /**
   * Local files: paths are relative to this folder, or absolute inside it; anything resolving
   * outside it (`..`, symbolic links) is refused. Absent: local import is off.
   */
  root?: string;
  /** An S3 bucket: when set, every path names an object key in it (as Milvus reads its bucket). */
  s3?: ImportS3Options;
}

export interface ImportS3Options {
  endpoint?: string;
  bucket: string;
  region: string;
  accessKeyId?: string;
  secretAccessKey?: string;
}

/** RefreshExternalCollection: the collection, and optionally a new source or spec for this refresh. */
export interface RefreshRequest {
  dbName?: string;
  collectionName: string;
  externalSource?: string;
  externalSpec?: string;
}

/** A refresh job as GetRefreshExternalCollectionProgress reports it. */
export interface RefreshJobInfo {
  jobId: string;
  collectionName: string;
  state: ImportJobInfo['state'];
  progress: number;
  reason: string;
  externalSource: string;
  externalSpec: string;
  startTimeMs: number;
  endTimeMs: number | null;
  importedRows: number;
}
