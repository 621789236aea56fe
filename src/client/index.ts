/**
 * Sextant's package entry: an embedded Milvus-compatible database in this process.
 *
 *   import { open, DataType } from 'sextant';
 *   const client = await open('./my-data');          // was: new MilvusClient({ address })
 *   await client.createCollection({ collection_name: 'docs', dimension: 8 });
 */
import { configureWasm, type WasmSettings } from '../index/wasm/settings.js';
import type { ImportS3Options } from '../service/import/types.js';
import { SextantService } from '../service/service.js';
import { SextantClient } from './client.js';

export interface OpenOptions {
  /** Bytes of sealed segment data that may be loaded at once (default half the machine's memory). */
  memoryBudgetBytes?: number;
  /** Search worker threads (default one per core; 0 = every search on the calling thread). */
  searchThreads?: number;
  /**
   * Wasm kernel settings for this process (they apply to every client in it): `enabled: false` runs
   * the JS kernels only (takes effect if given before the first search), `blockBytes` the scan block.
   */
  wasm?: Partial<WasmSettings>;
  /**
   * Act as this user (its grants are checked on every call, as on a server with --auth). Absent:
   * the client runs as root, since in-process callers are trusted.
   */
  actAs?: string;
  /**
   * Bulk import's local files: paths are relative to this folder or absolute inside it (default:
   * `<dataDir>/import`); `importS3` reads object keys from a bucket instead.
   */
  importRoot?: string;
  importS3?: ImportS3Options;
}

/** Open (creating if needed) the data directory and return a client over it; `close()` releases it. */
export async function open(dataDir: string, opts: OpenOptions = {}): Promise<SextantClient> {
  if (opts.wasm !== undefined) configureWasm(opts.wasm);
  const service = await SextantService.open({
    dataDir,
    ...(opts.memoryBudgetBytes !== undefined ? { memoryBudgetBytes: opts.memoryBudgetBytes } : {}),
    ...(opts.searchThreads !== undefined ? { searchThreads: opts.searchThreads } : {}),
    ...(opts.actAs !== undefined ? { auth: { enabled: true } } : {}),
    import: { root: opts.importRoot ?? `${dataDir.replace(/\/+$/, '')}/import`, ...(opts.importS3 !== undefined ? { s3: opts.importS3 } : {}) },
  });
  return new SextantClient(service, opts.actAs !== undefined ? { actAs: opts.actAs } : {});
}

export { SextantClient };
export {
  CompactionState, ConsistencyLevelEnum, DataType, DataTypeMap, DEFAULT_DB, DEFAULT_METRIC_TYPE, DEFAULT_TOPK, ErrorCode,
  ERROR_REASONS, FunctionType, IndexState, IndexType, LoadState, MetricType, RANKER_TYPE, RRFRanker, ShowCollectionsType,
  ShowPartitionsType, VectorDataTypes, WeightedRanker,
} from './enums.js';
export { ClientError, RpcStatusError, StatusError } from './status.js';
export type * from './types.js';
export type { TypedSearchReq, TypedSearchResults } from './search-typed.js';
export type { TypedInsertReq, TypedInsertResult, TypedFieldData } from './insert-typed.js';
