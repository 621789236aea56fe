/**
 * The Milvus gRPC server: a thin codec over `MilvusApi`. Every RPC of `MilvusService` is served from
 * the tables in rpc-table.ts / local-rpcs.ts (encoded-rpcs.ts for the hot ones) behind one wrapper
 * (`unaryRunner`) that turns any thrown error into an in-band `common.Status`; RPCs not in the tables
 * answer code 3000 "unsupported operation". `servedMethods` gives them by path to the transport:
 * h2.ts (default: gRPC's wire on node:http2) or grpc-js's server (`transport: 'grpc-js'`).
 *
 * Connections: a plain `net.Server` accepts sockets and hands them to the transport
 * (`createGrpcConnectionHandler`; for grpc-js through its connection injector), so one port can be
 * shared with the HTTP/1.1 REST router (server/http/server.ts).
 *
 * A unary call is answered as soon as its request message is in, as grpc-go (Milvus) does, not after
 * the client's half-close: grpc-js waits for the half-close before it runs a unary handler, and the
 * Node SDK's retry interceptor never half-closes the calls it retries (it starts the new call and
 * sends the message only), so every SDK retry hung until its deadline (a client pointed at a standby
 * that took over). h2.ts answers on the first message; with grpc-js, unary methods are registered as
 * client-streaming (`answerOnFirstMessage`); the wire is the same.
 */
import * as grpc from '@grpc/grpc-js';
import net from 'node:net';
import { AccessError, errors, MilvusError } from '../../core/errors.js';
import type { MilvusApi } from '../../service/api.js';
import { Authenticator } from '../auth/authenticator.js';
import { grpcCredentials } from '../auth/credentials.js';
import type { CallContext } from './codec/context.js';
import { EncodedReply } from './codec/replies.js';
import { encodedRpcs } from './encoded-rpcs.js';
import { statusFrom, successStatus } from './codec/status.js';
import { isWire, type Wire } from './codec/wire.js';
import { localRpcs, type LocalHandler } from './local-rpcs.js';
import { grpcServiceDefinition, rpcInventory, SERVICE_NAME, TELEMETRY_SERVICE_NAME, type RpcInfo } from './proto.js';
import { rbacRpcs } from './rbac-rpcs.js';
import { resourceGroupRpcs } from './resource-group-rpcs.js';
import { serviceRpcs, type RpcHandler } from './rpc-table.js';
import { createH2ConnectionHandler } from './h2.js';
import type { Call, Done, GrpcConnectionHandler, ServedMethod, UnaryRunner } from './call.js';

export type { GrpcConnectionHandler } from './call.js';

type Answer = (call: Call, api: MilvusApi) => Promise<Wire | EncodedReply>;

export interface GrpcServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Largest request accepted; larger ones get RESOURCE_EXHAUSTED from grpc-js. */
  maxMessageBytes: number;
  /** Called with errors that are not MilvusErrors (bugs), after they were answered as 65535. */
  onUnexpectedError?: (rpc: string, e: unknown) => void;
  /** How long close() lets in-flight calls finish before cutting connections. */
  shutdownGraceMs?: number;
  /** Called once per answered call with its duration and Milvus code (0 = success); for metrics. */
  onCall?: (rpc: string, ms: number, code: number) => void;
  /** Checks credentials when auth is on (shared with the other doors of a server); one of its own by default. */
  authenticator?: Authenticator;
  /**
   * What carries the calls: `http2` (default; h2.ts, gRPC's wire written on node:http2) or `grpc-js`
   * (its server, kept as a fallback: the same methods, answers and statuses, ~0.03-0.04 ms more CPU a call).
   */
  transport?: GrpcTransport;
}

export type GrpcTransport = 'http2' | 'grpc-js';

export interface RunningGrpcServer {
  port: number;
  close(): Promise<void>;
}

function metadataString(md: grpc.Metadata, key: string): string | undefined {
  const [v] = md.get(key);
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : v.toString('utf8');
}

/** `dbname` and the user named by `authorization` (checked by the Authenticator, not here). */
export function callContext(header: (key: string) => string | undefined): CallContext {
  const auth = header('authorization');
  let user: string | undefined;
  if (auth !== undefined && auth !== '') {
    const decoded = Buffer.from(auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    user = colon >= 0 ? decoded.slice(0, colon) : undefined;
  }
  return { headerDbName: header('dbname'), user };
}

/** Milvus' "unsupported operation"; for a response without a status it is gRPC's UNIMPLEMENTED. */
const UNSUPPORTED_CODE = 3000;

/** The peer's address without its port (`ipv4:127.0.0.1:5000` -> `127.0.0.1`), the rate-limit key. */
function peerAddress(call: Pick<Call, 'peer'>): string {
  const peer = call.peer().replace(/^ipv[46]:/, '');
  const bracket = /^\[(.*)\]:\d+$/.exec(peer);
  if (bracket?.[1] !== undefined) return bracket[1];
  const colon = peer.lastIndexOf(':');
  return colon > 0 && peer.indexOf(':') === colon ? peer.slice(0, colon) : peer;
}

/** Authentication before any handler (Milvus' interceptor): the caller's view of the service. */
function scopeOf(call: Omit<Call, 'request'>, auth: Authenticator): Promise<{ api: MilvusApi }> {
  const open = auth.openScope();
  if (open !== null) return Promise.resolve(open);
  const deadlineMs = call.deadlineMs();
  return auth.scope({
    credentials: () => grpcCredentials(call.header('authorization')),
    dbName: call.header('dbname'),
    ...(deadlineMs !== undefined ? { deadlineMs } : {}),
    source: peerAddress(call),
  });
}

/** grpc-js's view of a call as a `Call`. */
function grpcJsCall(request: unknown, stream: { metadata: grpc.Metadata; getPeer(): string; getDeadline(): grpc.Deadline }): Call {
  return {
    request,
    header: (key) => metadataString(stream.metadata, key),
    peer: () => stream.getPeer(),
    deadlineMs: () => {
      const deadline = stream.getDeadline();
      return deadline instanceof Date ? deadline.getTime() : Number.isFinite(deadline) ? deadline : undefined;
    },
  };
}

/**
 * A unary RPC registered as client-streaming: runs `handle` with the first request message as soon as
 * it arrives (the half-close is not awaited; later messages are ignored); a call half-closed without
 * a message is answered UNIMPLEMENTED, as grpc-js answers it.
 */
function onFirstMessage(rpc: RpcInfo, handle: (call: Call, done: Done) => void): grpc.handleClientStreamingCall<unknown, unknown> {
  return (stream, callback) => {
    let started = false;
    const onEnd = (): void => {
      if (!started) callback({ code: grpc.status.UNIMPLEMENTED, details: `Received no request message for ${rpc.name}` });
    };
    stream.once('data', (request: unknown) => {
      started = true;
      stream.off('end', onEnd);
      handle(grpcJsCall(request, stream), (error, reply) => (error !== null ? callback(error) : callback(null, reply)));
    });
    stream.once('end', onEnd);
    stream.on('error', () => undefined);
  };
}

/** The service definition with every unary method marked client-streaming for grpc-js (see the file comment). */
function answerOnFirstMessage(def: grpc.ServiceDefinition): grpc.ServiceDefinition {
  return Object.fromEntries(Object.entries(def).map(([name, m]) => [name, m.requestStream || m.responseStream ? m : { ...m, requestStream: true }]));
}

/**
 * The one wrapper of every unary RPC, whatever the transport: authenticates, runs `answer`, and gives
 * `done` the reply (a success status attached) or the error: in band as Milvus does (a status), or
 * as a gRPC status for access failures and replies without a status field.
 */
function unaryRunner(rpc: RpcInfo, answer: Answer, opts: GrpcServerOptions, auth: Authenticator): UnaryRunner {
  return (call, done) => {
    const startMs = performance.now();
    scopeOf(call, auth).then((scoped) => answer(call, scoped.api)).then(
      (body) => {
        opts.onCall?.(rpc.name, performance.now() - startMs, 0);
        if (body instanceof EncodedReply) done(null, body.bytes);
        else done(null, rpc.returnsStatus ? successStatus() : { ...body, [rpc.statusField ?? 'status']: successStatus() });
      },
      (e: unknown) => {
        if (e instanceof AccessError) {
          // Authentication / permission failures are gRPC statuses (16 / 7), never in-band.
          opts.onCall?.(rpc.name, performance.now() - startMs, e.code);
          done({ code: e.grpcCode, details: e.message });
          return;
        }
        if (!(e instanceof MilvusError)) opts.onUnexpectedError?.(rpc.name, e);
        const status = statusFrom(e);
        opts.onCall?.(rpc.name, performance.now() - startMs, status.code);
        if (rpc.returnsStatus) done(null, status);
        else if (rpc.statusField !== null) done(null, { [rpc.statusField]: status });
        else done({ code: status.code === UNSUPPORTED_CODE ? grpc.status.UNIMPLEMENTED : grpc.status.INTERNAL, details: status.reason });
      },
    );
  };
}

function answerFor(rpc: RpcInfo, local: Record<string, LocalHandler>): Answer {
  const request = (call: Call): Wire => (isWire(call.request) ? call.request : {});
  const localHandler = local[rpc.name];
  if (localHandler !== undefined) return async (call) => localHandler(request(call));
  const encoded = encodedRpcs[rpc.name];
  if (encoded !== undefined) return (call, api) => encoded(api, request(call), callContext(call.header));
  const handler: RpcHandler | undefined = rbacRpcs[rpc.name] ?? resourceGroupRpcs[rpc.name] ?? serviceRpcs[rpc.name];
  if (handler !== undefined) return (call, api) => handler(api, request(call), callContext(call.header));
  return async () => {
    throw errors.unsupported(rpc.name);
  };
}

/**
 * Streaming RPCs (DumpMessages, CreateReplicateStream) are not supported: after authentication, one
 * response with an in-band 3000 status when the response type has a status field (`done(null, reply)`,
 * then the call ends), else UNIMPLEMENTED.
 */
function streamingUnsupported(rpc: RpcInfo, opts: GrpcServerOptions, auth: Authenticator): UnaryRunner {
  return (call, done) => {
    scopeOf(call, auth).then(() => {
      const status = statusFrom(errors.unsupported(rpc.name));
      opts.onCall?.(rpc.name, 0, status.code);
      if (rpc.statusField === null) done({ code: grpc.status.UNIMPLEMENTED, details: status.reason });
      else done(null, { [rpc.statusField]: status });
    }, (e: unknown) => done(e instanceof AccessError ? { code: e.grpcCode, details: e.message } : { code: grpc.status.INTERNAL, details: String(e) }));
  };
}

/** ClientTelemetryService: authenticated like every RPC, then UNIMPLEMENTED. */
function telemetryUnimplemented(rpc: RpcInfo, auth: Authenticator): UnaryRunner {
  return (call, done) => {
    scopeOf(call, auth).then(
      () => done({ code: grpc.status.UNIMPLEMENTED, details: `${rpc.name} is not implemented` }),
      (e: unknown) => done(e instanceof AccessError ? { code: e.grpcCode, details: e.message } : { code: grpc.status.INTERNAL, details: String(e) }),
    );
  };
}

/** Every method of MilvusService and ClientTelemetryService by path (`/milvus.proto.milvus.MilvusService/Search`). */
export function servedMethods(opts: GrpcServerOptions, auth: Authenticator): Map<string, ServedMethod> {
  const local = localRpcs();
  const out = new Map<string, ServedMethod>();
  const add = (serviceName: string, runner: (rpc: RpcInfo) => UnaryRunner): void => {
    const def = grpcServiceDefinition(serviceName);
    for (const rpc of rpcInventory(serviceName)) {
      const m = def[rpc.name]!;
      out.set(m.path, { rpc, streaming: rpc.streaming, run: runner(rpc), deserialize: m.requestDeserialize, serialize: m.responseSerialize });
    }
  };
  add(SERVICE_NAME, (rpc) => (rpc.streaming ? streamingUnsupported(rpc, opts, auth) : unaryRunner(rpc, answerFor(rpc, local), opts, auth)));
  add(TELEMETRY_SERVICE_NAME, (rpc) => telemetryUnimplemented(rpc, auth));
  return out;
}

/** The served methods as grpc-js implementations (the `grpc-js` transport). */
function grpcJsImplementation(methods: Map<string, ServedMethod>, serviceName: string): grpc.UntypedServiceImplementation {
  const impl: grpc.UntypedServiceImplementation = {};
  for (const [path, m] of methods) {
    if (!path.startsWith(`/${serviceName}/`)) continue;
    if (serviceName === TELEMETRY_SERVICE_NAME) {
      const handler: grpc.handleUnaryCall<unknown, unknown> = (call, callback) =>
        m.run(grpcJsCall(call.request, call), (error, reply) => (error !== null ? callback(error) : callback(null, reply)));
      impl[m.rpc.name] = handler;
    } else if (m.streaming) {
      const handler: grpc.handleServerStreamingCall<unknown, unknown> = (call) => m.run(grpcJsCall(undefined, call), (error, reply) => {
        if (error !== null) {
          call.emit('error', error);
          return;
        }
        call.write(reply);
        call.end();
      });
      impl[m.rpc.name] = handler;
    } else {
      impl[m.rpc.name] = onFirstMessage(m.rpc, m.run);
    }
  }
  return impl;
}

export function createGrpcConnectionHandler(api: MilvusApi, opts: GrpcServerOptions): GrpcConnectionHandler {
  const auth = opts.authenticator ?? new Authenticator(api);
  const methods = servedMethods(opts, auth);
  if ((opts.transport ?? 'http2') === 'http2') return createH2ConnectionHandler(methods, { maxMessageBytes: opts.maxMessageBytes });
  const server = new grpc.Server({
    'grpc.max_receive_message_length': opts.maxMessageBytes,
    'grpc.max_send_message_length': -1,
  });
  server.addService(answerOnFirstMessage(grpcServiceDefinition(SERVICE_NAME)), grpcJsImplementation(methods, SERVICE_NAME));
  server.addService(grpcServiceDefinition(TELEMETRY_SERVICE_NAME), grpcJsImplementation(methods, TELEMETRY_SERVICE_NAME));
  const injector = server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  return {
    handleConnection: (socket) => injector.injectConnection(socket),
    drain: (graceMs) => new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, graceMs);
      timer.unref();
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    }),
  };
}

/**
 * Every socket a listener accepted, whatever it became (gRPC session, REST, still being routed, TLS):
 * `net.Server.close` waits for all of them, so shutdown destroys those still open after the grace.
 * An HTTP/2 session that grpc-js did not count (say, one injected while it was shutting down) would
 * otherwise hold the process open until the deadline in main.ts kills it.
 */
export function trackSockets(listener: net.Server): () => void {
  const open = new Set<net.Socket>();
  listener.on('connection', (socket: net.Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  return () => { for (const socket of open) socket.destroy(); };
}

/** Listen on host:port and serve gRPC on every connection. */
export async function startGrpcServer(api: MilvusApi, opts: GrpcServerOptions): Promise<RunningGrpcServer> {
  const grpcHandler = createGrpcConnectionHandler(api, opts);
  // Small unary calls must not wait for Nagle + delayed ACK (tens of ms on loopback).
  const listener = net.createServer({ noDelay: true }, (socket) => grpcHandler.handleConnection(socket));
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(opts.port, opts.host, () => {
      listener.off('error', reject);
      resolve();
    });
  });
  const address = listener.address();
  const port = typeof address === 'object' && address !== null ? address.port : opts.port;
  const destroyLeftovers = trackSockets(listener);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= shutdown(listener, grpcHandler, opts.shutdownGraceMs ?? 5_000, destroyLeftovers);
    return closing;
  };
  return { port, close };
}

/** Stop accepting, let in-flight calls finish (bounded by graceMs), then cut what is left. */
async function shutdown(listener: net.Server, grpcHandler: GrpcConnectionHandler, graceMs: number, destroyLeftovers: () => void): Promise<void> {
  const listenerClosed = new Promise<void>((resolve) => listener.close(() => resolve()));
  await grpcHandler.drain(graceMs);
  destroyLeftovers();
  await listenerClosed;
}
