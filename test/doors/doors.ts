/**
 * The three doors of the shared scenario: the embedded client and the Node SDK's MilvusClient (both
 * speak the SDK's request shapes, so one adapter serves both) and REST v2 over fetch.
 */
import { DataType, FunctionType } from '../../src/client/enums.js';
import type { RawClient } from '../server/grpc-client.js';
import { sdkEncode, sdkMilvusRoot } from '../server/wire-helpers.js';
import type { Door, FieldDef, FunctionDef, Hit, Outcome, Row, SearchArgs } from './scenario.js';

type Loose = Record<string, unknown>;
/** One SDK-shaped method call: `client[method](req)`. */
export type SdkCall = (method: string, req: Loose) => Promise<unknown>;

const obj = (v: unknown): Loose => (typeof v === 'object' && v !== null ? v as Loose : {});

/** Numbers and int64 strings alike become strings: int64 is a string in the SDK, a number in REST v2. */
function norm(v: unknown): unknown {
  return typeof v === 'number' || typeof v === 'bigint' ? String(v) : v;
}

function rowOf(r: Loose, drop: string[]): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(r)) if (!drop.includes(k)) out[k] = norm(v);
  return out;
}

function byId(rows: Row[]): Row[] {
  return rows.sort((a, b) => Number(a['id']) - Number(b['id']));
}

/** A Milvus status (`{error_code, code, reason}`) as an outcome. */
function statusOutcome<T>(status: unknown, value: T): Outcome<T> {
  const s = obj(status);
  const code = Number(s['code'] ?? 0);
  if ((s['error_code'] === undefined || s['error_code'] === 'Success') && code === 0) return { ok: true, value };
  return { ok: false, code: code === 0 ? -1 : code, message: String(s['reason'] ?? '') };
}

async function caught<T>(p: () => Promise<Outcome<T>>): Promise<Outcome<T>> {
  try {
    return await p();
  } catch (e) {
    // A method that throws its failed status (createCollection, as the SDK's does): the status counts.
    const thrown = obj(e);
    if (typeof thrown['code'] === 'number' && thrown['code'] !== 0) return { ok: false, code: thrown['code'], message: String(thrown['reason'] ?? '') };
    return { ok: false, code: -2, message: `thrown: ${e instanceof Error ? e.message : String(e)}` };
  }
}

function sdkField(f: FieldDef): Loose {
  return {
    name: f.name, data_type: DataType[f.type], is_primary_key: f.primary === true,
    ...(f.dim !== undefined ? { dim: f.dim } : {}), ...(f.maxLength !== undefined ? { max_length: f.maxLength } : {}),
  };
}

function sdkFunction(fn: FunctionDef): Loose {
  return { name: fn.name, type: FunctionType[fn.type], input_field_names: fn.input, output_field_names: fn.output, params: {} };
}

function sdkHits(results: unknown, nq: number): Hit[][] {
  const list = Array.isArray(results) ? results : [];
  const nested = (nq === 1 ? [list] : list) as unknown[];
  return nested.map((q) => (Array.isArray(q) ? q : []).map((h: unknown) => {
    const hit = obj(h);
    return { id: String(hit['id']), score: Number(hit['score']), fields: rowOf(hit, ['id', 'score']) };
  }));
}

/** The embedded client or the SDK; `raw` (SDK only) searches without the SDK's own anns field choice. */
export function sdkDoor(name: string, call: SdkCall, raw?: (collection: string, a: SearchArgs) => Promise<Outcome<Hit[][]>>): Door {
  const status = (method: string, req: Loose) => caught(async () => statusOutcome(await call(method, req), null));
  const c = (collection: string) => ({ collection_name: collection });
  return {
    name,
    createCollection: (n, fields, functions = []) => status('createCollection', {
      ...c(n), fields: fields.map(sdkField), ...(functions.length > 0 ? { functions: functions.map(sdkFunction) } : {}),
    }),
    dropCollection: (n) => status('dropCollection', c(n)),
    createPartition: (n, p) => status('createPartition', { ...c(n), partition_name: p }),
    insert: (n, rows, partition) => caught(async () => {
      const r = obj(await call('insert', { ...c(n), data: rows, ...(partition ? { partition_name: partition } : {}) }));
      return statusOutcome(r['status'], Number(r['insert_cnt']));
    }),
    createIndex: (n, field, indexType, metric) => status('createIndex', { ...c(n), field_name: field, index_type: indexType, metric_type: metric }),
    // loadCollection throws on failure in the SDK; the async form answers a status, then wait for Loaded.
    load: (n) => caught(async () => {
      const started = statusOutcome(await call('loadCollectionAsync', c(n)), null);
      for (let i = 0; started.ok && i < 200; i++) {
        const r = obj(await call('getLoadState', c(n)));
        if (r['state'] === 'LoadStateLoaded') return started;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      return started.ok ? { ok: false, code: -3, message: 'not loaded after 5 s' } : started;
    }),
    release: (n) => status('releaseCollection', c(n)),
    releasePartitions: (n, ps) => status('releasePartitions', { ...c(n), partition_names: ps }),
    search: (n, a) => caught(async () => {
      // The SDK picks the first vector field itself when none is named; Milvus servers decide that.
      if (raw !== undefined && a.annsField === undefined) return raw(n, a);
      const req: Loose = {
        ...c(n), data: a.vectors, limit: a.limit, output_fields: [...a.outputFields, 'id'],
        ...(a.annsField !== undefined ? { anns_field: a.annsField } : {}), ...(a.filter ? { filter: a.filter } : {}),
        ...(a.partitions ? { partition_names: a.partitions } : {}),
      };
      let r: Loose;
      try {
        r = obj(await call('search', req));
      } catch (e) {
        // The SDK refuses an anns field it cannot encode for before sending; ask the server itself.
        if (raw !== undefined) return raw(n, a);
        throw e;
      }
      return statusOutcome(r['status'], sdkHits(r['results'], a.vectors.length));
    }),
    query: (n, filter, outputFields) => caught(async () => {
      const r = obj(await call('query', { ...c(n), filter, output_fields: [...outputFields, 'id'] }));
      const data = Array.isArray(r['data']) ? r['data'] as Loose[] : [];
      return statusOutcome(r['status'], byId(data.map((x) => rowOf(x, []))));
    }),
    delete: (n, filter) => status('delete', { ...c(n), filter }),
  };
}

function f32(v: readonly number[]): Buffer {
  return Buffer.from(Float32Array.from(v).buffer);
}

/**
 * Search over raw gRPC (dense float queries): what pymilvus and other clients send. Hits carry no
 * output fields (a success with fields requested would differ from the other doors, and the suite says so).
 */
export function rawSearch(client: RawClient): (collection: string, a: SearchArgs) => Promise<Outcome<Hit[][]>> {
  return async (collection, a) => {
    const placeholder = sdkEncode(sdkMilvusRoot, 'milvus.proto.common.PlaceholderGroup', {
      placeholders: [{ tag: '$0', type: 101, values: a.vectors.map((v) => f32(v as number[])) }],
    });
    const params = [{ key: 'topk', value: String(a.limit) }, { key: 'params', value: '{}' }];
    if (a.annsField !== undefined) params.push({ key: 'anns_field', value: a.annsField });
    const r = await client.call('Search', {
      collection_name: collection, dsl: a.filter ?? '', dsl_type: 'BoolExprV1', placeholder_group: Buffer.from(placeholder),
      search_params: params, nq: a.vectors.length, output_fields: a.outputFields, partition_names: a.partitions ?? [],
    });
    const res = obj(r['results']);
    const ids = obj(obj(res['ids'])['int_id'])['data'];
    const idList = Array.isArray(ids) ? ids.map(String) : [];
    const scores = Array.isArray(res['scores']) ? (res['scores'] as number[]) : [];
    const topks = Array.isArray(res['topks']) ? (res['topks'] as unknown[]).map(Number) : [];
    let at = 0;
    const hits = topks.map((k) => Array.from({ length: k }, () => {
      const h = { id: idList[at]!, score: scores[at]!, fields: {} };
      at++;
      return h;
    }));
    return statusOutcome(r.status, hits);
  };
}

/** REST v2 over fetch against `baseUrl`; `readExtra` goes into every search and query body (e.g. a consistency level). */
export function restDoor(baseUrl: string, readExtra: Loose = {}): Door {
  const post = async (path: string, body: Loose): Promise<Loose> => {
    const res = await fetch(`${baseUrl}/v2/vectordb/${path}`, { method: 'POST', body: JSON.stringify(body) });
    return obj(await res.json());
  };
  const outcome = async <T>(path: string, body: Loose, value: (data: unknown, reply: Loose) => T): Promise<Outcome<T>> => caught(async () => {
    const r = await post(path, body);
    const code = Number(r['code']);
    if (code !== 0) return { ok: false, code, message: String(r['message'] ?? '') };
    return { ok: true, value: value(r['data'], r) };
  });
  const none = () => null;
  const c = (collection: string) => ({ collectionName: collection });
  return {
    name: 'REST v2',
    createCollection: (n, fields, functions = []) => outcome('collections/create', {
      ...c(n),
      schema: {
        autoID: false, enableDynamicField: false,
        fields: fields.map((f) => ({
          fieldName: f.name, dataType: f.type, isPrimary: f.primary === true,
          elementTypeParams: { ...(f.dim !== undefined ? { dim: f.dim } : {}), ...(f.maxLength !== undefined ? { max_length: f.maxLength } : {}) },
        })),
        ...(functions.length > 0 ? { functions: functions.map((fn) => ({ name: fn.name, type: fn.type, inputFieldNames: fn.input, outputFieldNames: fn.output, params: {} })) } : {}),
      },
    }, none),
    dropCollection: (n) => outcome('collections/drop', c(n), none),
    createPartition: (n, p) => outcome('partitions/create', { ...c(n), partitionName: p }, none),
    insert: (n, rows, partition) => outcome('entities/insert', { ...c(n), data: rows, ...(partition ? { partitionName: partition } : {}) },
      (d) => Number(obj(d)['insertCount'])),
    createIndex: (n, field, indexType, metric) => outcome('indexes/create', {
      ...c(n), indexParams: [{ fieldName: field, indexName: field, metricType: metric, params: { index_type: indexType } }],
    }, none),
    load: (n) => outcome('collections/load', c(n), none),
    release: (n) => outcome('collections/release', c(n), none),
    releasePartitions: (n, ps) => outcome('partitions/release', { ...c(n), partitionNames: ps }, none),
    search: (n, a) => outcome('entities/search', {
      ...c(n), ...readExtra, data: a.vectors, limit: a.limit, outputFields: a.outputFields,
      ...(a.annsField !== undefined ? { annsField: a.annsField } : {}), ...(a.filter ? { filter: a.filter } : {}),
      ...(a.partitions ? { partitionNames: a.partitions } : {}),
    }, (d, reply) => {
      const flat = Array.isArray(d) ? d as Loose[] : [];
      const topks = Array.isArray(reply['topks']) ? (reply['topks'] as unknown[]).map(Number) : [flat.length];
      let at = 0;
      return topks.map((k) => flat.slice(at, (at += k)).map((h) => ({ id: String(h['id']), score: Number(h['distance']), fields: rowOf(h, ['id', 'distance']) })));
    }),
    query: (n, filter, outputFields) => outcome('entities/query', { ...c(n), ...readExtra, filter, outputFields: [...outputFields, 'id'] },
      (d) => byId((Array.isArray(d) ? d as Loose[] : []).map((x) => rowOf(x, [])))),
    delete: (n, filter) => outcome('entities/delete', { ...c(n), filter }, none),
  };
}
