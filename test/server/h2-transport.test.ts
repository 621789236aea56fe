/**
 * The gRPC door's two transports (grpc/h2.ts, the default, and grpc-js's server) give the same
 * answers: the same reply bytes and gRPC statuses for well-formed calls, in-band errors, unknown
 * methods and bad requests, over one service. And h2.ts's own framing: a message split across many
 * DATA frames or sent with its prefix alone first, gzip / deflate requests, an unknown encoding, a
 * request over the size limit (refused from its prefix, the server keeps serving), a stream ended
 * without a message, a call the client cancels, draining with a call in flight, `grpc-timeout`.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { gzipSync, deflateSync } from 'node:zlib';
import { MilvusClient, DataType } from '@zilliz/milvus2-sdk-node';
import { startGrpcServer, type GrpcTransport, type RunningGrpcServer } from '../../src/server/grpc/server.js';
import { deadlineOf } from '../../src/server/grpc/h2.js';
import { encodeMessage } from '../../src/server/grpc/proto.js';
import { SextantService } from '../../src/service/service.js';
import { tempDataDir } from './harness.js';

const SERVICE = '/milvus.proto.milvus.MilvusService';
const MAX = 1 << 20;

let data: Awaited<ReturnType<typeof tempDataDir>>;
let service: SextantService;
const servers = new Map<GrpcTransport, RunningGrpcServer>();

before(async () => {
  data = await tempDataDir();
  service = await SextantService.open({ dataDir: data.dir });
  for (const transport of ['http2', 'grpc-js'] as const) {
    servers.set(transport, await startGrpcServer(service, { host: '127.0.0.1', port: 0, maxMessageBytes: MAX, transport, shutdownGraceMs: 2_000 }));
  }
  const sdk = new MilvusClient({ address: `127.0.0.1:${servers.get('http2')!.port}`, logLevel: 'error' });
  await sdk.createCollection({
    collection_name: 'c',
    fields: [{ name: 'id', data_type: DataType.Int64, is_primary_key: true }, { name: 'v', data_type: DataType.FloatVector, dim: 4 }],
  });
  await sdk.insert({ collection_name: 'c', data: Array.from({ length: 50 }, (_, i) => ({ id: i, v: [i, i % 7, 1, -i] })) });
  await sdk.createIndex({ collection_name: 'c', field_name: 'v', index_type: 'FLAT', metric_type: 'L2' });
  await sdk.loadCollectionSync({ collection_name: 'c' });
  await sdk.closeConnection();
});

after(async () => {
  for (const s of servers.values()) await s.close();
  await service.close();
  await data.remove();
});

interface Answer { headers: http2.IncomingHttpHeaders; status: string | undefined; message: string | undefined; body: Buffer }

function frame(bytes: Uint8Array, compressed = false): Buffer {
  const out = Buffer.alloc(5 + bytes.length);
  out[0] = compressed ? 1 : 0;
  out.writeUInt32BE(bytes.length, 1);
  out.set(bytes, 5);
  return out;
}

/**
 * One call over a raw HTTP/2 stream: `send` writes the request (default: `body` then end). The status
 * comes from the trailers, or from the headers of a trailers-only answer.
 */
function call(
  transport: GrpcTransport, path: string, body: Buffer, opts: { headers?: http2.OutgoingHttpHeaders; send?: (req: http2.ClientHttp2Stream) => void } = {},
): Promise<Answer> {
  const session = http2.connect(`http://127.0.0.1:${servers.get(transport)!.port}`);
  session.on('error', () => undefined);
  return new Promise<Answer>((resolve, reject) => {
    const req = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', ...opts.headers });
    let headers: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    req.on('response', (h) => { headers = h; });
    req.on('trailers', (t) => { trailers = t; });
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', reject);
    req.on('close', () => {
      session.close();
      const s = trailers['grpc-status'] ?? headers['grpc-status'];
      const m = trailers['grpc-message'] ?? headers['grpc-message'];
      resolve({ headers, status: s === undefined ? undefined : String(s), message: m === undefined ? undefined : decodeURI(String(m)), body: Buffer.concat(chunks) });
    });
    if (opts.send !== undefined) opts.send(req);
    else req.end(body);
  });
}

const hasCollection = (name: string): Buffer => frame(encodeMessage('milvus.proto.milvus.HasCollectionRequest', { collection_name: name }));
const searchRequest = (): Buffer => {
  const vec = Buffer.from(new Float32Array([3, 3, 1, -3]).buffer);
  const group = encodeMessage('milvus.proto.common.PlaceholderGroup', { placeholders: [{ tag: '$0', type: 101, values: [vec] }] });
  return frame(encodeMessage('milvus.proto.milvus.SearchRequest', {
    collection_name: 'c', dsl: '', dsl_type: 1, placeholder_group: group, nq: 1,
    search_params: [{ key: 'anns_field', value: 'v' }, { key: 'topk', value: '3' }, { key: 'metric_type', value: 'L2' }, { key: 'params', value: '{}' }],
    output_fields: ['id'],
  }));
};

test('both transports give the same bytes and statuses', { timeout: 60_000 }, async () => {
  const cases: [string, string, Buffer][] = [
    ['HasCollection yes', `${SERVICE}/HasCollection`, hasCollection('c')],
    ['HasCollection no', `${SERVICE}/HasCollection`, hasCollection('nope')],
    ['Search', `${SERVICE}/Search`, searchRequest()],
    ['DescribeCollection of a missing collection (in band)', `${SERVICE}/DescribeCollection`, frame(encodeMessage('milvus.proto.milvus.DescribeCollectionRequest', { collection_name: 'nope' }))],
    ['unknown method', `${SERVICE}/NoSuchMethod`, hasCollection('c')],
    ['unknown service', '/no.Such/Method', hasCollection('c')],
    ['empty message', `${SERVICE}/HasCollection`, frame(new Uint8Array(0))],
    ['bytes that are not protobuf', `${SERVICE}/HasCollection`, frame(Uint8Array.from([0x1a, 0xff, 0xff, 0xff, 0xff, 0x0f]))],
    ['telemetry', '/milvus.proto.milvus.ClientTelemetryService/GetTelemetryConfig', frame(new Uint8Array(0))],
  ];
  for (const [name, path, body] of cases) {
    const [h2, js] = [await call('http2', path, body), await call('grpc-js', path, body)];
    assert.equal(h2.status, js.status, `${name}: grpc-status`);
    assert.deepEqual(h2.body, js.body, `${name}: reply bytes`);
    if (h2.status !== '0') assert.ok(h2.message !== undefined && h2.message !== '', `${name}: a grpc-message`);
    if (name.startsWith('bytes that')) assert.equal(h2.status, '13', 'a request that does not decode is INTERNAL');
  }
  const search = await call('http2', `${SERVICE}/Search`, searchRequest());
  assert.equal(search.status, '0');
  assert.ok(search.body.length > 5 && search.body.readUInt32BE(1) === search.body.length - 5, 'one length-prefixed message');
  const streamingPath = `${SERVICE}/DumpMessages`;
  const [h2, js] = [await call('http2', streamingPath, frame(new Uint8Array(0))), await call('grpc-js', streamingPath, frame(new Uint8Array(0)))];
  assert.equal(h2.status, js.status, 'streaming RPC: grpc-status');
});

test('h2: a message in many small DATA frames, or its prefix first, is answered as one', { timeout: 30_000 }, async () => {
  const whole = await call('http2', `${SERVICE}/Search`, searchRequest());
  const bytes = searchRequest();
  const byteByByte = await call('http2', `${SERVICE}/Search`, bytes, {
    send: (req) => {
      let i = 0;
      const next = (): void => {
        if (i >= bytes.length) { req.end(); return; }
        req.write(bytes.subarray(i, i + 1), next);
        i++;
      };
      next();
    },
  });
  const prefixFirst = await call('http2', `${SERVICE}/Search`, bytes, {
    send: (req) => { req.write(bytes.subarray(0, 3)); setTimeout(() => { req.write(bytes.subarray(3, 20)); setTimeout(() => req.end(bytes.subarray(20)), 20); }, 20); },
  });
  for (const a of [byteByByte, prefixFirst]) {
    assert.equal(a.status, '0');
    assert.deepEqual(a.body, whole.body);
  }
});

test('h2: gzip and deflate requests are inflated; an unknown encoding is UNIMPLEMENTED', { timeout: 30_000 }, async () => {
  const plain = await call('http2', `${SERVICE}/HasCollection`, hasCollection('c'));
  const raw = encodeMessage('milvus.proto.milvus.HasCollectionRequest', { collection_name: 'c' });
  for (const [encoding, bytes] of [['gzip', gzipSync(raw)], ['deflate', deflateSync(raw)]] as const) {
    const a = await call('http2', `${SERVICE}/HasCollection`, frame(bytes, true), { headers: { 'grpc-encoding': encoding } });
    assert.equal(a.status, '0', encoding);
    assert.deepEqual(a.body, plain.body, encoding);
  }
  const snappy = await call('http2', `${SERVICE}/HasCollection`, frame(raw, true), { headers: { 'grpc-encoding': 'snappy' } });
  assert.equal(snappy.status, '12');
  assert.match(snappy.message ?? '', /snappy/);
  const bomb = await call('http2', `${SERVICE}/HasCollection`, frame(gzipSync(Buffer.alloc(MAX + 1)), true), { headers: { 'grpc-encoding': 'gzip' } });
  assert.equal(bomb.status, '8', 'a request that inflates past the limit is RESOURCE_EXHAUSTED');
});

test('h2: a request over the limit is refused from its prefix, the server keeps serving', { timeout: 30_000 }, async () => {
  let written = 0;
  const big = await call('http2', `${SERVICE}/HasCollection`, Buffer.alloc(0), {
    send: (req) => {
      const prefix = Buffer.alloc(5);
      prefix.writeUInt32BE(MAX + 1, 1);
      req.write(prefix);
      // The rest never needs to arrive: the answer comes from the prefix alone.
      const chunk = Buffer.alloc(16 * 1024);
      const more = (): void => { if (written < 256 * 1024 && !req.closed) { written += chunk.length; req.write(chunk, more); } };
      more();
    },
  });
  assert.equal(big.status, '8');
  assert.match(big.message ?? '', /larger than max/);
  const splitPrefix = await call('http2', `${SERVICE}/HasCollection`, Buffer.alloc(0), {
    send: (req) => {
      const prefix = Buffer.alloc(5);
      prefix.writeUInt32BE(MAX + 1, 1);
      req.write(prefix.subarray(0, 2));
      setTimeout(() => { if (!req.closed) req.write(Buffer.concat([prefix.subarray(2), Buffer.alloc(1024)])); }, 20);
    },
  });
  assert.equal(splitPrefix.status, '8', 'the limit is checked when the prefix comes in pieces too');
  const js = await call('grpc-js', `${SERVICE}/HasCollection`, frame(Buffer.alloc(MAX + 1)));
  assert.equal(js.status, '8', 'grpc-js answers the same code');
  assert.equal((await call('http2', `${SERVICE}/HasCollection`, hasCollection('c'))).status, '0');
});

test('h2: a stream ended without a message is UNIMPLEMENTED; a cancelled call leaves the server serving', { timeout: 30_000 }, async () => {
  const none = await call('http2', `${SERVICE}/HasCollection`, Buffer.alloc(0));
  assert.equal(none.status, '12');
  assert.match(none.message ?? '', /no request message/);
  const cut = await call('http2', `${SERVICE}/HasCollection`, Buffer.alloc(0), {
    send: (req) => { req.write(hasCollection('c').subarray(0, 4)); setTimeout(() => req.close(http2.constants.NGHTTP2_CANCEL), 20); },
  });
  assert.equal(cut.status, undefined, 'no status for a cancelled call');
  const wrongType = await call('http2', `${SERVICE}/HasCollection`, hasCollection('c'), { headers: { 'content-type': 'application/json' } });
  assert.equal(wrongType.headers[':status'], 415);
  assert.equal((await call('http2', `${SERVICE}/HasCollection`, hasCollection('c'))).status, '0');
});

test('h2: the SDK works through it; the dbname header reaches the handler', { timeout: 30_000 }, async () => {
  const sdk = new MilvusClient({ address: `127.0.0.1:${servers.get('http2')!.port}`, logLevel: 'error', database: 'default' });
  try {
    const r = await sdk.search({ collection_name: 'c', data: [3, 3, 1, -3], limit: 3, output_fields: ['id'] });
    assert.equal(r.status.error_code, 'Success');
    assert.deepEqual(r.results.map((x) => String(x.id)), ['3', '2', '4']);
  } finally {
    await sdk.closeConnection();
  }
  const noDb = await call('http2', `${SERVICE}/HasCollection`, hasCollection('c'), { headers: { dbname: 'no_such_db' } });
  const noDbJs = await call('grpc-js', `${SERVICE}/HasCollection`, hasCollection('c'), { headers: { dbname: 'no_such_db' } });
  assert.equal(noDb.status, '0');
  assert.deepEqual(noDb.body, noDbJs.body, 'the dbname header reaches the handler on both transports');
  assert.notDeepEqual(noDb.body, (await call('http2', `${SERVICE}/HasCollection`, hasCollection('c'))).body);
});

test('h2: grpc-timeout gives the deadline', () => {
  const now = Date.now();
  assert.ok(Math.abs(deadlineOf('100m')! - (now + 100)) < 50);
  assert.ok(Math.abs(deadlineOf('2S')! - (now + 2_000)) < 50);
  assert.ok(Math.abs(deadlineOf('1H')! - (now + 3_600_000)) < 50);
  assert.ok(Math.abs(deadlineOf('5000000u')! - (now + 5_000)) < 50);
  for (const bad of [undefined, '', '100', 'm', '123456789m', '1.5S', '-1S', '10x']) assert.equal(deadlineOf(bad), undefined, String(bad));
});

test('h2: drain lets a call in flight finish, then the port is closed', { timeout: 30_000 }, async () => {
  const d2 = await tempDataDir();
  const svc = await SextantService.open({ dataDir: d2.dir });
  const running = await startGrpcServer(svc, { host: '127.0.0.1', port: 0, maxMessageBytes: MAX, shutdownGraceMs: 5_000 });
  const session = http2.connect(`http://127.0.0.1:${running.port}`);
  session.on('error', () => undefined);
  try {
    const bytes = frame(encodeMessage('milvus.proto.milvus.HasCollectionRequest', { collection_name: 'c' }));
    const answer = new Promise<string | undefined>((resolve) => {
      const req = session.request({ ':method': 'POST', ':path': `${SERVICE}/HasCollection`, 'content-type': 'application/grpc', te: 'trailers' });
      let status: string | undefined;
      req.on('trailers', (t) => { status = String(t['grpc-status']); });
      req.on('close', () => resolve(status));
      req.on('error', () => undefined);
      req.resume();
      req.write(bytes.subarray(0, 6));
      // The rest arrives after close() began: the call is in flight while the server drains.
      setTimeout(() => req.end(bytes.subarray(6)), 150);
    });
    await new Promise((r) => setTimeout(r, 50));
    const closed = running.close();
    assert.equal(await answer, '0');
    await closed;
  } finally {
    session.destroy();
    await svc.close();
    await d2.remove();
  }
});
