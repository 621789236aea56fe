/** Command-line and environment options of `npm start` (see main.ts). */
import { parseArgs } from 'node:util';
import { limits } from '../core/limits.js';
import type { WasmSettings } from '../index/wasm/settings.js';
import type { ImportOptions } from '../service/import/types.js';
import { validateResourceGroupName } from '../service/resource-groups/validate.js';

export interface MainOptions {
  dataDir: string;
  host: string;
  /** gRPC and REST v2 share this port. */
  port: number;
  /** /healthz, /metrics and /api/v1. */
  httpPort: number;
  maxMessageBytes: number;
  /** What carries gRPC calls: `http2` (default) or `grpc-js` (`--grpc-transport`, SEXTANT_GRPC_TRANSPORT; grpc/h2.ts says why). */
  grpcTransport: 'http2' | 'grpc-js';
  /** Largest HTTP request body; absent means limits.maxRequestBytes. */
  maxHttpBodyBytes?: number;
  /** Authentication and authorization on every door (`--auth`, SEXTANT_AUTH=true). */
  auth: boolean;
  /** root's password on first start (`--root-password`, SEXTANT_ROOT_PASSWORD), default `Milvus`. */
  rootPassword?: string;
  /** /metrics needs credentials too when auth is on (`--metrics-auth`, SEXTANT_METRICS_AUTH=true). */
  metricsAuth: boolean;
  /** TLS on the main port (`--tls-mode 1|2`, `--tls-cert`, `--tls-key`, `--tls-ca`; SEXTANT_TLS_*). */
  tls?: { mode: 1 | 2; certFile: string; keyFile: string; caFile?: string };
  /** The http port on TLS too, same certificate and client-certificate rule (`--http-tls`, SEXTANT_HTTP_TLS=true). */
  httpTls: boolean;
  /** Distributed mode (issue #14): present when `--etcd`, `--nats` and `--s3-bucket` are given. */
  distributed?: DistributedOptions;
  /**
   * Bulk import's sources: `--import-root DIR` (SEXTANT_IMPORT_ROOT; default `<data>/import`) for
   * local files, `--import-s3-bucket B` [`--import-s3-endpoint URL`] (SEXTANT_IMPORT_S3_*; AWS_*
   * credentials) for an S3 bucket, in which case every import path is an object key.
   */
  import: ImportOptions;
}

/** Where the five ports live in distributed mode (server/distributed.ts builds them). */
export interface DistributedOptions {
  etcd: string[];
  nats: string[];
  s3Endpoint?: string;
  s3Bucket: string;
  s3Region: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** This node's name: the lease holder standbys name, the etcd registration key. */
  nodeId: string;
  /** The data set's name (`--cluster`, default `sextant`): etcd keys, the JetStream stream, the S3 prefix. */
  cluster: string;
  /** Lease TTL in seconds (`--lease-ttl`, default 10): how long a dead owner blocks a standby. */
  leaseTtlSec: number;
  /** `--role writer` (default: campaigns for the lease) or `query` (a read-only query node, server/query-node.ts). */
  role: 'writer' | 'query';
  /**
   * A query node's resource group at start (`--resource-group`, SEXTANT_RESOURCE_GROUP; default
   * `__default_resource_group`): it joins that group when the group exists and has room below its
   * limits, else it is placed by Milvus' rules (resource-groups/balance.ts).
   */
  resourceGroup?: string;
}

function tlsFrom(mode: string | undefined, cert: string | undefined, key: string | undefined, ca: string | undefined): MainOptions['tls'] {
  if (mode === undefined || mode === '0') return undefined;
  if (mode !== '1' && mode !== '2') throw new Error('tls mode must be 0: no authentication, 1: one way authentication or 2: two way authentication');
  if (cert === undefined || key === undefined) throw new Error(`--tls-mode ${mode} needs --tls-cert and --tls-key`);
  if (mode === '2' && ca === undefined) throw new Error('--tls-mode 2 needs --tls-ca to verify client certificates');
  return { mode: mode === '1' ? 1 : 2, certFile: cert, keyFile: key, ...(ca !== undefined ? { caFile: ca } : {}) };
}

function flag(value: boolean | undefined, env: string | undefined, what: string): boolean {
  if (value !== undefined) return value;
  if (env === undefined || env === '') return false;
  const v = env.trim().toLowerCase();
  if (v === 'true' || v === '1' || v === 'yes' || v === 'on') return true;
  if (v === 'false' || v === '0' || v === 'no' || v === 'off') return false;
  throw new Error(`${what} must be true or false, got ${env}`);
}

/**
 * Engine and kernel settings, from the environment only (the server and the CLI's embedded mode read
 * them; the embedded client takes them as open() options): SEXTANT_MEMORY_BUDGET_BYTES (sealed bytes
 * that may be loaded at once), SEXTANT_SEARCH_THREADS (0 = searches on the calling thread),
 * SEXTANT_WASM=off (JS kernels only), SEXTANT_WASM_BLOCK_BYTES (scan block size, for measuring).
 * Absent ones keep their defaults.
 */
export interface EngineSettings {
  memoryBudgetBytes?: number;
  searchThreads?: number;
  wasm?: Partial<WasmSettings>;
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

function countFrom(raw: string, what: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n)) throw new Error(`${what} must be a whole number, got ${raw}`);
  return n;
}

export function engineSettingsFromEnv(env: NodeJS.ProcessEnv): EngineSettings {
  const out: EngineSettings = {};
  const budget = env['SEXTANT_MEMORY_BUDGET_BYTES'];
  if (budget !== undefined && budget !== '') out.memoryBudgetBytes = countFrom(budget, 'SEXTANT_MEMORY_BUDGET_BYTES');
  const threads = env['SEXTANT_SEARCH_THREADS'];
  if (threads !== undefined && threads !== '') out.searchThreads = countFrom(threads, 'SEXTANT_SEARCH_THREADS');
  const wasm: Partial<WasmSettings> = {};
  if (env['SEXTANT_WASM'] === 'off') wasm.enabled = false;
  const block = env['SEXTANT_WASM_BLOCK_BYTES'];
  if (block !== undefined && block !== '') wasm.blockBytes = positiveInt(block, 'SEXTANT_WASM_BLOCK_BYTES');
  if (Object.keys(wasm).length > 0) out.wasm = wasm;
  return out;
}

export function parseMainOptions(argv: string[], env: NodeJS.ProcessEnv): MainOptions & EngineSettings {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string' },
      port: { type: 'string' },
      'http-port': { type: 'string' },
      host: { type: 'string' },
      'max-message-bytes': { type: 'string' },
      'grpc-transport': { type: 'string' },
      'max-http-body-bytes': { type: 'string' },
      auth: { type: 'boolean' },
      'root-password': { type: 'string' },
      'metrics-auth': { type: 'boolean' },
      'tls-mode': { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'tls-ca': { type: 'string' },
      'http-tls': { type: 'boolean' },
      etcd: { type: 'string' },
      nats: { type: 'string' },
      's3-endpoint': { type: 'string' },
      's3-bucket': { type: 'string' },
      'node-id': { type: 'string' },
      cluster: { type: 'string' },
      'lease-ttl': { type: 'string' },
      role: { type: 'string' },
      'resource-group': { type: 'string' },
      'import-root': { type: 'string' },
      'import-s3-endpoint': { type: 'string' },
      'import-s3-bucket': { type: 'string' },
    },
    strict: true,
  });
  const bodyLimit = values['max-http-body-bytes'] ?? env['SEXTANT_MAX_HTTP_BODY_BYTES'];
  const rootPassword = values['root-password'] ?? env['SEXTANT_ROOT_PASSWORD'];
  const tls = tlsFrom(values['tls-mode'] ?? env['SEXTANT_TLS_MODE'], values['tls-cert'] ?? env['SEXTANT_TLS_CERT'],
    values['tls-key'] ?? env['SEXTANT_TLS_KEY'], values['tls-ca'] ?? env['SEXTANT_TLS_CA']);
  const httpTls = flag(values['http-tls'], env['SEXTANT_HTTP_TLS'], 'SEXTANT_HTTP_TLS');
  if (httpTls && tls === undefined) throw new Error('--http-tls needs --tls-mode 1 or 2 (it serves the same certificate)');
  const dataDir = values.data ?? env['SEXTANT_DATA'] ?? './data';
  const grpcTransport = values['grpc-transport'] ?? env['SEXTANT_GRPC_TRANSPORT'] ?? 'http2';
  if (grpcTransport !== 'http2' && grpcTransport !== 'grpc-js') throw new Error(`--grpc-transport must be http2 or grpc-js, got ${grpcTransport}`);
  return {
    dataDir,
    host: values.host ?? env['SEXTANT_HOST'] ?? '127.0.0.1',
    port: portFrom(values.port ?? env['SEXTANT_PORT'] ?? '19530', '--port'),
    httpPort: portFrom(values['http-port'] ?? env['SEXTANT_HTTP_PORT'] ?? '9091', '--http-port'),
    maxMessageBytes: positiveInt(values['max-message-bytes'] ?? env['SEXTANT_MAX_MESSAGE_BYTES'] ?? limits.maxRequestBytes, '--max-message-bytes'),
    grpcTransport,
    ...(bodyLimit !== undefined ? { maxHttpBodyBytes: positiveInt(bodyLimit, '--max-http-body-bytes') } : {}),
    ...engineSettingsFromEnv(env),
    auth: flag(values.auth, env['SEXTANT_AUTH'], 'SEXTANT_AUTH'),
    ...(rootPassword !== undefined ? { rootPassword } : {}),
    metricsAuth: flag(values['metrics-auth'], env['SEXTANT_METRICS_AUTH'], 'SEXTANT_METRICS_AUTH'),
    ...(tls !== undefined ? { tls } : {}),
    httpTls,
    ...distributedFrom(values, env),
    import: importFrom(values, env, dataDir),
  };
}

/** `--import-root`, `--import-s3-endpoint`, `--import-s3-bucket` (SEXTANT_IMPORT_*; AWS_* credentials). */
function importFrom(values: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv, dataDir: string): ImportOptions {
  const str = (flagName: string, envName: string): string | undefined => {
    const v = values[flagName];
    return typeof v === 'string' ? v : env[envName] !== '' ? env[envName] : undefined;
  };
  const root = str('import-root', 'SEXTANT_IMPORT_ROOT') ?? `${dataDir.replace(/\/+$/, '')}/import`;
  const bucket = str('import-s3-bucket', 'SEXTANT_IMPORT_S3_BUCKET');
  const endpoint = str('import-s3-endpoint', 'SEXTANT_IMPORT_S3_ENDPOINT');
  if (bucket === undefined) {
    if (endpoint !== undefined) throw new Error('--import-s3-endpoint needs --import-s3-bucket');
    return { root };
  }
  const accessKeyId = env['AWS_ACCESS_KEY_ID'];
  const secretAccessKey = env['AWS_SECRET_ACCESS_KEY'];
  return {
    root,
    s3: {
      bucket, region: env['AWS_REGION'] ?? 'us-east-1',
      ...(endpoint !== undefined ? { endpoint } : {}),
      ...(accessKeyId !== undefined ? { accessKeyId } : {}),
      ...(secretAccessKey !== undefined ? { secretAccessKey } : {}),
    },
  };
}

const list = (raw: string | undefined): string[] => (raw ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');

/** `--etcd`, `--nats`, `--s3-*`, `--node-id`, `--cluster`, `--lease-ttl` (SEXTANT_* equivalents; AWS_* credentials). */
function distributedFrom(values: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv): { distributed?: DistributedOptions } {
  const str = (flagName: string, envName: string): string | undefined => {
    const v = values[flagName];
    return typeof v === 'string' ? v : env[envName] !== '' ? env[envName] : undefined;
  };
  const etcd = list(str('etcd', 'SEXTANT_ETCD'));
  const nats = list(str('nats', 'SEXTANT_NATS'));
  const bucket = str('s3-bucket', 'SEXTANT_S3_BUCKET');
  const endpoint = str('s3-endpoint', 'SEXTANT_S3_ENDPOINT');
  if (etcd.length === 0 && nats.length === 0 && bucket === undefined && endpoint === undefined) return {};
  if (etcd.length === 0 || nats.length === 0 || bucket === undefined) {
    throw new Error('distributed mode needs --etcd, --nats and --s3-bucket together (and --s3-endpoint unless on AWS)');
  }
  const cluster = str('cluster', 'SEXTANT_CLUSTER') ?? 'sextant';
  if (!/^[A-Za-z0-9_-]+$/.test(cluster)) throw new Error(`--cluster must be letters, digits, - and _, got ${cluster}`);
  const role = str('role', 'SEXTANT_ROLE') ?? 'writer';
  if (role !== 'writer' && role !== 'query') throw new Error(`--role must be writer or query, got ${role}`);
  const resourceGroup = str('resource-group', 'SEXTANT_RESOURCE_GROUP');
  if (resourceGroup !== undefined && role !== 'query') throw new Error('--resource-group is a query node\'s (--role query)');
  if (resourceGroup !== undefined) {
    try { validateResourceGroupName(resourceGroup); } catch (e) { throw new Error(`--resource-group: ${e instanceof Error ? e.message : String(e)}`); }
  }
  const accessKeyId = env['AWS_ACCESS_KEY_ID'];
  const secretAccessKey = env['AWS_SECRET_ACCESS_KEY'];
  return {
    distributed: {
      etcd, nats, s3Bucket: bucket, s3Region: env['AWS_REGION'] ?? 'us-east-1',
      ...(endpoint !== undefined ? { s3Endpoint: endpoint } : {}),
      ...(accessKeyId !== undefined ? { accessKeyId } : {}),
      ...(secretAccessKey !== undefined ? { secretAccessKey } : {}),
      nodeId: str('node-id', 'SEXTANT_NODE_ID') ?? `node-${process.pid}`,
      cluster,
      leaseTtlSec: positiveInt(str('lease-ttl', 'SEXTANT_LEASE_TTL') ?? '10', '--lease-ttl'),
      role,
      ...(resourceGroup !== undefined ? { resourceGroup } : {}),
    },
  };
}
