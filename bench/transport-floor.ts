/**
 * The transport's floor (issue 12): server CPU per trivial unary gRPC call when the server is
 * (a) a minimal gRPC unary server written directly on node:http2 (5-byte length prefix, grpc-status
 * trailers, nothing else) and (b) grpc-js serving the same method, both answering a fixed
 * BoolResponse. A bare grpc-js client in another process keeps 1, 8 or 32 calls in flight; the
 * server's CPU comes from /proc (utime + stime, and its main thread's schedstat). The difference is
 * grpc-js's own per-call cost; (a) is what node:http2 alone costs, below any gRPC server in Node.
 *
 *   node dist/bench/transport-floor.js [--calls 6000] [--concurrency 1,8,32] [--reps 2]
 */
import * as grpc from '@grpc/grpc-js';
import { spawn } from 'node:child_process';
import http2 from 'node:http2';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { cpuMsOf, schedCpuMs } from './server.js';

const SELF = fileURLToPath(import.meta.url);
const METHOD = '/milvus.proto.milvus.MilvusService/HasCollection';
/** BoolResponse { status: {}, value: true } and HasCollectionRequest { collection_name: 'bench_search' }. */
const REPLY = Buffer.from([0x0a, 0x00, 0x10, 0x01]);
const REQUEST = Buffer.concat([Buffer.from([0x1a, 12]), Buffer.from('bench_search')]);
const identity = (b: Buffer): Buffer => b;

type Kind = 'http2' | 'grpc-js';

function grpcFrame(body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(5 + body.length);
  out[0] = 0;
  out.writeUInt32BE(body.length, 1);
  body.copy(out, 5);
  return out;
}

function serveHttp2(ready: (port: number) => void): void {
  const server = http2.createServer();
  server.on('stream', (stream) => {
    stream.on('data', () => undefined);
    stream.on('end', () => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', 'grpc-message': '' }));
      stream.end(grpcFrame(REPLY));
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const a = server.address();
    ready(typeof a === 'object' && a !== null ? a.port : 0);
  });
}

function serveGrpcJs(ready: (port: number) => void): void {
  const server = new grpc.Server();
  const def = { path: METHOD, requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity };
  const handler: grpc.handleUnaryCall<Buffer, Buffer> = (_call, callback) => callback(null, REPLY);
  server.addService({ HasCollection: def }, { HasCollection: handler });
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, port) => {
    if (e) throw e;
    ready(port);
  });
}

/** Client process: warm up with `calls` calls, print `ready`, wait for a line, run `calls` more, print `done`. */
async function drive(port: number, concurrency: number, calls: number): Promise<void> {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const call = (): Promise<void> => new Promise((resolve, reject) => {
    client.makeUnaryRequest(METHOD, identity, identity, REQUEST, new grpc.Metadata(), (e) => (e ? reject(e) : resolve()));
  });
  const run = async (): Promise<void> => {
    let sent = 0;
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (sent < calls) {
        sent++;
        await call();
      }
    }));
  };
  await run();
  process.stdout.write('ready\n');
  const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  await lines.next();
  await run();
  process.stdout.write('done\n');
  client.close();
  process.exit(0);
}

interface Row { kind: Kind; concurrency: number; rep: number; cpuUsPerCall: number; mainUsPerCall: number }

async function measure(kind: Kind, concurrency: number, calls: number, rep: number): Promise<Row> {
  const server = spawn(process.execPath, [SELF, 'serve', kind], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pid = server.pid ?? 0;
  let port = 0;
  for await (const line of createInterface({ input: server.stdout! })) {
    port = Number(line);
    break;
  }
  const client = spawn(process.execPath, [SELF, 'drive', String(port), String(concurrency), String(calls)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let before = { all: 0, main: 0 };
  let row: Row | undefined;
  for await (const line of createInterface({ input: client.stdout! })) {
    if (line === 'ready') {
      before = { all: cpuMsOf(`/proc/${pid}/stat`), main: schedCpuMs(pid, pid) };
      client.stdin!.write('go\n');
    } else if (line === 'done') {
      const all = cpuMsOf(`/proc/${pid}/stat`) - before.all, main = schedCpuMs(pid, pid) - before.main;
      row = { kind, concurrency, rep, cpuUsPerCall: (all * 1000) / calls, mainUsPerCall: (main * 1000) / calls };
    }
  }
  server.kill('SIGTERM');
  if (row === undefined) throw new Error(`${kind} x${concurrency}: the client stopped early`);
  return row;
}

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] ?? fallback : fallback;
}

async function main(): Promise<void> {
  const [mode, a, b, c] = process.argv.slice(2);
  if (mode === 'serve') return (a === 'http2' ? serveHttp2 : serveGrpcJs)((port) => process.stdout.write(`${port}\n`));
  if (mode === 'drive') return drive(Number(a), Number(b), Number(c));
  const calls = Number(option('--calls', '6000'));
  const reps = Number(option('--reps', '2'));
  const conc = option('--concurrency', '1,8,32').split(',').map(Number);
  console.log('kind     conc  rep  server CPU us/call  main thread us/call');
  for (let rep = 1; rep <= reps; rep++) {
    for (const n of conc) {
      for (const kind of ['http2', 'grpc-js'] as const) {
        const r = await measure(kind, n, calls, rep);
        console.log(`${kind.padEnd(8)} ${String(n).padStart(4)} ${String(rep).padStart(4)} ${r.cpuUsPerCall.toFixed(1).padStart(19)} ${r.mainUsPerCall.toFixed(1).padStart(20)}`);
      }
    }
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
