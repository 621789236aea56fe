/**
 * RESTful v2 (reference §7.1): POST /v2/vectordb/<group>/<action> with a JSON body; always HTTP 200
 * with `{code: 0, data}` or `{code, message}`. `Accept-Type-Allow-Int64: true` prints int64 values
 * as JSON numbers, `false` as strings; absent uses the server default. With auth on, every
 * endpoint needs `Authorization: Bearer user:password` (or Basic) and runs as that user; 401 / 403
 * answers follow Milvus (server/auth/http-access.ts).
 */
import { AccessError, errors, MilvusError, toMilvusError } from '../../../core/errors.js';
import type { MilvusApi } from '../../../service/api.js';
import { JSON_TYPE, type HttpAnswer, type HttpCall, type HttpDoor } from '../../http/door.js';
import { parseJsonBody } from '../../http/json-in.js';
import { toJsonText } from '../../http/json-out.js';
import { Args } from '../args.js';
import { restErrors } from '../errors.js';
import type { Authenticator } from '../../auth/authenticator.js';
import { accessAnswer, scopeHttp } from '../../auth/http-access.js';
import type { RestCall, V2Handler, V2Result, V2Table } from '../route.js';
import { aliasRoutes } from './aliases.js';
import { collectionRoutes } from './collections.js';
import { commonRoutes } from './common.js';
import { createCollection } from './create.js';
import { databaseRoutes } from './databases.js';
import { entityRoutes } from './entities.js';
import { indexRoutes } from './indexes.js';
import { partitionRoutes } from './partitions.js';
import { rbacRoutes } from './rbac.js';
import { resourceGroupRoutes } from './resource-groups.js';
import { importRoutes } from './imports.js';
import { snapshotRoutes } from './snapshots.js';

export const V2_PREFIX = '/v2/vectordb/';

/** Every endpoint, keyed by the path under /v2/vectordb/. */
export const v2Routes: V2Table = {
  'collections/create': createCollection,
  ...collectionRoutes,
  ...partitionRoutes,
  ...indexRoutes,
  ...entityRoutes,
  ...aliasRoutes,
  ...databaseRoutes,
  ...rbacRoutes,
  ...commonRoutes,
  ...resourceGroupRoutes,
  ...importRoutes,
  ...snapshotRoutes,
};

export interface V2DoorOptions {
  api: MilvusApi;
  /** Checks credentials when auth is on (shared by every door of the server). */
  auth: Authenticator;
  /** int64 as JSON numbers when the request has no Accept-Type-Allow-Int64 header. */
  int64AsNumberByDefault: boolean;
  /** Errors that are not MilvusErrors (bugs), after they were answered as 65535. */
  onUnexpectedError?: (where: string, e: unknown) => void;
}

function int64AsNumber(call: HttpCall, byDefault: boolean): boolean {
  const h = call.headers['accept-type-allow-int64'];
  const v = (Array.isArray(h) ? h[0] : h)?.trim().toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  return byDefault;
}

function parseBody(body: Buffer): unknown {
  const text = body.toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return parseJsonBody(text);
  } catch (e) {
    throw restErrors.notJson(e instanceof Error ? e.message : 'invalid JSON');
  }
}

function errorAnswer(endpoint: string, e: MilvusError): HttpAnswer {
  return { status: 200, contentType: JSON_TYPE, text: JSON.stringify({ code: e.code, message: e.message }), endpoint, code: e.code };
}

/** The body's `dbName` when it is a non-empty string (read before authentication, never failing). */
function bodyDbName(body: unknown): string | undefined {
  const v = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['dbName'] : undefined;
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * The operation of each endpoint that decodes its body into that operation's request: when the body
 * is malformed, the caller's privilege decides first (a caller without it is denied, 403, not told
 * what was wrong), as Milvus' interceptor and the gRPC door's decodeChecked.
 */
const OPERATION_OF: Readonly<Record<string, keyof MilvusApi>> = {
  'collections/create': 'createCollection', 'entities/insert': 'insert', 'entities/upsert': 'upsert',
  'entities/delete': 'delete', 'entities/query': 'query', 'entities/get': 'query',
  'entities/search': 'search', 'entities/hybrid_search': 'hybridSearch', 'entities/advanced_search': 'hybridSearch',
  'jobs/import/create': 'importData',
};

async function runHandler(handler: V2Handler, call: RestCall, endpoint: string): Promise<V2Result> {
  try {
    return await handler(call);
  } catch (e) {
    const op = OPERATION_OF[endpoint];
    if (op !== undefined && !(e instanceof AccessError)) {
      const name = call.args.raw('collectionName');
      call.api.authorize(op, { dbName: call.dbName, collectionName: typeof name === 'string' ? name : '' });
    }
    throw e;
  }
}

async function run(opts: V2DoorOptions, handler: V2Handler, call: HttpCall, endpoint: string): Promise<unknown> {
  // Authentication answers before a bad body does (Milvus' middleware order). The caller's database
  // is the body's `dbName`, else the `DB-Name` header: Milvus' REST builds the `dbname` metadata
  // from the body, so the privilege interceptor checks there.
  let body: unknown;
  let badBody: unknown;
  try {
    body = parseBody(call.body);
  } catch (e) {
    badBody = e;
  }
  const { api } = await scopeHttp(opts.auth, call, bodyDbName(body));
  if (badBody !== undefined) throw badBody;
  const args = Args.of(body);
  const dbName = args.optStr('dbName');
  const restCall: RestCall = { api, args, dbName: dbName === '' ? undefined : dbName };
  const r = await runHandler(handler, restCall, endpoint);
  return r.topks === undefined ? { code: 0, data: r.data } : { code: 0, data: r.data, topks: r.topks };
}

export function v2Door(opts: V2DoorOptions): HttpDoor {
  return {
    transport: 'rest_v2',
    matches: (path) => path.startsWith(V2_PREFIX),
    answer: async (call) => {
      const endpoint = call.path.slice(V2_PREFIX.length);
      const handler = Object.prototype.hasOwnProperty.call(v2Routes, endpoint) ? v2Routes[endpoint] : undefined;
      if (handler === undefined || call.method !== 'POST') {
        const e = restErrors.notFound(call.method, call.path);
        return { ...errorAnswer('unknown', e), status: 404 };
      }
      try {
        const body = await run(opts, handler, call, endpoint);
        return { status: 200, contentType: JSON_TYPE, text: toJsonText(body, { int64AsNumber: int64AsNumber(call, opts.int64AsNumberByDefault) }), endpoint, code: 0 };
      } catch (e) {
        if (e instanceof AccessError) return accessAnswer(endpoint, e);
        if (!(e instanceof MilvusError)) opts.onUnexpectedError?.(`REST v2 ${endpoint}`, e);
        return errorAnswer(endpoint, toMilvusError(e));
      }
    },
    fail: (call, e) => {
      const endpoint = call.path.slice(V2_PREFIX.length);
      return errorAnswer(Object.prototype.hasOwnProperty.call(v2Routes, endpoint) ? endpoint : 'unknown', e);
    },
  };
}
