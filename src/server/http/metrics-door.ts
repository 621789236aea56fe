/** `GET /metrics` in the Prometheus text format. */
import { AccessError } from '../../core/errors.js';
import type { Authenticator } from '../auth/authenticator.js';
import { accessAnswer, scopeHttp } from '../auth/http-access.js';
import { JSON_TYPE, type HttpDoor } from './door.js';
import type { ServerMetrics } from './metrics.js';

/** `auth` given (`--metrics-auth`): with auth on, scraping needs credentials like any request. */
export function metricsDoor(metrics: ServerMetrics, auth?: Authenticator): HttpDoor {
  return {
    transport: 'metrics',
    matches: (path) => path === '/metrics',
    answer: async (call) => {
      if (auth !== undefined) {
        try {
          await scopeHttp(auth, call, undefined);
        } catch (e) {
          if (e instanceof AccessError) return accessAnswer('metrics', e);
          throw e;
        }
      }
      const { contentType, body } = await metrics.text();
      return { status: 200, contentType, text: body, endpoint: 'metrics', code: 0 };
    },
    fail: (_call, e) => ({ status: 200, contentType: JSON_TYPE, text: JSON.stringify({ code: e.code, message: e.message }), endpoint: 'metrics', code: e.code }),
  };
}
