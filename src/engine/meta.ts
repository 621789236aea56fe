/**
 * The catalog: what the MANIFEST records. Everything here is plain data that round-trips through
 * `toManifestJson` / `fromManifestJson` (bigint-safe). Runtime state (growing data, loaded columns)
 * lives in collection.ts, never here.
 */
import type { ConsistencyLevel, MetricType } from '../core/enums.js';
import type { CollectionSchema } from '../schema/types.js';

export interface DatabaseMeta {
  id: number;
  name: string;
  createdTs: bigint;
  properties: Record<string, string>;
}

export interface SealedSegmentMeta {
  id: number;
  partitionId: number;
  file: string;
  numRows: number;
  sizeBytes: number;
  minTs: bigint;
  maxTs: bigint;
  /**
   * Built vector indexes of this segment: index id -> index file name, or '' when the segment is
   * below the index type's exact threshold and is searched exactly by design.
   */
  indexFiles?: Record<string, string>;
}

export interface PartitionMeta {
  id: number;
  name: string;
  createdTs: bigint;
  /** Every WAL record with LSN <= flushedLsn that touches this partition is in its files. */
  flushedLsn: bigint;
  segments: SealedSegmentMeta[];
  /** Tombstone snapshot file (pk -> delete ts), or null when there are none. */
  deleteFile: string | null;
}

export interface IndexMeta {
  id: number;
  name: string;
  fieldName: string;
  fieldId: number;
  indexType: string;
  metricType: MetricType | '';
  /** The user's params as given (flattened strings), echoed by DescribeIndex. */
  params: Record<string, string>;
  createdTs: bigint;
}

export type LoadType = 'collection' | 'partitions';

export interface LoadMeta extends LoadedFields {
  type: LoadType;
  partitionIds: number[];
}

/** Which fields a load reads (Milvus's `load_fields`, null = all; `skip_load_dynamic_field`). */
export interface LoadedFields {
  loadFields: string[] | null;
  skipDynamic: boolean;
}

/** The fields a load leaves out: those not in `loadFields`, and the dynamic field when skipped. */
export function unloadedFieldNames(schema: CollectionSchema, fields: LoadedFields | null): Set<string> {
  const out = new Set<string>();
  if (fields === null) return out;
  const wanted = fields.loadFields === null ? null : new Set(fields.loadFields);
  for (const f of schema.fields) {
    if (f.isDynamic ? fields.skipDynamic : wanted !== null && !wanted.has(f.name)) out.add(f.name);
  }
  return out;
}

export interface CollectionMeta {
  id: number;
  dbName: string;
  name: string;
  schema: CollectionSchema;
  partitions: PartitionMeta[];
  indexes: IndexMeta[];
  properties: Record<string, string>;
  consistencyLevel: ConsistencyLevel;
  shardsNum: number;
  /** Hash partitions when the schema has a partition key, else 0. */
  numPartitions: number;
  createdTs: bigint;
  updateTs: bigint;
  /** Load state survives restarts, as in Milvus. */
  load: LoadMeta | null;
  /**
   * Bulk import jobs whose rows this catalog holds (the newest `limits.importJobsKept`), written
   * in the same commit as their segments: a job found here after a crash is complete, never re-run.
   */
  importJobs?: ImportMark[];
}

/** A committed bulk import job and the rows it added. */
export interface ImportMark {
  jobId: string;
  rows: number;
}

/**
 * A snapshot: the collection's catalog entry (schema, partitions with their sealed segment,
 * tombstone and index files, indexes) as it was when taken. Its files stay on disk while any
 * snapshot or collection names them (SegmentDir never removes a file the catalog names).
 */
export interface SnapshotMeta {
  id: number;
  name: string;
  description: string;
  dbName: string;
  collectionId: number;
  collectionName: string;
  createdTs: bigint;
  compactionProtectionSeconds: number;
  collection: CollectionMeta;
  /** PinSnapshotData pins: each keeps the snapshot from being dropped until unpinned or lapsed (ms since the epoch). */
  pins?: SnapshotPinMeta[];
}

export interface SnapshotPinMeta {
  pinId: number;
  expiresAtMs: number;
}

/** A finished RestoreSnapshot job (restores run to completion inside the RPC). */
export interface RestoreJobMeta {
  jobId: number;
  snapshotName: string;
  dbName: string;
  collectionName: string;
  state: 'completed' | 'failed';
  reason: string;
  startTimeMs: number;
  timeCostMs: number;
}

export interface AliasMeta {
  dbName: string;
  alias: string;
  collectionId: number;
}

export interface ManifestBody {
  formatVersion: 1;
  nextId: number;
  clockTs: bigint;
  databases: DatabaseMeta[];
  collections: CollectionMeta[];
  aliases: AliasMeta[];
  snapshots?: SnapshotMeta[];
  restoreJobs?: RestoreJobMeta[];
}

const BIGINT_TAG = '$bigint';

const bigintReplacer = (_k: string, v: unknown): unknown => (typeof v === 'bigint' ? { [BIGINT_TAG]: v.toString() } : v);

function bigintReviver(_k: string, v: unknown): unknown {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    const tagged = o[BIGINT_TAG];
    if (typeof tagged === 'string' && Object.keys(o).length === 1) return BigInt(tagged);
  }
  return v;
}

function checkVersion(body: ManifestBody): ManifestBody {
  if (body.formatVersion !== 1) throw new Error(`unsupported manifest format version ${String(body.formatVersion)}`);
  return body;
}

/** JSON-safe copy of a manifest body: bigints become {"$bigint": "<decimal>"}. */
export function toManifestJson(body: ManifestBody): unknown {
  return JSON.parse(JSON.stringify(body, bigintReplacer));
}

export function fromManifestJson(json: unknown): ManifestBody {
  return checkVersion(JSON.parse(JSON.stringify(json), bigintReviver) as ManifestBody);
}

/** The catalog document a CatalogStore keeps: the manifest body as UTF-8 JSON (bigints tagged). */
export function encodeCatalog(body: ManifestBody): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(body, bigintReplacer));
}

export function decodeCatalog(bytes: Uint8Array): ManifestBody {
  return checkVersion(JSON.parse(new TextDecoder().decode(bytes), bigintReviver) as ManifestBody);
}

export function emptyManifest(): ManifestBody {
  return { formatVersion: 1, nextId: 1, clockTs: 0n, databases: [], collections: [], aliases: [] };
}
