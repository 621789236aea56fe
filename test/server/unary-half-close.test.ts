/**
 * A unary call is answered once its request message is in, without waiting for the client's
 * half-close (as grpc-go, Milvus's server, does). The Node SDK's retry interceptor never half-closes
 * a retried call, so before this every SDK retry against Sextant hung until its deadline: a client
 * that met a standby, or a server that was not listening yet, got DEADLINE_EXCEEDED although the
 * server answered a moment later (issue #14).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { startGrpcServer } from '../../src/server/grpc/server.js';
import { SextantService } from '../../src/service/service.js';
import { freePort } from '../support/cluster.js';
import { startSextant, tempDataDir } from './harness.js';

let data: Awaited<ReturnType<typeof tempDataDir>>;
before(async () => { data = await tempDataDir(); });
after(async () => { await data.remove(); });

/** A gRPC frame holding an empty message (HasCollectionRequest / ConnectRequest with every field default). */
const EMPTY_MESSAGE = Buffer.from([0, 0, 0, 0, 0]);

test('a unary call whose client never half-closes is answered', { timeout: 30_000 }, async () => {
  const running = await startSextant(data.dir);
  const session = http2.connect(`http://127.0.0.1:${running.port}`);
  session.on('error', () => undefined);
  try {
    const req = session.request({
      ':method': 'POST', ':path': '/milvus.proto.milvus.MilvusService/Connect', 'content-type': 'application/grpc', te: 'trailers',
    });
    req.write(EMPTY_MESSAGE); // and no end(): the stream stays open from the client's side
    const answer = await Promise.race([
      new Promise<string>((resolve) => {
        req.on('trailers', (t) => resolve(`grpc-status ${String(t['grpc-status'])}`));
        req.on('close', () => resolve('closed without trailers'));
        req.resume();
      }),
      new Promise<string>((resolve) => setTimeout(() => resolve('no answer within 5 s'), 5_000)),
    ]);
    assert.equal(answer, 'grpc-status 0');
    req.close();
  } finally {
    session.destroy();
    await running.stop();
  }
});

test('an SDK call retried after the server was unreachable is answered once the server listens', { timeout: 60_000 }, async (t) => {
  const port = await freePort();
  // Retries after 200, 400, 800, 1600, 3200, 6400 ms; each attempt's deadline 20 s.
  const client = new MilvusClient({ address: `127.0.0.1:${port}`, logLevel: 'error', maxRetries: 6, retryDelay: 100, timeout: 20_000 });
  client.connectPromise?.catch(() => undefined);
  const sentMs = performance.now();
  const call = client.hasCollection({ collection_name: 'c' }).then(
    (r) => `${String(r.status.error_code)} value=${String(r.value)}`,
    (e: unknown) => (e instanceof Error ? e.message : String(e)),
  );
  await new Promise((r) => setTimeout(r, 700));
  const service = await SextantService.open({ dataDir: data.dir });
  const server = await startGrpcServer(service, { host: '127.0.0.1', port, maxMessageBytes: 64 * 1024 * 1024, shutdownGraceMs: 500 });
  try {
    const answer = await call;
    t.diagnostic(`answered ${Math.round(performance.now() - sentMs)} ms after it was sent (server listening from ~700 ms): ${answer}`);
    assert.equal(answer, 'Success value=false');
  } finally {
    await client.closeConnection();
    await server.close();
    await service.close();
  }
});
