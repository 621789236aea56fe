/** Command-line and environment options of `npm start` (see main.ts). */
import { parseArgs } from 'node:util';
import { limits } from '../core/limits.js';

export interface MainOptions { dataDir: string; host: string; port: number; httpPort: number; maxMessageBytes: number }

function portFrom(raw: string, what: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${what} must be a port number (0-65535), got ${raw}`);
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
    },
    strict: true,
  });
  const maxBytes = Number(values['max-message-bytes'] ?? env['SEXTANT_MAX_MESSAGE_BYTES'] ?? limits.maxRequestBytes);
  if (!Number.isInteger(maxBytes) || maxBytes <= 0) throw new Error('--max-message-bytes must be a positive integer');
  return {
    dataDir: values.data ?? env['SEXTANT_DATA'] ?? './data',
    host: values.host ?? env['SEXTANT_HOST'] ?? '127.0.0.1',
    port: portFrom(values.port ?? env['SEXTANT_PORT'] ?? '19530', '--port'),
    httpPort: portFrom(values['http-port'] ?? env['SEXTANT_HTTP_PORT'] ?? '9091', '--http-port'),
    maxMessageBytes: maxBytes,
  };
}
