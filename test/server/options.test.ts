import { test } from 'node:test';
import assert from 'node:assert/strict';
import { limits } from '../../src/core/limits.js';
import { engineSettingsFromEnv, parseMainOptions } from '../../src/server/options.js';

test('defaults: ./data, 127.0.0.1:19530, http 9091, limits.maxRequestBytes', () => {
  assert.deepEqual(parseMainOptions([], {}), {
    dataDir: './data', host: '127.0.0.1', port: 19530, httpPort: 9091, maxMessageBytes: limits.maxRequestBytes, grpcTransport: 'http2',
    auth: false, metricsAuth: false, httpTls: false, import: { root: './data/import' },
  });
});

test('flags win over environment, environment over defaults', () => {
  const env = { SEXTANT_DATA: '/env', SEXTANT_PORT: '1', SEXTANT_HOST: '0.0.0.0', SEXTANT_HTTP_PORT: '2' };
  assert.deepEqual(parseMainOptions(['--port', '0', '--data', '/flag'], env), {
    dataDir: '/flag', host: '0.0.0.0', port: 0, httpPort: 2, maxMessageBytes: limits.maxRequestBytes, grpcTransport: 'http2',
    auth: false, metricsAuth: false, httpTls: false, import: { root: '/flag/import' },
  });
});

test('bulk import sources: --import-root, --import-s3-bucket with an endpoint and AWS credentials', () => {
  const o = parseMainOptions(['--import-root', '/in', '--import-s3-bucket', 'b', '--import-s3-endpoint', 'http://127.0.0.1:9000'],
    { AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's' });
  assert.deepEqual(o.import, { root: '/in', s3: { bucket: 'b', region: 'us-east-1', endpoint: 'http://127.0.0.1:9000', accessKeyId: 'k', secretAccessKey: 's' } });
  assert.throws(() => parseMainOptions(['--import-s3-endpoint', 'http://x'], {}), /needs --import-s3-bucket/);
});

test('--auth / SEXTANT_AUTH, --root-password / SEXTANT_ROOT_PASSWORD, --metrics-auth', () => {
  const o = parseMainOptions(['--auth', '--root-password', 'p@ss:word'], { SEXTANT_METRICS_AUTH: 'true' });
  assert.equal(o.auth, true);
  assert.equal(o.rootPassword, 'p@ss:word');
  assert.equal(o.metricsAuth, true);
  assert.equal(parseMainOptions([], { SEXTANT_AUTH: 'true', SEXTANT_ROOT_PASSWORD: 'x' }).auth, true);
  assert.equal(parseMainOptions([], { SEXTANT_AUTH: 'true', SEXTANT_ROOT_PASSWORD: 'x' }).rootPassword, 'x');
  assert.throws(() => parseMainOptions([], { SEXTANT_AUTH: 'maybe' }), /SEXTANT_AUTH must be true or false/);
});

test('--tls-mode / --http-tls: the http port on TLS needs a certificate from --tls-mode 1|2', () => {
  const tls = ['--tls-mode', '2', '--tls-cert', 'c.pem', '--tls-key', 'k.pem', '--tls-ca', 'ca.pem'];
  const o = parseMainOptions([...tls, '--http-tls'], {});
  assert.deepEqual(o.tls, { mode: 2, certFile: 'c.pem', keyFile: 'k.pem', caFile: 'ca.pem' });
  assert.equal(o.httpTls, true);
  assert.equal(parseMainOptions(tls, { SEXTANT_HTTP_TLS: 'true' }).httpTls, true);
  assert.equal(parseMainOptions(tls, {}).httpTls, false);
  assert.throws(() => parseMainOptions(['--http-tls'], {}), /--http-tls needs --tls-mode 1 or 2/);
  assert.throws(() => parseMainOptions([], { SEXTANT_HTTP_TLS: 'true', SEXTANT_TLS_MODE: '0' }), /--http-tls needs --tls-mode 1 or 2/);
  assert.throws(() => parseMainOptions(tls, { SEXTANT_HTTP_TLS: 'sure' }), /SEXTANT_HTTP_TLS must be true or false/);
});

test('--grpc-transport / SEXTANT_GRPC_TRANSPORT: http2 by default, grpc-js on request, anything else refused', () => {
  assert.equal(parseMainOptions(['--grpc-transport', 'grpc-js'], {}).grpcTransport, 'grpc-js');
  assert.equal(parseMainOptions([], { SEXTANT_GRPC_TRANSPORT: 'grpc-js' }).grpcTransport, 'grpc-js');
  assert.equal(parseMainOptions(['--grpc-transport', 'http2'], { SEXTANT_GRPC_TRANSPORT: 'grpc-js' }).grpcTransport, 'http2');
  assert.throws(() => parseMainOptions(['--grpc-transport', 'h3'], {}), /--grpc-transport must be http2 or grpc-js, got h3/);
});

test('bad ports and unknown flags are refused', () => {
  assert.throws(() => parseMainOptions(['--port', '70000'], {}), /port/);
  assert.throws(() => parseMainOptions(['--port', 'abc'], {}), /port/);
  assert.throws(() => parseMainOptions(['--nope'], {}));
  assert.throws(() => parseMainOptions(['--max-message-bytes', '-1'], {}), /max-message-bytes/);
});

test('engine settings come from the environment: memory budget, search threads, wasm off, block bytes', () => {
  const env = { SEXTANT_MEMORY_BUDGET_BYTES: '1048576', SEXTANT_SEARCH_THREADS: '0', SEXTANT_WASM: 'off', SEXTANT_WASM_BLOCK_BYTES: '4096' };
  const opts = parseMainOptions([], env);
  assert.equal(opts.memoryBudgetBytes, 1048576);
  assert.equal(opts.searchThreads, 0);
  assert.deepEqual(opts.wasm, { enabled: false, blockBytes: 4096 });
  assert.deepEqual(engineSettingsFromEnv({}), {});
  assert.deepEqual(engineSettingsFromEnv({ SEXTANT_WASM: 'on' }), {});
  assert.throws(() => engineSettingsFromEnv({ SEXTANT_SEARCH_THREADS: 'many' }), /SEXTANT_SEARCH_THREADS/);
  assert.throws(() => engineSettingsFromEnv({ SEXTANT_MEMORY_BUDGET_BYTES: '-1' }), /SEXTANT_MEMORY_BUDGET_BYTES/);
  assert.throws(() => engineSettingsFromEnv({ SEXTANT_WASM_BLOCK_BYTES: '0' }), /SEXTANT_WASM_BLOCK_BYTES/);
});

test('--role / SEXTANT_ROLE: writer by default, query for a query node, anything else refused', () => {
  const dist = ['--etcd', 'http://127.0.0.1:2379', '--nats', 'nats://127.0.0.1:4222', '--s3-bucket', 'b'];
  assert.equal(parseMainOptions(dist, {}).distributed?.role, 'writer');
  assert.equal(parseMainOptions([...dist, '--role', 'query'], {}).distributed?.role, 'query');
  assert.equal(parseMainOptions(dist, { SEXTANT_ROLE: 'query' }).distributed?.role, 'query');
  assert.throws(() => parseMainOptions([...dist, '--role', 'proxy'], {}), /--role must be writer or query, got proxy/);
});

test('--resource-group / SEXTANT_RESOURCE_GROUP: a query node\'s group at start; a bad name or a writer refused', () => {
  const query = ['--etcd', 'http://127.0.0.1:2379', '--nats', 'nats://127.0.0.1:4222', '--s3-bucket', 'b', '--role', 'query'];
  assert.equal(parseMainOptions(query, {}).distributed?.resourceGroup, undefined);
  assert.equal(parseMainOptions([...query, '--resource-group', 'rg_1'], {}).distributed?.resourceGroup, 'rg_1');
  assert.equal(parseMainOptions(query, { SEXTANT_RESOURCE_GROUP: 'rg2' }).distributed?.resourceGroup, 'rg2');
  assert.throws(() => parseMainOptions([...query, '--resource-group', '1rg'], {}), /--resource-group: Invalid resource group name 1rg/);
  assert.throws(() => parseMainOptions([...query.slice(0, 6), '--resource-group', 'rg1'], {}), /--resource-group is a query node's/);
});
