/**
 * Idle and slow connections do not stay open forever: a socket on either port that sends nothing,
 * or only part of an HTTP/1.1 request head, is closed once `headersTimeoutMs` passes (the main port
 * hands its REST sockets to an http.Server that never listens, so Node's own headersTimeout did not
 * apply there); a REST request, a kept-alive HTTP/1.1 socket within the limit and an SDK client
 * that idles past it keep working.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { SextantService } from '../../src/service/service.js';
import { startSextantServer } from '../../src/server/http/server.js';
import { withTempDir } from '../support/tmp.js';

const TIMEOUT_MS = 400;

/** Connect, write `bytes` (may be empty), and resolve with how long until the server closed it (or null after `waitMs`). */
function closedAfter(port: number, bytes: string, waitMs: number): Promise<number | null> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => undefined);
    s.on('data', () => undefined);
    const timer = setTimeout(() => { s.destroy(); resolve(null); }, waitMs);
    s.once('connect', () => { if (bytes !== '') s.write(bytes); });
    s.once('close', () => { clearTimeout(timer); resolve(performance.now() - t0); });
  });
}

test('idle and half-sent connections are closed after headersTimeoutMs; real clients are not', { timeout: 60_000 }, async (t) => {
  await withTempDir(async (dir) => {
    const service = await SextantService.open({ dataDir: dir });
    const server = await startSextantServer(service, {
      host: '127.0.0.1', port: 0, httpPort: 0, maxMessageBytes: 64 << 20, maxHttpBodyBytes: 64 << 20, shutdownGraceMs: 500, headersTimeoutMs: TIMEOUT_MS,
    });
    try {
      const wait = TIMEOUT_MS * 10;
      const [mainSilent, mainTwoBytes, mainHalfHead, httpSilent, httpHalfHead] = await Promise.all([
        closedAfter(server.port, '', wait),
        closedAfter(server.port, 'GE', wait),
        closedAfter(server.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n', wait),
        closedAfter(server.httpPort, '', wait),
        closedAfter(server.httpPort, 'GET /healthz HTTP/1.1\r\nHost: x\r\n', wait),
      ]);
      t.diagnostic(`closed after (ms): main silent ${mainSilent?.toFixed(0)}, main 2 bytes ${mainTwoBytes?.toFixed(0)}, main half head ${mainHalfHead?.toFixed(0)}, `
        + `http silent ${httpSilent?.toFixed(0)}, http half head ${httpHalfHead?.toFixed(0)}`);
      for (const [what, ms] of Object.entries({ mainSilent, mainTwoBytes, mainHalfHead, httpSilent, httpHalfHead })) {
        assert.ok(ms !== null, `${what}: closed by the server within ${wait} ms`);
        assert.ok(ms >= TIMEOUT_MS * 0.9, `${what}: not before the timeout (${ms.toFixed(0)} ms)`);
      }
      const rest = await fetch(`http://127.0.0.1:${server.port}/v2/vectordb/collections/list`, { method: 'POST', body: '{}' });
      assert.equal(((await rest.json()) as { code: number }).code, 0);
      const health = await fetch(`http://127.0.0.1:${server.httpPort}/healthz`);
      assert.equal((await health.text()).trim(), 'OK');
      const client = new MilvusClient({ address: `127.0.0.1:${server.port}`, logLevel: 'error' });
      assert.equal((await client.listCollections()).status.error_code, 'Success');
      await new Promise((r) => setTimeout(r, TIMEOUT_MS * 3));
      assert.equal((await client.listCollections()).status.error_code, 'Success', 'an idle gRPC channel is not cut');
      await client.closeConnection();
    } finally {
      await server.close();
      await service.close();
    }
  });
});

test('shutdown closes every connection still open after the grace, routed or not, instead of waiting for the headers timeout', { timeout: 60_000 }, async (t) => {
  await withTempDir(async (dir) => {
    const service = await SextantService.open({ dataDir: dir });
    // The default headers timeout (60 s): without shutdown's own sweep these sockets would hold close() that long.
    const server = await startSextantServer(service, { host: '127.0.0.1', port: 0, httpPort: 0, maxMessageBytes: 1 << 20, maxHttpBodyBytes: 1 << 20, shutdownGraceMs: 300 });
    const wait = 8_000;
    const sockets = [
      closedAfter(server.port, '', wait),
      closedAfter(server.port, 'PR', wait),
      closedAfter(server.port, 'PRI * HTTP/2.0\r\n', wait),
      closedAfter(server.port, 'GET /v2/vectordb/collections/list HTTP/1.1\r\n', wait),
      closedAfter(server.httpPort, '', wait),
    ];
    await new Promise((r) => setTimeout(r, 200));
    const t0 = performance.now();
    try {
      await server.close();
    } finally {
      await service.close();
    }
    const closeMs = performance.now() - t0;
    const closed = await Promise.all(sockets);
    t.diagnostic(`close() took ${closeMs.toFixed(0)} ms; sockets closed after ${closed.map((ms) => ms?.toFixed(0)).join(', ')} ms`);
    assert.ok(closeMs < 3_000, `close() returned after ${closeMs.toFixed(0)} ms`);
    for (const ms of closed) assert.ok(ms !== null && ms < wait, 'every socket was closed by the server');
  });
});
