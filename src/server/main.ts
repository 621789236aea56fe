/**
 * `npm start`: open the data directory and serve the Milvus gRPC API.
 * Options (each also from the environment): --data DIR (SEXTANT_DATA, ./data), --port N
 * (SEXTANT_PORT, 19530), --host H (SEXTANT_HOST, 127.0.0.1), --http-port N (SEXTANT_HTTP_PORT, 9091;
 * reserved for the REST/metrics listener, accepted and validated but not served yet),
 * --max-message-bytes N (SEXTANT_MAX_MESSAGE_BYTES, limits.maxRequestBytes).
 */
import { SextantService } from '../service/service.js';
import { startGrpcServer } from './grpc/server.js';
import { parseMainOptions } from './options.js';

const SHUTDOWN_DEADLINE_MS = 10_000;

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
