/**
 * TLS on the main port with certificates made by openssl at run time: mode 1 (one-way) and mode 2
 * (mutual, TLS 1.3) with the Node SDK's TLS options, REST v2 over the same TLS port (ALPN), and a
 * client without a certificate refused in mode 2.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import https from 'node:https';
import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { SextantService } from '../../src/service/service.js';
import { startSextantServer, type RunningSextantServer } from '../../src/server/http/server.js';
import { makeTempDir } from '../support/tmp.js';
import { makeTestCerts } from '../support/certs.js';

let certDir: string;
let dataDir: string;
let svc: SextantService;
let file: (name: string) => string;

before(async () => {
  certDir = await makeTempDir();
  dataDir = await makeTempDir();
  file = makeTestCerts(certDir).file;
  svc = await SextantService.open({ dataDir, auth: { enabled: true } });
});
after(async () => {
  await svc.close();
  await rm(certDir, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
});

async function serve(mode: 1 | 2): Promise<RunningSextantServer> {
  return startSextantServer(svc, {
    host: '127.0.0.1', port: 0, httpPort: 0, maxMessageBytes: 1 << 20, maxHttpBodyBytes: 1 << 20, shutdownGraceMs: 300,
    tls: { mode, cert: readFileSync(file('server.pem')), key: readFileSync(file('server.key')), ca: readFileSync(file('ca.pem')) },
  });
}

function restOverTls(port: number, withCert: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: '127.0.0.1', port, servername: 'localhost', method: 'POST', path: '/v2/vectordb/collections/list',
      ca: readFileSync(file('ca.pem')), headers: { authorization: 'Bearer root:Milvus' },
      ...(withCert ? { cert: readFileSync(file('client.pem')), key: readFileSync(file('client.key')) } : {}),
    }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => { text += d.toString(); });
      res.on('end', () => resolve(`${res.statusCode ?? 0} ${text}`));
    });
    req.on('error', reject);
    req.end('{}');
  });
}

test('mode 1: the Node SDK over one-way TLS (rootCert), REST v2 over the same port', async () => {
  const server = await serve(1);
  const c = new MilvusClient({ address: `localhost:${server.port}`, token: 'root:Milvus', logLevel: 'error', tls: { rootCertPath: file('ca.pem'), serverName: 'localhost' } });
  try {
    await c.connectPromise;
    const health = await c.checkHealth();
    assert.equal(health.isHealthy, true, JSON.stringify(health));
    assert.equal(await restOverTls(server.port, false), '200 {"code":0,"data":[]}');
  } finally {
    await c.closeConnection();
    await server.close();
  }
});

test('mode 2: mutual TLS with a client certificate works; without one the client is refused', async () => {
  const server = await serve(2);
  const c = new MilvusClient({
    address: `localhost:${server.port}`, token: 'root:Milvus', logLevel: 'error',
    tls: { rootCertPath: file('ca.pem'), privateKeyPath: file('client.key'), certChainPath: file('client.pem'), serverName: 'localhost' },
  });
  const bare = new MilvusClient({ address: `localhost:${server.port}`, token: 'root:Milvus', logLevel: 'error', timeout: 3000, tls: { rootCertPath: file('ca.pem'), serverName: 'localhost' } });
  const bareConnected = bare.connectPromise.then(() => 'connected', (e: unknown) => String(e));
  try {
    await c.connectPromise;
    const health = await c.checkHealth();
    assert.equal(health.isHealthy, true, JSON.stringify(health));
    assert.equal(await restOverTls(server.port, true), '200 {"code":0,"data":[]}');
    await assert.rejects(restOverTls(server.port, false));
    assert.match(await bareConnected, /certificate required/);
  } finally {
    await c.closeConnection();
    await bare.closeConnection().catch(() => undefined);
    await server.close();
  }
});
