/**
 * The seam for serving REST and gRPC on one port: a listener sniffs the HTTP/2 preface, puts the
 * bytes back and hands gRPC sockets to the gRPC connection handler; anything else goes to HTTP/1.1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import type { MilvusApi } from '../../src/service/api.js';
import { createGrpcConnectionHandler } from '../../src/server/grpc/server.js';

const api = new Proxy({} as MilvusApi, { get: (_t, k) => (k === 'authEnabled' ? () => false : async () => { throw new Error('not used'); }) });

test('one port: gRPC sockets (HTTP/2 preface) reach grpc-js, HTTP/1.1 sockets reach an http.Server', async () => {
  const grpcHandler = createGrpcConnectionHandler(api, { host: '127.0.0.1', port: 0, maxMessageBytes: 1 << 20 });
  const rest = http.createServer((_req, res) => res.end('{"code":0}'));
  const listener = net.createServer((socket) => {
    // paused-mode peek: read the first 4 bytes, put them back, route the socket
    const route = (): void => {
      const first = socket.read(4) as Buffer | null;
      if (first === null) return void socket.once('readable', route);
      socket.unshift(first);
      if (first.toString('latin1') === 'PRI ') grpcHandler.handleConnection(socket);
      else rest.emit('connection', socket);
    };
    socket.once('readable', route);
  });
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  const address = listener.address();
  assert.ok(address !== null && typeof address === 'object');

  const client = new MilvusClient({ address: `127.0.0.1:${address.port}`, logLevel: 'error' });
  try {
    const v = await client.getVersion();
    assert.match(v.version, /sextant/);
    const body = await (await fetch(`http://127.0.0.1:${address.port}/v2/vectordb/collections/list`, { method: 'POST' })).text();
    assert.equal(body, '{"code":0}');
  } finally {
    // Clean up on failure too, or the test process never exits.
    await client.closeConnection();
    const listenerClosed = new Promise<void>((r) => listener.close(() => r())); // stop accepting first
    await grpcHandler.drain(1000);
    rest.closeAllConnections();
    await listenerClosed;
  }
});
