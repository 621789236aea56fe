/**
 * `GET /healthz` (docker-compose health checks) and `GET /api/v1/health`, answered from the service's
 * CheckHealth, on both ports. As Milvus' healthz handler: healthy is 200 with the text `OK`; not
 * healthy (storage failed, engine closed) is 500 with the state and its reasons as text, or as JSON
 * `{state, detail: [{name, code}], reasons}` when the request says `Content-Type: application/json`.
 * A full disk alone stays healthy (quota state DenyToWrite, visible in CheckHealth), as in Milvus.
 */
import type { MilvusApi } from '../../service/api.js';
import { JSON_TYPE, type HttpAnswer, type HttpCall, type HttpDoor } from './door.js';

const TEXT_TYPE = 'text/plain; charset=utf-8';
/** commonpb.StateCode. */
const STATE_HEALTHY = 1;
const STATE_ABNORMAL = 2;

function healthz(call: HttpCall, api: MilvusApi): HttpAnswer {
  const h = api.checkHealth();
  const state = h.isHealthy ? 'OK' : `Not healthy: ${h.reasons.join('; ')}`;
  const status = h.isHealthy ? 200 : 500;
  const code = h.isHealthy ? 0 : 5;
  const wantsJson = (call.headers['content-type'] ?? '').startsWith('application/json');
  if (!wantsJson) return { status, contentType: TEXT_TYPE, text: state, endpoint: 'healthz', code };
  const detail = [{ name: 'standalone', code: h.isHealthy ? STATE_HEALTHY : STATE_ABNORMAL }];
  return { status, contentType: JSON_TYPE, text: JSON.stringify({ state, detail, reasons: h.reasons }), endpoint: 'healthz', code };
}

function apiV1Health(api: MilvusApi): HttpAnswer {
  const h = api.checkHealth();
  const text = h.isHealthy ? '{"status":"ok"}' : JSON.stringify({ status: 'unhealthy', reasons: h.reasons });
  return { status: h.isHealthy ? 200 : 500, contentType: JSON_TYPE, text, endpoint: 'api/v1/health', code: h.isHealthy ? 0 : 5 };
}

export function healthDoor(api: MilvusApi): HttpDoor {
  return {
    transport: 'health',
    matches: (path) => path === '/healthz' || path === '/api/v1/health',
    answer: async (call) => (call.path === '/healthz' ? healthz(call, api) : apiV1Health(api)),
    fail: (_call, e) => ({ status: 500, contentType: JSON_TYPE, text: JSON.stringify({ code: e.code, message: e.message }), endpoint: 'healthz', code: e.code }),
  };
}
