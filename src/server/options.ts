/** Command-line and environment options of `npm start` (see main.ts). */
import { parseArgs } from 'node:util';
import { limits } from '../core/limits.js';

export interface MainOptions {
  dataDir: string;
  host: string;
  /** gRPC and REST v2 share this port. */
  port: number;
  /** /healthz, /metrics and /api/v1. */
  httpPort: number;
  maxMessageBytes: number;
  /** Largest HTTP request body; absent means limits.maxRequestBytes. */
  maxHttpBodyBytes?: number;
}

function portFrom(raw: string, what: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${what} must be a port number (0-65535), got ${raw}`);
  return n;
}

function positiveInt(raw: string | number, what: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${what} must be a positive integer`);
  return n;
}

export function parseMainOptions(argv: string[], env: NodeJS.ProcessEnv): MainOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string' },
      port: { type: 'string' },
      'http-port': { type: 'string' },
      host: { type: 'string' },
      'max-message-bytes': { type: 'string' },
      'max-http-body-bytes': { type: 'string' },
    },
    strict: true,
  });
  const bodyLimit = values['max-http-body-bytes'] ?? env['SEXTANT_MAX_HTTP_BODY_BYTES'];
  return {
    dataDir: values.data ?? env['SEXTANT_DATA'] ?? './data',
    host: values.host ?? env['SEXTANT_HOST'] ?? '127.0.0.1',
    port: portFrom(values.port ?? env['SEXTANT_PORT'] ?? '19530', '--port'),
    httpPort: portFrom(values['http-port'] ?? env['SEXTANT_HTTP_PORT'] ?? '9091', '--http-port'),
    maxMessageBytes: positiveInt(values['max-message-bytes'] ?? env['SEXTANT_MAX_MESSAGE_BYTES'] ?? limits.maxRequestBytes, '--max-message-bytes'),
    ...(bodyLimit !== undefined ? { maxHttpBodyBytes: positiveInt(bodyLimit, '--max-http-body-bytes') } : {}),
  };
}
