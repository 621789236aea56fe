/**
 * `npm start`: open the data directory and serve the Milvus gRPC API.
 * Options (each also from the environment): --data DIR (SEXTANT_DATA, ./data), --port N
 * (SEXTANT_PORT, 19530), --host H (SEXTANT_HOST, 127.0.0.1), --http-port N (SEXTANT_HTTP_PORT, 9091;
 * reserved for the REST/metrics listener, accepted and validated but not served yet),
 * --max-message-bytes N (SEXTANT_MAX_MESSAGE_BYTES, limits.maxRequestBytes).
 */
import { parseArgs } from 'node:util';
import { limits } from '../core/limits.js';
import { SextantService } from '../service/service.js';
import { startGrpcServer } from './grpc/server.js';

const SHUTDOWN_DEADLINE_MS = 10_000;

interface MainOptions { dataDir: string; host: string; port: number; httpPort: number; maxMessageBytes: number }

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

async function main(): Promise<void> {
  const opts = parseMainOptions(process.argv.slice(2), process.env);
  const service = await SextantService.open({ dataDir: opts.dataDir });
  const server = await startGrpcServer(service, {
    host: opts.host,
    port: opts.port,
    maxMessageBytes: opts.maxMessageBytes,
    onUnexpectedError: (rpc, e) => console.error(`[sextant] ${rpc} failed unexpectedly:`, e),
  });
  console.log(`[sextant] ${service.version()} serving Milvus gRPC on ${opts.host}:${server.port}, data in ${opts.dataDir}`);

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`[sextant] ${signal}: shutting down`);
    const deadline = setTimeout(() => {
      console.error('[sextant] shutdown took longer than 10 s; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    server.close()
      .then(() => service.close())
      .then(() => process.exit(0), (e: unknown) => {
        console.error('[sextant] error while closing:', e);
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((e: unknown) => {
  console.error('[sextant] failed to start:', e instanceof Error ? e.message : e);
  process.exit(1);
});
