/** `GET /metrics` in the Prometheus text format. */
import { JSON_TYPE, type HttpDoor } from './door.js';
import type { ServerMetrics } from './metrics.js';

export function metricsDoor(metrics: ServerMetrics): HttpDoor {
  return {
    transport: 'metrics',
    matches: (path) => path === '/metrics',
    answer: async () => {
      const { contentType, body } = await metrics.text();
      return { status: 200, contentType, text: body, endpoint: 'metrics', code: 0 };
    },
    fail: (_call, e) => ({ status: 200, contentType: JSON_TYPE, text: JSON.stringify({ code: e.code, message: e.message }), endpoint: 'metrics', code: e.code }),
  };
}
