/**
 * The composition `npm start` serves (main.ts calls this): one service over the data directory,
 * gRPC and REST v2 on `port` (TLS when asked), /healthz, /metrics and /api/v1 on `httpPort`, with
 * authentication when `--auth`. Tests call it too (test/doors), so what they run is what ships.
 */
import { readFile } from 'node:fs/promises';
import { limits } from '../core/limits.js';
import { configureWasm } from '../index/wasm/settings.js';
import { SextantService } from '../service/service.js';
import { startSextantServer, type RunningSextantServer, type ServerTls } from './http/server.js';
import type { StoragePorts } from '../storage/ports.js';
import type { QueryNodeView } from '../service/cluster.js';
import type { EngineSettings, MainOptions } from './options.js';

export interface Served {
  service: SextantService;
  server: RunningSextantServer;
  /** Close the listeners, then the service. */
  close(): Promise<void>;
}

export type UnexpectedErrorHook = (where: string, e: unknown) => void;

/** Serve `service` (open over `opts.dataDir`) as npm start does. */
export async function serveService(service: SextantService, opts: MainOptions, onUnexpectedError: UnexpectedErrorHook): Promise<RunningSextantServer> {
  const tls = await tlsOf(opts);
  return startSextantServer(service, {
    host: opts.host,
    port: opts.port,
    httpPort: opts.httpPort,
    maxMessageBytes: opts.maxMessageBytes,
    grpcTransport: opts.grpcTransport,
    maxHttpBodyBytes: opts.maxHttpBodyBytes ?? limits.maxRequestBytes,
    engine: service.engine,
    metricsAuth: opts.metricsAuth,
    ...(tls !== undefined ? { tls } : {}),
    httpTls: opts.httpTls,
    onUnexpectedError,
  });
}

/** The TLS files named by the options, read. */
async function tlsOf(opts: MainOptions): Promise<ServerTls | undefined> {
  const t = opts.tls;
  if (t === undefined) return undefined;
  return {
    mode: t.mode, cert: await readFile(t.certFile), key: await readFile(t.keyFile),
    ...(t.caFile !== undefined ? { ca: await readFile(t.caFile) } : {}),
  };
}

/**
 * Open the data directory (or the given `ports`, distributed mode) and serve it; the service is
 * closed again if serving fails.
 */
export async function serve(
  opts: MainOptions & EngineSettings, onUnexpectedError: UnexpectedErrorHook, ports?: StoragePorts, queryNodes?: QueryNodeView,
): Promise<Served> {
  if (opts.wasm !== undefined) configureWasm(opts.wasm);
  const service = await SextantService.open({
    dataDir: opts.dataDir,
    ...(ports !== undefined ? { ports } : {}),
    ...(queryNodes !== undefined ? { queryNodes } : {}),
    ...(opts.memoryBudgetBytes !== undefined ? { memoryBudgetBytes: opts.memoryBudgetBytes } : {}),
    ...(opts.searchThreads !== undefined ? { searchThreads: opts.searchThreads } : {}),
    yieldLoneSearches: true,
    import: opts.import,
    auth: { enabled: opts.auth, ...(opts.rootPassword !== undefined ? { rootPassword: opts.rootPassword } : {}) },
  });
  const server = await serveService(service, opts, onUnexpectedError).catch(async (e: unknown) => {
    await service.close();
    throw e;
  });
  return { service, server, close: async () => { await server.close(); await service.close(); } };
}
