/**
 * `npm start`: open the data directory and serve Milvus' gRPC API and RESTful v2 API on one port,
 * and /healthz, /metrics and the old /api/v1 HTTP API on the http port.
 * Options (each also from the environment): --data DIR (SEXTANT_DATA, ./data), --port N
 * (SEXTANT_PORT, 19530), --host H (SEXTANT_HOST, 127.0.0.1), --http-port N (SEXTANT_HTTP_PORT, 9091),
 * --max-message-bytes N (SEXTANT_MAX_MESSAGE_BYTES, limits.maxRequestBytes), --max-http-body-bytes N
 * (SEXTANT_MAX_HTTP_BODY_BYTES, limits.maxRequestBytes), --grpc-transport http2|grpc-js
 * (SEXTANT_GRPC_TRANSPORT, http2: gRPC's wire on node:http2; grpc-js: its server, the former transport).
 * --auth (SEXTANT_AUTH=true) turns on authentication and authorization on every door;
 * --root-password P (SEXTANT_ROOT_PASSWORD, default Milvus) is root's password on first start;
 * --metrics-auth (SEXTANT_METRICS_AUTH=true) puts /metrics behind credentials too.
 * --tls-mode 0|1|2 with --tls-cert, --tls-key, --tls-ca (SEXTANT_TLS_*): TLS on the main port,
 * gRPC and REST v2 both (ALPN); mode 2 requires and verifies client certificates. --http-tls
 * (SEXTANT_HTTP_TLS=true) puts the http port on TLS too, with the same certificate and rule.
 * Users, roles and grants live in DIR/RBAC (service/auth); a rest-users.json of older versions is ignored.
 * From the environment only: SEXTANT_MEMORY_BUDGET_BYTES, SEXTANT_SEARCH_THREADS, SEXTANT_WASM=off,
 * SEXTANT_WASM_BLOCK_BYTES (see options.ts engineSettingsFromEnv).
 * Distributed mode (issue #14, first step; server/distributed.ts): --etcd URL[,URL] (SEXTANT_ETCD),
 * --nats URL[,URL] (SEXTANT_NATS), --s3-endpoint URL (SEXTANT_S3_ENDPOINT), --s3-bucket B
 * (SEXTANT_S3_BUCKET; credentials from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION),
 * --node-id ID (SEXTANT_NODE_ID), --cluster NAME (SEXTANT_CLUSTER, default sextant), --lease-ttl S
 * (SEXTANT_LEASE_TTL, 10). The node waits as a standby until it owns the data set's lease; when it
 * loses the lease (paused past it, cut off from etcd) its engine is fenced at once (nothing more is
 * acknowledged), it stops serving and turns standby again, campaigning for the lease. With
 * `--role query` (SEXTANT_ROLE) the node is a read-only query node (server/query-node.ts): no lease,
 * it follows the writer's catalog and log and serves reads of the replicas placed on it;
 * --resource-group NAME (SEXTANT_RESOURCE_GROUP, default __default_resource_group) is the resource
 * group a query node joins at start (when it exists and has room below its limits).
 */
import { serve, serveService, type Served } from './compose.js';
import { becomeOwner } from './distributed.js';
import { parseMainOptions, type DistributedOptions } from './options.js';
import { startQueryNode } from './query-node.js';

const SHUTDOWN_DEADLINE_MS = 10_000;

type Options = ReturnType<typeof parseMainOptions>;
const onUnexpected = (where: string, e: unknown) => console.error(`[sextant] ${where} failed unexpectedly:`, e);

/** What is serving now, to close on SIGTERM (null while a standby: nothing to close). */
interface Current { close(): Promise<void> }

function announce(opts: Options, service: Served['service'], server: Served['server']): void {
  console.log(`[sextant] ${service.version()} serving Milvus gRPC on ${opts.host}:${server.port} (REST v2 on the same port), `
    + `health/metrics/api-v1 on ${opts.host}:${server.httpPort}${opts.httpTls ? ' (TLS)' : ''} `
    + `(web console at http${opts.httpTls ? 's' : ''}://${opts.host}:${server.httpPort}/webui/), data in ${opts.dataDir}, authentication ${opts.auth ? 'on' : 'off'}; `
    + `ready ${Math.round(performance.now())} ms after start, pid ${process.pid}`);
}

/** Distributed writer: stand by, own and serve, and stand by again whenever the lease is lost. */
async function runDistributed(opts: Options, d: DistributedOptions, state: { stopping: boolean; current: Current | null }): Promise<void> {
  for (;;) {
    const node = await becomeOwner(opts, d, (line) => console.log(`[sextant] ${line}`));
    console.log(`[sextant] node ${d.nodeId} owns data set ${d.cluster} (lease token ${node.lease.token}, waited ${node.waitedMs} ms as a standby)`);
    const served = await serve(opts, onUnexpected, node.ports, node.queryNodes).catch(async (e: unknown) => {
      await node.close();
      // Lost the lease while opening (paused, or a loaded machine past a short TTL): stand by again.
      if (!node.lease.held && !state.stopping) {
        console.error(`[sextant] the lease (token ${node.lease.token}) was lost while opening the data set (${e instanceof Error ? e.message : String(e)}); turning standby`);
        return null;
      }
      throw e;
    });
    if (served === null) continue;
    state.current = { close: async () => { await served.close(); await node.close(); } };
    announce(opts, served.service, served.server);
    await node.lease.lost;
    if (state.stopping) return;
    console.error(`[sextant] the lease (token ${node.lease.token}) was lost: writes are fenced; turning standby`);
    state.current = null;
    await served.close().catch((e: unknown) => console.error('[sextant] error while closing the fenced engine:', e));
    await node.close();
  }
}

/** A read-only query node (`--role query`): follows the writer, serves reads of the replicas placed on it. */
async function runQueryNode(opts: Options, d: DistributedOptions, state: { current: Current | null }): Promise<void> {
  const qn = await startQueryNode(opts, d, (line) => console.warn(`[sextant] ${line}`));
  console.log(`[sextant] query node ${d.nodeId} follows data set ${d.cluster} (read-only)`);
  const server = await serveService(qn.service, opts, onUnexpected).catch(async (e: unknown) => {
    await qn.close();
    throw e;
  });
  state.current = { close: async () => { await server.close(); await qn.close(); } };
  announce(opts, qn.service, server);
}

async function main(): Promise<void> {
  const opts = parseMainOptions(process.argv.slice(2), process.env);
  const state: { stopping: boolean; current: Current | null } = { stopping: false, current: null };
  const stop = (signal: string): void => {
    if (state.stopping) return;
    state.stopping = true;
    console.log(`[sextant] ${signal}: shutting down`);
    const deadline = setTimeout(() => {
      console.error('[sextant] shutdown took longer than 10 s; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    (state.current?.close() ?? Promise.resolve()).then(() => process.exit(0), (e: unknown) => {
      console.error('[sextant] error while closing:', e);
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  if (opts.distributed?.role === 'query') {
    await runQueryNode(opts, opts.distributed, state);
    return;
  }
  if (opts.distributed !== undefined) {
    await runDistributed(opts, opts.distributed, state);
    return;
  }
  const served = await serve(opts, onUnexpected);
  state.current = served;
  announce(opts, served.service, served.server);
}

main().catch((e: unknown) => {
  console.error('[sextant] failed to start:', e instanceof Error ? e.message : e);
  process.exit(1);
});
