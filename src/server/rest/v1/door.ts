/**
 * The low-level "/api/v1" HTTP API of Milvus 2.1-2.2 (reference §7.2), served on the http port.
 * Each route binds the JSON body (snake_case proto names; GET and DELETE carry bodies too, query
 * string parameters are merged in) onto the gRPC request and answers the gRPC response as JSON:
 * the same decode -> service -> encode table the gRPC server uses (grpc/rpc-table.ts), so both
 * cannot disagree. Success of a Status-only RPC is `{}`; other responses carry `"status": {}`.
 * Responses are the gRPC codec's objects, so int64 members are decimal strings (the proto3 JSON
 * mapping) where Milvus' Go server printed numbers, and oneofs carry proto-loader's case names.
 */
import { AccessError, errors, MilvusError, toMilvusError } from '../../../core/errors.js';
import type { MilvusApi } from '../../../service/api.js';
import type { Authenticator } from '../../auth/authenticator.js';
import { accessAnswer, scopeHttp } from '../../auth/http-access.js';
import { emptyContext } from '../../grpc/codec/context.js';
import { statusFrom, type WireStatus } from '../../grpc/codec/status.js';
import type { Wire } from '../../grpc/codec/wire.js';
import { serviceRpcs } from '../../grpc/rpc-table.js';
import { JSON_TYPE, type HttpAnswer, type HttpCall, type HttpDoor } from '../../http/door.js';
import { parseJsonBody } from '../../http/json-in.js';
import { toJsonText } from '../../http/json-out.js';
import { isJsonObject } from '../args.js';
import { restErrors } from '../errors.js';
import { insertFromV1, prepareCreateCollection, prepareSearch } from './adapt.js';

export const V1_PREFIX = '/api/v1/';

type V1Handler = (api: MilvusApi, body: Wire) => Promise<Wire>;

interface V1Route {
  rpc: string;
  /** The RPC's response is a bare common.Status. */
  statusOnly: boolean;
  run: V1Handler;
}

function viaTable(rpc: string, prepare: (b: Wire) => Wire = (b) => b): V1Handler {
  return (api, body) => {
    const h = serviceRpcs[rpc];
    if (h === undefined) throw errors.unsupported(rpc);
    return h(api, prepare(body), emptyContext);
  };
}

const statusOnly = (rpc: string, prepare?: (b: Wire) => Wire): V1Route => ({ rpc, statusOnly: true, run: viaTable(rpc, prepare) });
const withStatus = (rpc: string, prepare?: (b: Wire) => Wire): V1Route => ({ rpc, statusOnly: false, run: viaTable(rpc, prepare) });

/** "METHOD path-under-/api/v1/" -> route (handler.go's table). */
export const v1Routes: Readonly<Record<string, V1Route>> = {
  'POST collection': statusOnly('CreateCollection', prepareCreateCollection),
  'DELETE collection': statusOnly('DropCollection'),
  'GET collection/existence': withStatus('HasCollection'),
  'GET collection': withStatus('DescribeCollection'),
  'POST collection/load': statusOnly('LoadCollection'),
  'DELETE collection/load': statusOnly('ReleaseCollection'),
  'GET collection/statistics': withStatus('GetCollectionStatistics'),
  'GET collections': withStatus('ShowCollections'),
  'POST partition': statusOnly('CreatePartition'),
  'DELETE partition': statusOnly('DropPartition'),
  'GET partition/existence': withStatus('HasPartition'),
  'POST partitions/load': statusOnly('LoadPartitions'),
  'DELETE partitions/load': statusOnly('ReleasePartitions'),
  'GET partition/statistics': withStatus('GetPartitionStatistics'),
  'GET partitions': withStatus('ShowPartitions'),
  'POST alias': statusOnly('CreateAlias'),
  'DELETE alias': statusOnly('DropAlias'),
  'PATCH alias': statusOnly('AlterAlias'),
  'POST index': statusOnly('CreateIndex'),
  'GET index': withStatus('DescribeIndex'),
  'GET index/state': withStatus('GetIndexState'),
  'GET index/progress': withStatus('GetIndexBuildProgress'),
  'DELETE index': statusOnly('DropIndex'),
  'POST entities': { rpc: 'Insert', statusOnly: false, run: insertFromV1 },
  'DELETE entities': withStatus('Delete'),
  'POST search': withStatus('Search', prepareSearch),
  'POST query': withStatus('Query'),
  'POST persist': withStatus('Flush'),
  'GET persist/state': withStatus('GetFlushState'),
  'GET persist/segment-info': withStatus('GetPersistentSegmentInfo'),
  'GET query-segment-info': withStatus('GetQuerySegmentInfo'),
  'POST compaction': withStatus('ManualCompaction'),
  'GET compaction/state': withStatus('GetCompactionState'),
};

/** The body, with query-string parameters merged in (body members win). */
function bodyOf(call: HttpCall): Wire {
  const text = call.body.toString('utf8');
  let parsed: unknown = {};
  if (text.trim() !== '') {
    try {
      parsed = parseJsonBody(text);
    } catch (e) {
      throw restErrors.notJson(e instanceof Error ? e.message : 'invalid JSON');
    }
  }
  if (!isJsonObject(parsed)) throw restErrors.notJson('the request body must be a JSON object');
  const out: Wire = {};
  for (const [k, v] of call.query) out[k] = v;
  return { ...out, ...parsed };
}

/** Go's omitempty view of a Status: zero members left out, so success is `{}`. */
function statusJson(s: WireStatus): Wire {
  const out: Wire = {};
  if (s.error_code !== 0) out['error_code'] = s.error_code;
  if (s.reason !== '') out['reason'] = s.reason;
  if (s.code !== 0) out['code'] = s.code;
  if (s.retriable) out['retriable'] = true;
  return out;
}

function reply(endpoint: string, body: unknown, code: number): HttpAnswer {
  return { status: 200, contentType: JSON_TYPE, text: toJsonText(body, { int64AsNumber: true }), endpoint, code };
}

function errorReply(endpoint: string, route: V1Route | undefined, e: MilvusError): HttpAnswer {
  const status = statusJson(statusFrom(e));
  return reply(endpoint, route === undefined || route.statusOnly ? status : { status }, e.code);
}

export interface V1DoorOptions {
  api: MilvusApi;
  /** With auth on, every route needs credentials and runs as that user, checked like gRPC. */
  auth: Authenticator;
  onUnexpectedError?: (where: string, e: unknown) => void;
}

export function v1Door(opts: V1DoorOptions): HttpDoor {
  return {
    transport: 'api_v1',
    matches: (path) => path.startsWith(V1_PREFIX),
    answer: async (call) => {
      const key = `${call.method} ${call.path.slice(V1_PREFIX.length).replace(/\/+$/, '')}`;
      const route = Object.prototype.hasOwnProperty.call(v1Routes, key) ? v1Routes[key] : undefined;
      if (route === undefined) {
        const e = restErrors.notFound(call.method, call.path);
        return { ...reply('unknown', { code: e.code, message: e.message }, e.code), status: 404 };
      }
      try {
        const { api } = await scopeHttp(opts.auth, call, undefined);
        const out = await route.run(api, bodyOf(call));
        return reply(key, route.statusOnly ? {} : { status: {}, ...out }, 0);
      } catch (e) {
        if (e instanceof AccessError) return accessAnswer(key, e);
        if (!(e instanceof MilvusError)) opts.onUnexpectedError?.(`api/v1 ${key}`, e);
        return errorReply(key, route, toMilvusError(e));
      }
    },
    fail: (call, e) => {
      const key = `${call.method} ${call.path.slice(V1_PREFIX.length).replace(/\/+$/, '')}`;
      const route = Object.prototype.hasOwnProperty.call(v1Routes, key) ? v1Routes[key] : undefined;
      return errorReply(route === undefined ? 'unknown' : key, route, e);
    },
  };
}
