/**
 * Pre-encoded requests of the server suite: protobuf bytes built with the server's own descriptor
 * (the same bytes the SDK sends for these calls), and REST v2 JSON bodies. The client process sends
 * them as they are, so its per-request work is only the transport's.
 */
import { encodeMessage } from '../src/server/grpc/proto.js';

export const SERVICE_PATH = '/milvus.proto.milvus.MilvusService';
/** The collection searched (HNSW) and the one inserts go to (no index, dropped between runs). */
export const SEARCH_COLLECTION = 'bench_search';
export const INSERT_COLLECTION = 'bench_insert';
export const TOP_K = 10;
export const SEARCH_EF = 64;

const FLOAT_VECTOR_PLACEHOLDER = 101;

function buf(u: Uint8Array): Buffer {
  return Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

/** One float32 query as `PlaceholderGroup` bytes (little-endian floats, tag `$0`). */
export function placeholderGroup(query: Float32Array): Uint8Array {
  const bytes = Buffer.from(query.buffer, query.byteOffset, query.byteLength);
  return encodeMessage('milvus.proto.common.PlaceholderGroup', {
    placeholders: [{ tag: '$0', type: FLOAT_VECTOR_PLACEHOLDER, values: [bytes] }],
  });
}

/** nq = 1 top-10 search as the Node SDK sends it (search_params as KeyValuePairs, ef in `params`). */
export function searchRequestBytes(collection: string, query: Float32Array): Buffer {
  return buf(encodeMessage('milvus.proto.milvus.SearchRequest', {
    collection_name: collection,
    dsl: '',
    dsl_type: 1,
    placeholder_group: placeholderGroup(query),
    output_fields: [],
    search_params: [
      { key: 'anns_field', value: 'vec' },
      { key: 'topk', value: String(TOP_K) },
      { key: 'metric_type', value: 'L2' },
      { key: 'params', value: JSON.stringify({ ef: SEARCH_EF }) },
      { key: 'round_decimal', value: '-1' },
      { key: 'ignore_growing', value: 'false' },
    ],
    nq: 1,
    consistency_level: 2,
    use_default_consistency: true,
  }));
}

/** Rows [from, to) of `base` as an InsertRequest (`id` int64 = row number, `vec` float vectors). */
export function insertRequestBytes(collection: string, base: Float32Array, dim: number, from: number, to: number, idOffset = 0): Buffer {
  const ids: string[] = [];
  for (let i = from; i < to; i++) ids.push(String(i + idOffset));
  return buf(encodeMessage('milvus.proto.milvus.InsertRequest', {
    collection_name: collection,
    num_rows: to - from,
    fields_data: [
      { type: 5, field_name: 'id', scalars: { long_data: { data: ids } } },
      { type: 101, field_name: 'vec', vectors: { dim: String(dim), float_vector: { data: Array.from(base.subarray(from * dim, to * dim)) } } },
    ],
  }));
}

export function hasCollectionBytes(collection: string): Buffer {
  return buf(encodeMessage('milvus.proto.milvus.HasCollectionRequest', { collection_name: collection }));
}

/** REST v2 `entities/search` body for one query. */
export function restSearchBody(collection: string, query: Float32Array): string {
  return JSON.stringify({
    collectionName: collection, data: [Array.from(query)], annsField: 'vec', limit: TOP_K,
    searchParams: { metricType: 'L2', params: { ef: SEARCH_EF } },
  });
}
