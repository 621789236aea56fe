/** `GET /healthz` -> `OK` (docker-compose health checks) and `GET /api/v1/health` -> `{"status":"ok"}`. */
import { JSON_TYPE, type HttpDoor } from './door.js';

export function healthDoor(): HttpDoor {
  return {
    transport: 'health',
    matches: (path) => path === '/healthz' || path === '/api/v1/health',
    answer: async (call) => (call.path === '/healthz'
      ? { status: 200, contentType: 'text/plain; charset=utf-8', text: 'OK', endpoint: 'healthz', code: 0 }
      : { status: 200, contentType: JSON_TYPE, text: '{"status":"ok"}', endpoint: 'api/v1/health', code: 0 }),
    fail: (_call, e) => ({ status: 200, contentType: JSON_TYPE, text: JSON.stringify({ code: e.code, message: e.message }), endpoint: 'healthz', code: e.code }),
  };
}
