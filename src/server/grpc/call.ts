/**
 * A gRPC call as the door's handlers see it, whichever transport carried it (h2.ts, the default, or
 * grpc-js's server, server.ts), and what a transport is given to serve: methods by path.
 */
import type { Duplex } from 'node:stream';
import type { RpcInfo } from './proto.js';

/**
 * What a handler reads of its call, whichever transport carried it (h2.ts or grpc-js): the request
 * message (undefined for streaming calls), a metadata value by lowercase key, the peer
 * (`ipv4:127.0.0.1:5000`, `[::1]:5000`, ...), the deadline (ms since the epoch; undefined = none).
 */
export interface Call {
  request: unknown;
  header(key: string): string | undefined;
  peer(): string;
  deadlineMs(): number | undefined;
}

/** A call's outcome: a reply message (a plain object, or an EncodedReply's bytes), or a gRPC status. */
export type Done = (error: { code: number; details: string } | null, reply?: unknown) => void;

/** Authenticate, answer, and give `done` the reply or the status (server.ts `unaryRunner`). */
export type UnaryRunner = (call: Call, done: Done) => void;

/** One method of a served service: its path, codec, and how a call is answered. */
export interface ServedMethod {
  rpc: RpcInfo;
  /** Unary: answered on the first request message. Streaming: answered without reading one (unsupported). */
  streaming: boolean;
  run: UnaryRunner;
  deserialize(bytes: Buffer): unknown;
  serialize(reply: unknown): Buffer;
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

