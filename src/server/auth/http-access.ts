/**
 * Authentication for the HTTP doors (REST v2 on the main port, /api/v1 on the http port), and
 * their answers to access failures, as Milvus' REST: 401 `{"code":1800,"message":"user hasn't
 * authenticated"}`; 403 `{"code":65535,"message":"rpc error: code = PermissionDenied desc = ..."}`.
 */
import type { AccessError } from '../../core/errors.js';
import type { MilvusApi } from '../../service/api.js';
import { JSON_TYPE, type HttpAnswer, type HttpCall } from '../http/door.js';
import type { Authenticator } from './authenticator.js';
import { restCredentials } from './credentials.js';

export function header(call: HttpCall, name: string): string | undefined {
  const h = call.headers[name];
  return Array.isArray(h) ? h[0] : h;
}

/** The caller's view of the service; throws AccessError 16 when auth is on and credentials fail. */
export function scopeHttp(auth: Authenticator, call: HttpCall, dbName: string | undefined): Promise<{ api: MilvusApi }> {
  return auth.scope({
    credentials: () => restCredentials(header(call, 'authorization')),
    dbName: dbName ?? header(call, 'db-name'),
    source: call.source ?? '',
  });
}

export function accessAnswer(endpoint: string, e: AccessError): HttpAnswer {
  const body = e.grpcCode === 16
    ? { code: 1800, message: "user hasn't authenticated" }
    : { code: 65535, message: `rpc error: code = PermissionDenied desc = ${e.message}` };
  return { status: e.httpStatus, contentType: JSON_TYPE, text: JSON.stringify(body), endpoint, code: body.code };
}
