/**
 * gRPC's wire on node:http2, the default transport of the gRPC door (issue 12): every call of
 * MilvusService is one HTTP/2 stream, POST `/<service>/<method>` with `content-type: application/grpc`,
 * carrying length-prefixed messages (1 byte compressed flag, 4 bytes big-endian length, the protobuf
 * bytes) and answered with headers, one message and `grpc-status` / `grpc-message` trailers, or, for an
 * error before any message, headers that end the stream and carry the status ("trailers-only").
 *
 * Why not grpc-js's server: its own per-call work (call objects, interceptors, metadata conversion,
 * channelz, a stream decoder) cost 0.03-0.04 ms of server CPU a call over node:http2 answering the same
 * bytes (`node dist/bench/transport-floor.js`: 0.070-0.085 against 0.043-0.047 ms at 32 in flight,
 * 0.128-0.150 against 0.090-0.105 at 1), a third of a trivial call's cost and a sixth of a search's.
 * grpc-js stays selectable (`--grpc-transport grpc-js`); both serve the same `ServedMethod`s, so
 * methods, answers and statuses are the same.
 *
 * What it does as grpc-js does: a unary call is answered on its first message, not its half-close
 * (server.ts says why); a request larger than the limit is refused with RESOURCE_EXHAUSTED before it
 * is buffered; gzip and deflate requests are inflated (`grpc-encoding`), other encodings are
 * UNIMPLEMENTED; an unknown method is UNIMPLEMENTED; `grpc-timeout` gives the call's deadline;
 * replies are never compressed; session memory is not capped (grpc-js found node's cap harmful).
 * Drain sends GOAWAY to every session, lets calls in flight finish, and cuts what is left at the grace.
 */
import http2 from 'node:http2';
import type { Duplex } from 'node:stream';
import { gunzip, inflate } from 'node:zlib';
import type { Call, GrpcConnectionHandler, ServedMethod } from './call.js';

/** gRPC status codes used here. */
const STATUS = { INTERNAL: 13, UNIMPLEMENTED: 12, RESOURCE_EXHAUSTED: 8 } as const;

export interface H2Options {
  /** Largest request message accepted (its length prefix is checked before anything is buffered). */
  maxMessageBytes: number;
}

const RESPONSE_HEADERS = {
  ':status': 200,
  'content-type': 'application/grpc+proto',
  'grpc-accept-encoding': 'identity,deflate,gzip',
} as const;

const OK_TRAILERS = { 'grpc-status': '0', 'grpc-message': 'OK' } as const;

export function createH2ConnectionHandler(methods: ReadonlyMap<string, ServedMethod>, opts: H2Options): GrpcConnectionHandler {
  const server = http2.createServer({ maxSessionMemory: Number.MAX_SAFE_INTEGER, maxSendHeaderBlockLength: Number.MAX_SAFE_INTEGER });
  server.setTimeout(0);
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
    session.on('error', () => undefined);
  });
  server.on('sessionError', () => undefined);
  server.on('stream', (stream, headers) => onStream(stream, headers, methods, opts));
  return {
    handleConnection: (socket: Duplex) => { server.emit('connection', socket); },
    drain: (graceMs) => new Promise<void>((resolve) => {
      if (sessions.size === 0) {
        resolve();
        return;
      }
      let left = sessions.size;
      const timer = setTimeout(() => {
        for (const s of sessions) s.destroy();
        resolve();
      }, graceMs);
      timer.unref();
      for (const s of [...sessions]) {
        s.close(() => {
          if (--left === 0) {
            clearTimeout(timer);
            resolve();
          }
        });
      }
    }),
  };
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function onStream(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, methods: ReadonlyMap<string, ServedMethod>, opts: H2Options): void {
  stream.on('error', () => undefined);
  const contentType = first(headers['content-type']);
  if (headers[':method'] !== 'POST' || contentType === undefined || !contentType.startsWith('application/grpc')) {
    if (!stream.destroyed) stream.respond({ ':status': 415 }, { endStream: true });
    return;
  }
  const path = headers[':path'] ?? '';
  const method = methods.get(path);
  if (method === undefined) {
    endWithStatus(stream, STATUS.UNIMPLEMENTED, `The server does not implement the method ${path}`);
    return;
  }
  const call = h2Call(stream, headers);
  const done = (error: { code: number; details: string } | null, reply?: unknown): void => {
    if (error !== null) endWithStatus(stream, error.code, error.details);
    else sendReply(stream, method, reply);
  };
  if (method.streaming) {
    // Not supported (server.ts): answered without reading the request stream.
    stream.resume();
    method.run(call, done);
    return;
  }
  readFirstMessage(stream, headers, method, opts, (request) => {
    call.request = request;
    method.run(call, done);
  });
}

/** The `Call` of a stream: metadata read from the request headers on demand. */
function h2Call(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): Call {
  return {
    request: undefined,
    header: (key) => first(headers[key]),
    peer: () => {
      const socket = stream.session?.socket;
      const address = socket?.remoteAddress;
      if (address === undefined) return 'unknown';
      return address.includes(':') ? `[${address}]:${socket?.remotePort ?? 0}` : `${address}:${socket?.remotePort ?? 0}`;
    },
    deadlineMs: () => deadlineOf(first(headers['grpc-timeout'])),
  };
}

const TIMEOUT_UNITS: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1_000, m: 1, u: 0.001, n: 0.000_001 };

/** `grpc-timeout` (1-8 digits and a unit) as a deadline in ms since the epoch; undefined without one or when malformed. */
export function deadlineOf(timeout: string | undefined): number | undefined {
  if (timeout === undefined) return undefined;
  const m = /^(\d{1,8})([HMSmun])$/.exec(timeout);
  if (m === null) return undefined;
  return Date.now() + Number(m[1]) * TIMEOUT_UNITS[m[2]!]!;
}

/**
 * Read the request stream until its first whole message and give it, deserialized, to `onMessage`;
 * the rest of the stream is read and ignored. A stream that ends without a message, a message over
 * the limit, a compressed one in an unknown encoding, or bytes that do not decode end the call with a status.
 */
function readFirstMessage(
  stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, method: ServedMethod, opts: H2Options, onMessage: (request: unknown) => void,
): void {
  let chunks: Buffer[] = [];
  let have = 0;
  let need = -1; // message length once the 5-byte prefix is in
  let compressed = false;
  let finished = false;
  const fail = (code: number, details: string): void => {
    finished = true;
    chunks = [];
    endWithStatus(stream, code, details);
  };
  const deliver = (bytes: Buffer): void => deliverMessage(stream, headers, method, opts, bytes, compressed, onMessage);
  stream.on('data', (chunk: Buffer) => {
    if (finished) return;
    if (need < 0 && have === 0 && chunk.length >= 5) {
      // The usual case: the prefix and, often, the whole message in one chunk.
      const len = chunk.readUInt32BE(1);
      if (len > opts.maxMessageBytes) return fail(STATUS.RESOURCE_EXHAUSTED, `Received message larger than max (${len} vs. ${opts.maxMessageBytes})`);
      if (chunk.length >= 5 + len) {
        finished = true;
        compressed = chunk[0] === 1;
        deliver(chunk.subarray(5, 5 + len));
        return;
      }
    }
    chunks.push(chunk);
    have += chunk.length;
    if (need < 0) {
      if (have < 5) return;
      const head = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      chunks = [head];
      compressed = head[0] === 1;
      need = head.readUInt32BE(1);
      if (need > opts.maxMessageBytes) return fail(STATUS.RESOURCE_EXHAUSTED, `Received message larger than max (${need} vs. ${opts.maxMessageBytes})`);
    }
    if (have < 5 + need) return;
    finished = true;
    const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, have);
    chunks = [];
    deliver(all.subarray(5, 5 + need));
  });
  stream.once('end', () => {
    if (!finished) fail(STATUS.UNIMPLEMENTED, `Received no request message for ${method.rpc.name}`);
  });
}

/** `f()`, or null after ending the call with INTERNAL naming `what` (a codec that threw). */
function orInternal<T>(stream: http2.ServerHttp2Stream, what: string, f: () => T): T | null {
  try {
    return f();
  } catch (e) {
    endWithStatus(stream, STATUS.INTERNAL, `Error ${what}: ${e instanceof Error ? e.message : String(e)}`);
    return null;
  }
}

/** A whole request message: inflated when compressed, deserialized, given to `onMessage`; or the call ends with a status. */
function deliverMessage(
  stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, method: ServedMethod, opts: H2Options,
  bytes: Buffer, compressed: boolean, onMessage: (request: unknown) => void,
): void {
  const decode = (raw: Buffer): void => {
    const request = orInternal(stream, 'deserializing request', () => method.deserialize(raw));
    if (request !== null) onMessage(request);
  };
  if (!compressed) {
    decode(bytes);
    return;
  }
  const encoding = first(headers['grpc-encoding']) ?? 'identity';
  const inflateWith = encoding === 'gzip' ? gunzip : encoding === 'deflate' ? inflate : null;
  if (inflateWith === null) {
    endWithStatus(stream, STATUS.UNIMPLEMENTED, `Received message compressed with unsupported encoding "${encoding}"`);
    return;
  }
  inflateWith(bytes, { maxOutputLength: opts.maxMessageBytes }, (e, raw) => {
    if (e !== null) endWithStatus(stream, (e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' ? STATUS.RESOURCE_EXHAUSTED : STATUS.INTERNAL, `Received message that could not be decompressed: ${e.message}`);
    else decode(raw);
  });
}

/** One reply message and OK trailers (nothing once the client has cancelled). */
function sendReply(stream: http2.ServerHttp2Stream, method: ServedMethod, reply: unknown): void {
  if (stream.destroyed || stream.closed) return;
  const body = orInternal(stream, 'serializing response', () => method.serialize(reply));
  if (body === null) return;
  stream.respond(RESPONSE_HEADERS, { waitForTrailers: true });
  stream.once('wantTrailers', () => stream.sendTrailers(OK_TRAILERS));
  if (body.length <= SMALL_REPLY_BYTES) {
    const framed = Buffer.allocUnsafe(5 + body.length);
    framed[0] = 0;
    framed.writeUInt32BE(body.length, 1);
    body.copy(framed, 5);
    stream.end(framed);
    return;
  }
  const prefix = Buffer.allocUnsafe(5);
  prefix[0] = 0;
  prefix.writeUInt32BE(body.length, 1);
  stream.write(prefix);
  stream.end(body);
}

/** Replies up to this size are copied behind their prefix (one write); larger ones are written after it. */
const SMALL_REPLY_BYTES = 64 * 1024;

/**
 * A status without a message: headers that end the stream ("trailers-only"; a reply's headers are
 * only sent with its message). A client still sending (a request over the limit) is then told to
 * stop with RST_STREAM NO_ERROR, as the gRPC spec allows after the status.
 */
function endWithStatus(stream: http2.ServerHttp2Stream, code: number, details: string): void {
  if (stream.destroyed || stream.closed || stream.headersSent) return;
  stream.respond({ ...RESPONSE_HEADERS, 'grpc-status': String(code), 'grpc-message': encodeURI(details) }, { endStream: true });
  if (!stream.readableEnded) stream.close(http2.constants.NGHTTP2_NO_ERROR);
}
