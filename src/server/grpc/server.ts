/**
 * The Milvus gRPC server: a thin codec over `MilvusApi`. Every RPC of `MilvusService` is registered
 * from the tables in rpc-table.ts / local-rpcs.ts behind one wrapper that turns any thrown error into
 * an in-band `common.Status`; RPCs not in the tables answer code 3000 "unsupported operation".
 *
 * Connections: a plain `net.Server` accepts sockets and hands them to grpc-js through a connection
 * injector (`Server.createConnectionInjector`, see `createGrpcConnectionHandler`). That is the seam
 * for sharing one port with an HTTP/1.1 REST router later.
 */
import * as grpc from '@grpc/grpc-js';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { errors, MilvusError } from '../../core/errors.js';
import type { MilvusApi } from '../../service/api.js';
import { RbacStore } from '../auth/rbac.js';
import type { CallContext } from './codec/context.js';
import { statusFrom, successStatus } from './codec/status.js';
import { isWire, type Wire } from './codec/wire.js';
import { localRpcs, type LocalHandler } from './local-rpcs.js';
import { grpcServiceDefinition, rpcInventory, SERVICE_NAME, TELEMETRY_SERVICE_NAME, type RpcInfo } from './proto.js';
import { rbacRpcs } from './rbac-rpcs.js';
import { serviceRpcs, type RpcHandler } from './rpc-table.js';

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
  /** Users / roles / grants behind the credential and role RPCs (unenforced); without it they answer 3000. */
  rbac?: RbacStore;
}

export interface RunningGrpcServer {
  port: number;
  close(): Promise<void>;
}

function metadataString(md: grpc.Metadata, key: string): string | undefined {
  const [v] = md.get(key);
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : v.toString('utf8');
}

/** `dbname` and `authorization` (base64 user:password or token; any is accepted for now). */
export function callContext(md: grpc.Metadata): CallContext {
  const auth = metadataString(md, 'authorization');
  let user: string | undefined;
  if (auth !== undefined && auth !== '') {
    const decoded = Buffer.from(auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    user = colon >= 0 ? decoded.slice(0, colon) : undefined;
  }
  return { headerDbName: metadataString(md, 'dbname'), user };
}

/** Milvus' "unsupported operation"; for a response without a status it is gRPC's UNIMPLEMENTED. */
const UNSUPPORTED_CODE = 3000;

type Answer = (call: grpc.ServerUnaryCall<unknown, unknown>) => Promise<Wire>;

/** The one wrapper: runs `answer`, attaches a success status, or answers the error status. */
function unaryHandler(rpc: RpcInfo, answer: Answer, opts: GrpcServerOptions): grpc.handleUnaryCall<unknown, unknown> {
  return (call, callback) => {
    const startMs = performance.now();
    answer(call).then(
      (body) => {
        opts.onCall?.(rpc.name, performance.now() - startMs, 0);
        callback(null, rpc.returnsStatus ? successStatus() : { ...body, [rpc.statusField ?? 'status']: successStatus() });
      },
      (e: unknown) => {
        if (!(e instanceof MilvusError)) opts.onUnexpectedError?.(rpc.name, e);
        const status = statusFrom(e);
        opts.onCall?.(rpc.name, performance.now() - startMs, status.code);
        if (rpc.returnsStatus) callback(null, status);
        else if (rpc.statusField !== null) callback(null, { [rpc.statusField]: status });
        else callback({ code: status.code === UNSUPPORTED_CODE ? grpc.status.UNIMPLEMENTED : grpc.status.INTERNAL, details: status.reason });
      },
    );
  };
}

function answerFor(rpc: RpcInfo, api: MilvusApi, local: Record<string, LocalHandler>, rbac: RbacStore | undefined): Answer {
  const request = (call: grpc.ServerUnaryCall<unknown, unknown>): Wire => (isWire(call.request) ? call.request : {});
  const localHandler = local[rpc.name];
  if (localHandler !== undefined) return async (call) => localHandler(request(call));
  const rbacHandler = rbacRpcs[rpc.name];
  if (rbacHandler !== undefined && rbac !== undefined) return (call) => rbacHandler(rbac, request(call), callContext(call.metadata));
  const handler: RpcHandler | undefined = serviceRpcs[rpc.name];
  if (handler !== undefined) return (call) => handler(api, request(call), callContext(call.metadata));
  return async () => {
    throw errors.unsupported(rpc.name);
  };
}

/**
 * Streaming RPCs (DumpMessages, CreateReplicateStream) are not supported: one response with an
 * in-band 3000 status when the response type has a status field, else UNIMPLEMENTED. grpc-js calls
 * a streaming handler with the stream only, so the unary wrapper must never be registered for them.
 */
function streamingUnsupported(rpc: RpcInfo, opts: GrpcServerOptions): grpc.handleServerStreamingCall<unknown, unknown> {
  return (call) => {
    const status = statusFrom(errors.unsupported(rpc.name));
    opts.onCall?.(rpc.name, 0, status.code);
    if (rpc.statusField === null) {
      call.emit('error', { code: grpc.status.UNIMPLEMENTED, details: status.reason });
      return;
    }
    call.write({ [rpc.statusField]: status });
    call.end();
  };
}

function buildImplementation(api: MilvusApi, opts: GrpcServerOptions): grpc.UntypedServiceImplementation {
  const local = localRpcs();
  const impl: grpc.UntypedServiceImplementation = {};
  for (const rpc of rpcInventory(SERVICE_NAME)) {
    impl[rpc.name] = rpc.streaming ? streamingUnsupported(rpc, opts) : unaryHandler(rpc, answerFor(rpc, api, local, opts.rbac), opts);
  }
  return impl;
}

/**
 * The gRPC side of a listener: accepts already-connected sockets (HTTP/2 with prior knowledge). A
 * listener shared with an HTTP/1.1 router can sniff the first bytes of each socket (the HTTP/2
 * preface `PRI * HTTP/2.0\r\n`), `unshift` them back, and hand gRPC sockets to `handleConnection`.
 */
export interface GrpcConnectionHandler {
  handleConnection(socket: Duplex): void;
  /** Let in-flight calls finish (at most graceMs), then cut what is left. */
  drain(graceMs: number): Promise<void>;
}

export function createGrpcConnectionHandler(api: MilvusApi, opts: GrpcServerOptions): GrpcConnectionHandler {
  const server = new grpc.Server({
    'grpc.max_receive_message_length': opts.maxMessageBytes,
    'grpc.max_send_message_length': -1,
  });
  server.addService(grpcServiceDefinition(SERVICE_NAME), buildImplementation(api, opts));
  // ClientTelemetryService is registered without handlers: grpc-js answers UNIMPLEMENTED.
  server.addService(grpcServiceDefinition(TELEMETRY_SERVICE_NAME), {});
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

/** Listen on host:port and serve gRPC on every connection (with a memory-only user store unless `opts.rbac`). */
export async function startGrpcServer(api: MilvusApi, opts: GrpcServerOptions): Promise<RunningGrpcServer> {
  const grpcHandler = createGrpcConnectionHandler(api, { ...opts, rbac: opts.rbac ?? await RbacStore.open(null) });
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

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= shutdown(listener, grpcHandler, opts.shutdownGraceMs ?? 5_000);
    return closing;
  };
  return { port, close };
}

/** Stop accepting, let in-flight calls finish (bounded by graceMs), then cut what is left. */
async function shutdown(listener: net.Server, grpcHandler: GrpcConnectionHandler, graceMs: number): Promise<void> {
  const listenerClosed = new Promise<void>((resolve) => listener.close(() => resolve()));
  await grpcHandler.drain(graceMs);
  await listenerClosed;
}
