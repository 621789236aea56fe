/**
 * `npm start`: open the data directory and serve Milvus' gRPC API and RESTful v2 API on one port,
 * and /healthz, /metrics and the old /api/v1 HTTP API on the http port.
 * Options (each also from the environment): --data DIR (SEXTANT_DATA, ./data), --port N
 * (SEXTANT_PORT, 19530), --host H (SEXTANT_HOST, 127.0.0.1), --http-port N (SEXTANT_HTTP_PORT, 9091),
 * --max-message-bytes N (SEXTANT_MAX_MESSAGE_BYTES, limits.maxRequestBytes), --max-http-body-bytes N
 * (SEXTANT_MAX_HTTP_BODY_BYTES, limits.maxRequestBytes).
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
 * (SEXTANT_LEASE_TTL, 10). The node waits as a standby until it owns the data set's lease; it exits
 * (code 3) when it loses the lease, so a supervisor restarts it as a standby.
 */
import { serve, serveService } from './compose.js';
import { becomeOwner, type DistributedNode } from './distributed.js';
import { parseMainOptions } from './options.js';
import { startQueryNode } from './query-node.js';
import type { SextantService } from '../service/service.js';

const SHUTDOWN_DEADLINE_MS = 10_000;

async function main(): Promise<void> {
  const opts = parseMainOptions(process.argv.slice(2), process.env);
  let stopping = false;
  let node: DistributedNode | undefined;
  let queryNode: (() => Promise<void>) | undefined;
  let queryService: SextantService | undefined;
  if (opts.distributed?.role === 'query') {
    const qn = await startQueryNode(opts, opts.distributed, (line) => console.warn(`[sextant] ${line}`));
    queryNode = qn.close;
    queryService = qn.service;
    console.log(`[sextant] query node ${opts.distributed.nodeId} follows data set ${opts.distributed.cluster} (read-only)`);
  } else if (opts.distributed !== undefined) {
    node = await becomeOwner(opts, opts.distributed, (line) => console.log(`[sextant] ${line}`));
    console.log(`[sextant] node ${opts.distributed.nodeId} owns data set ${opts.distributed.cluster} `
      + `(lease token ${node.lease.token}, waited ${node.waitedMs} ms as a standby)`);
    void node.lease.lost.then(() => {
      if (stopping) return;
      console.error('[sextant] the lease was lost; exiting so a supervisor restarts this node as a standby');
      process.exit(3);
    });
  }
  const onUnexpected = (where: string, e: unknown) => console.error(`[sextant] ${where} failed unexpectedly:`, e);
  const { service, server } = queryNode !== undefined && queryService !== undefined
    ? { service: queryService, server: await serveService(queryService, opts, onUnexpected) }
    : await serve(opts, onUnexpected, node?.ports, node?.queryNodes);
  console.log(`[sextant] ${service.version()} serving Milvus gRPC on ${opts.host}:${server.port} (REST v2 on the same port), `
    + `health/metrics/api-v1 on ${opts.host}:${server.httpPort}${opts.httpTls ? ' (TLS)' : ''} `
    + `(web console at http${opts.httpTls ? 's' : ''}://${opts.host}:${server.httpPort}/webui/), data in ${opts.dataDir}, authentication ${opts.auth ? 'on' : 'off'}; `
    + `ready ${Math.round(performance.now())} ms after start, pid ${process.pid}`);

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
      .then(() => (queryNode !== undefined ? queryNode() : service.close()))
      .then(() => node?.close())
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
