/**
 * TLS as curl sees it, with the server composed as `npm start` composes it (compose.ts, certificate
 * files named by the options): REST v2 on the main TLS port in mode 1 and mode 2 (without a client
 * certificate the handshake is refused), and `--http-tls`: /healthz, /metrics and /api/v1 on TLS
 * with the same certificate and, in mode 2, the same client-certificate requirement; plain HTTP to
 * that port gets no answer. Node's https client checks the same port.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import https from 'node:https';
import { SextantService } from '../../src/service/service.js';
import { serveService } from '../../src/server/compose.js';
import { parseMainOptions } from '../../src/server/options.js';
import type { RunningSextantServer } from '../../src/server/http/server.js';
import { makeTempDir } from '../support/tmp.js';
import { makeTestCerts, type TestCerts } from '../support/certs.js';

let certs: TestCerts;
let dataDir: string;
let svc: SextantService;

before(async () => {
  certs = makeTestCerts(await makeTempDir());
  dataDir = await makeTempDir();
  svc = await SextantService.open({ dataDir, auth: { enabled: true } });
});
after(async () => {
  await svc.close();
  await rm(certs.dir, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
});

async function serve(mode: 1 | 2, httpTls: boolean): Promise<RunningSextantServer> {
  const argv = ['--port', '0', '--http-port', '0', '--tls-mode', String(mode), '--tls-cert', certs.file('server.pem'),
    '--tls-key', certs.file('server.key'), '--tls-ca', certs.file('ca.pem'), ...(httpTls ? ['--http-tls'] : [])];
  return serveService(svc, parseMainOptions(argv, {}), () => undefined);
}

interface CurlResult { exitCode: number; out: string; err: string }

/** curl (never blocking the event loop: the server runs in this process); `out` ends with ` <status>`. */
function curl(...args: string[]): Promise<CurlResult> {
  return new Promise((resolve) => {
    execFile('curl', ['-sS', '--max-time', '10', '-w', ' %{http_code}', ...args], (e, out, err) => {
      const code = e === null ? 0 : typeof e.code === 'number' ? e.code : -1;
      resolve({ exitCode: code, out, err });
    });
  });
}

const CA = (): string[] => ['--cacert', certs.file('ca.pem')];
const CLIENT = (): string[] => ['--cert', certs.file('client.pem'), '--key', certs.file('client.key')];
const EMPTY_V1_LIST = '{"status":{},"collection_names":[],"collection_ids":[],"created_timestamps":[],"created_utc_timestamps":[],'
  + '"inMemory_percentages":[],"query_service_available":[],"shards_num":[]}';
const V2_LIST = ['-H', 'Content-Type: application/json', '-d', '{}'];

async function ok(r: Promise<CurlResult>, expected: string): Promise<void> {
  const got = await r;
  assert.equal(got.exitCode, 0, got.err);
  assert.equal(got.out, expected);
}

test('REST v2 on the main TLS port with curl: mode 1 with --cacert (curl offers h2 and http/1.1 by ALPN)', async () => {
  const server = await serve(1, false);
  try {
    const url = `https://127.0.0.1:${server.port}/v2/vectordb/collections/list`;
    await ok(curl(...CA(), ...V2_LIST, '-H', 'Authorization: Bearer root:Milvus', url), '{"code":0,"data":[]} 200');
    await ok(curl(...CA(), ...V2_LIST, '--http1.1', '-u', 'root:Milvus', url), '{"code":0,"data":[]} 200');
    await ok(curl(...CA(), ...V2_LIST, url), '{"code":1800,"message":"user hasn\'t authenticated"} 401');
    const untrusted = await curl(...V2_LIST, url);
    assert.equal(untrusted.exitCode, 60, `an unknown CA is refused by curl: ${untrusted.err}`);
  } finally {
    await server.close();
  }
});

test('REST v2 on the main TLS port with curl: mode 2 refuses a client without a certificate at the handshake', async () => {
  const server = await serve(2, false);
  try {
    const url = `https://127.0.0.1:${server.port}/v2/vectordb/collections/list`;
    await ok(curl(...CA(), ...CLIENT(), ...V2_LIST, '-H', 'Authorization: Bearer root:Milvus', url), '{"code":0,"data":[]} 200');
    const bare = await curl(...CA(), ...V2_LIST, '-H', 'Authorization: Bearer root:Milvus', url);
    assert.notEqual(bare.exitCode, 0);
    assert.match(bare.err, /certificate required|alert/i);
    assert.equal(bare.out, ' 000', 'no HTTP answer');
  } finally {
    await server.close();
  }
});

function httpsGet(port: number, path: string, withCert: boolean, auth?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: '127.0.0.1', port, path, method: 'GET', ca: readFileSync(certs.file('ca.pem')),
      ...(auth !== undefined ? { auth } : {}),
      ...(withCert ? { cert: readFileSync(certs.file('client.pem')), key: readFileSync(certs.file('client.key')) } : {}),
    }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => { text += d.toString(); });
      res.on('end', () => resolve(`${res.statusCode ?? 0} ${text}`));
    });
    req.on('error', reject);
    req.end();
  });
}

test('--http-tls, mode 1: /healthz, /metrics and /api/v1 over TLS (curl and Node https); plain HTTP gets no answer', async () => {
  const server = await serve(1, true);
  try {
    const base = `https://127.0.0.1:${server.httpPort}`;
    await ok(curl(...CA(), `${base}/healthz`), 'OK 200');
    const metrics = await curl(...CA(), `${base}/metrics`);
    assert.match(metrics.out, /sextant_healthy 1[\s\S]* 200$/);
    await ok(curl(...CA(), '-u', 'root:Milvus', `${base}/api/v1/collections`), `${EMPTY_V1_LIST} 200`);
    await ok(curl(...CA(), `${base}/api/v1/collections`), '{"code":1800,"message":"user hasn\'t authenticated"} 401');
    const plain = await curl(`http://127.0.0.1:${server.httpPort}/healthz`);
    assert.notEqual(plain.exitCode, 0, 'plain HTTP to the TLS port');
    assert.equal(plain.out, ' 000', `no HTTP answer: ${plain.err}`);
    assert.equal(await httpsGet(server.httpPort, '/healthz', false), '200 OK');
    assert.equal(await httpsGet(server.httpPort, '/api/v1/collections', false, 'root:Milvus'), `200 ${EMPTY_V1_LIST}`);
  } finally {
    await server.close();
  }
});

test('--http-tls, mode 2: the http port requires a client certificate as the main port does', async () => {
  const server = await serve(2, true);
  try {
    const base = `https://127.0.0.1:${server.httpPort}`;
    await ok(curl(...CA(), ...CLIENT(), `${base}/healthz`), 'OK 200');
    await ok(curl(...CA(), ...CLIENT(), '-u', 'root:Milvus', `${base}/api/v1/collections`), `${EMPTY_V1_LIST} 200`);
    const bare = await curl(...CA(), `${base}/healthz`);
    assert.notEqual(bare.exitCode, 0);
    assert.match(bare.err, /certificate required|alert/i);
    assert.equal(await httpsGet(server.httpPort, '/healthz', true), '200 OK');
    await assert.rejects(httpsGet(server.httpPort, '/healthz', false), /certificate required|socket hang up|ECONNRESET/i);
  } finally {
    await server.close();
  }
});

test('without --http-tls the http port stays plain HTTP next to a TLS main port', async () => {
  const server = await serve(1, false);
  try {
    await ok(curl(`http://127.0.0.1:${server.httpPort}/healthz`), 'OK 200');
  } finally {
    await server.close();
  }
});
