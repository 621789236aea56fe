/**
 * The whole server of `npm start`: one listener on `port` that sniffs each connection's first
 * bytes and hands HTTP/2 (gRPC, preface `PRI * HTTP/2.0`) to grpc-js and everything else to the
 * HTTP/1.1 REST v2 router (after ALPN when on TLS); a second listener on `httpPort` for /healthz,
 * /metrics, /api/v1 and the web console (TLS too with `httpTls`): `/webui/` serves its files and
 * `/v2/vectordb/` the same REST v2 door as the main port, so the page calls its own origin (no CORS).
 * Each instance has its own metrics registry and authenticator; nothing is global.
 */
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Engine } from '../../engine/engine.js';
import type { MilvusApi } from '../../service/api.js';
import { createGrpcConnectionHandler, trackSockets, type GrpcConnectionHandler, type GrpcTransport } from '../grpc/server.js';
import { Authenticator } from '../auth/authenticator.js';
import { v1Door } from '../rest/v1/door.js';
import { v2Door } from '../rest/v2/door.js';
import { createDispatcher } from './dispatch.js';
import type { HttpDoor } from './door.js';
import { healthDoor } from './health.js';
import { metricsDoor } from './metrics-door.js';
import { ServerMetrics } from './metrics.js';
import { webuiDoor } from './webui-door.js';

/** Where `npm run build` writes the console: dist/webui, from dist/src/server/http/. */
const BUILT_WEBUI_DIR = fileURLToPath(new URL('../../../webui/', import.meta.url));

export interface SextantServerOptions {
  host: string;
  /** gRPC + REST v2 (0 picks a free port). */
  port: number;
  /** /healthz, /metrics, /api/v1 (0 picks a free port). */
  httpPort: number;
  /** Largest gRPC message. */
  maxMessageBytes: number;
  /** What carries gRPC calls (`http2` by default; grpc/server.ts GrpcServerOptions.transport). */
  grpcTransport?: GrpcTransport;
  /** Largest HTTP request body; larger ones get a JSON error (code 1102). */
  maxHttpBodyBytes: number;
  /** For engine gauges in /metrics (rows, bytes, loaded memory, segments, WAL). */
  engine?: Engine;
  /**
   * TLS on the main port (`--tls-mode 1|2`): 1 one-way, 2 mutual (client certificates required and
   * verified against `ca`, TLS 1.3 minimum). ALPN tells gRPC (`h2`) from REST v2 (`http/1.1`).
   */
  tls?: ServerTls;
  /**
   * `--http-tls`: the `httpPort` listener (/healthz, /metrics, /api/v1) on TLS too, with the same
   * certificate and, in mode 2, the same client-certificate requirement. Needs `tls`.
   */
  httpTls?: boolean;
  /** With auth on, /metrics needs credentials too (`--metrics-auth`); open by default. */
  metricsAuth?: boolean;
  /** int64 as JSON numbers when a REST v2 request has no Accept-Type-Allow-Int64 header. */
  int64AsNumberByDefault?: boolean;
  /** Errors that are not MilvusErrors (bugs), after they were answered as 65535. */
  onUnexpectedError?: (where: string, e: unknown) => void;
  /** How long close() lets in-flight calls finish before cutting connections. */
  shutdownGraceMs?: number;
  /**
   * A connection that has not sent its first bytes, or (HTTP/1.1) the whole head of its next
   * request, this long after it connected or after its previous answer is closed (default 60 s,
   * Node's headersTimeout): idle and slow sockets cannot pile up without bound.
   */
  headersTimeoutMs?: number;
  /** The built web console served at /webui/ on `httpPort` (default dist/webui). */
  webuiDir?: string;
}

export interface ServerTls { mode: 1 | 2; cert: Buffer; key: Buffer; ca?: Buffer }

/**
 * ALPN on the main port: `http/1.1` whenever the client offers it (curl, browsers and HTTP libraries
 * offer h2 and http/1.1, and REST v2 is HTTP/1.1), else `h2` (gRPC clients offer only h2, or
 * grpc-exp and h2). A client offering neither is refused (no_application_protocol alert); one that
 * sends no ALPN at all (Node's https, openssl s_client) is served as HTTP/1.1.
 */
function mainAlpn({ protocols }: { protocols: string[] }): string | undefined {
  if (protocols.includes('http/1.1')) return 'http/1.1';
  return protocols.includes('h2') ? 'h2' : undefined;
}

/** Node TLS options for `--tls-mode`: mode 2 requires and verifies client certificates (TLS 1.3 minimum). */
function tlsOptions(t: ServerTls, alpn: Pick<tls.TlsOptions, 'ALPNProtocols' | 'ALPNCallback'>): tls.TlsOptions {
  return {
    cert: t.cert, key: t.key, ...alpn,
    ...(t.mode === 2 ? { ca: t.ca, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3' as const } : {}),
  };
}

/** A TLS listener handing each connection, after the handshake, to `route` (refused handshakes end there). */
function tlsListener(options: tls.TlsOptions, route: (socket: tls.TLSSocket) => void): net.Server {
  const server = tls.createServer(options, (socket) => {
    socket.on('error', () => undefined);
    route(socket);
  });
  server.on('tlsClientError', () => undefined);
  return server;
}

/** The main port on TLS: ALPN `h2` goes to gRPC, anything else to REST v2. */
function mainTlsListener(t: ServerTls, grpcHandler: GrpcConnectionHandler, rest: http.Server): net.Server {
  return tlsListener(tlsOptions(t, { ALPNCallback: mainAlpn }), (socket) => {
    if (socket.alpnProtocol === 'h2') grpcHandler.handleConnection(socket);
    else rest.emit('connection', socket);
  });
}

/** The http port: plain, or (`httpTls`) TLS handing HTTP/1.1 connections to the same server. */
function mgmtListener(opts: SextantServerOptions, mgmt: http.Server): net.Server {
  if (opts.httpTls !== true) return mgmt;
  if (opts.tls === undefined) throw new Error('--http-tls needs --tls-mode 1 or 2 (it serves the same certificate)');
  return tlsListener(tlsOptions(opts.tls, { ALPNProtocols: ['http/1.1'] }), (socket) => mgmt.emit('connection', socket));
}

export interface RunningSextantServer {
  port: number;
  httpPort: number;
  metrics: ServerMetrics;
  close(): Promise<void>;
}

const PREFACE_PEEK_BYTES = 4;
const HEADERS_TIMEOUT_MS = 60_000;
/** How often HTTP/1.1 sockets are checked against their deadline. */
const SWEEP_MS = 1_000;

/** Paused-mode peek at the first bytes; put them back and route the socket (or close it at `timeoutMs`). */
function routeSocket(socket: net.Socket, grpcHandler: GrpcConnectionHandler, rest: http.Server, timeoutMs: number): void {
  socket.on('error', () => undefined); // a reset before routing must not crash the process
  const timer = setTimeout(() => socket.destroy(), timeoutMs);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  const route = (): void => {
    const first = socket.read(PREFACE_PEEK_BYTES) as Buffer | null;
    if (first === null) {
      if (socket.readableEnded) socket.destroy();
      else socket.once('readable', route);
      return;
    }
    clearTimeout(timer);
    socket.unshift(first);
    if (first.toString('latin1') === 'PRI ') grpcHandler.handleConnection(socket);
    else rest.emit('connection', socket);
  };
  socket.once('readable', route);
}

interface TrackedHttpServer {
  server: http.Server;
  inFlight(): number;
  /** Destroy every connection (http.Server's closeAllConnections only tracks servers that listen themselves). */
  destroyAll(): void;
}

/** A socket's requests in flight and, when it has none, the time (performance.now) by which its next request head must be in. */
interface SocketState { inFlight: number; deadlineMs: number }

/**
 * An http.Server that counts requests in flight and tracks its sockets, closing those that do not
 * deliver a request head within `headersTimeoutMs` (Node enforces its own headersTimeout only on
 * servers that listen themselves, and the main port's REST sockets are handed over).
 */
function httpServer(handler: http.RequestListener, headersTimeoutMs: number): TrackedHttpServer {
  let n = 0;
  const sockets = new Map<Duplex, SocketState>();
  const server = http.createServer((req, res) => {
    n++;
    const state = sockets.get(req.socket);
    if (state !== undefined) state.inFlight++;
    res.once('close', () => {
      n--;
      if (state !== undefined && --state.inFlight === 0) state.deadlineMs = performance.now() + headersTimeoutMs;
    });
    handler(req, res);
  });
  server.on('connection', (socket: Duplex) => {
    sockets.set(socket, { inFlight: 0, deadlineMs: performance.now() + headersTimeoutMs });
    socket.once('close', () => sockets.delete(socket));
  });
  const sweep = setInterval(() => {
    const now = performance.now();
    for (const [socket, st] of sockets) if (st.inFlight === 0 && st.deadlineMs < now) socket.destroy();
  }, Math.min(SWEEP_MS, headersTimeoutMs));
  sweep.unref();
  server.once('close', () => clearInterval(sweep));
  server.on('clientError', (_e, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"code":1801,"message":"bad HTTP request"}');
    else socket.destroy();
  });
  return {
    server,
    inFlight: () => n,
    destroyAll: () => {
      clearInterval(sweep);
      for (const socket of sockets.keys()) socket.destroy();
    },
  };
}

function listen(server: net.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const a = server.address();
      resolve(typeof a === 'object' && a !== null ? a.port : port);
    });
  });
}

export async function startSextantServer(api: MilvusApi, opts: SextantServerOptions): Promise<RunningSextantServer> {
  const metrics = new ServerMetrics(opts.engine, api.version());
  const auth = new Authenticator(api);
  const onUnexpectedError = opts.onUnexpectedError;
  const grpcHandler = createGrpcConnectionHandler(api, {
    host: opts.host, port: opts.port, maxMessageBytes: opts.maxMessageBytes,
    ...(opts.grpcTransport !== undefined ? { transport: opts.grpcTransport } : {}),
    onUnexpectedError: (rpc, e) => onUnexpectedError?.(`gRPC ${rpc}`, e),
    onCall: (rpc, ms, code) => metrics.observe('grpc', rpc, ms, code),
    authenticator: auth,
  });
  const dispatch = (doors: HttpDoor[]): http.RequestListener => createDispatcher({ doors, maxBodyBytes: opts.maxHttpBodyBytes, metrics, ...(onUnexpectedError ? { onUnexpectedError } : {}) });
  const doorOpts = onUnexpectedError ? { onUnexpectedError } : {};
  const headersTimeoutMs = opts.headersTimeoutMs ?? HEADERS_TIMEOUT_MS;
  const v2 = v2Door({ api, auth, int64AsNumberByDefault: opts.int64AsNumberByDefault ?? false, ...doorOpts });
  const rest = httpServer(dispatch([healthDoor(api), v2]), headersTimeoutMs);
  const mgmt = httpServer(dispatch([
    healthDoor(api), metricsDoor(metrics, opts.metricsAuth === true ? auth : undefined), v1Door({ api, auth, ...doorOpts }), v2,
    webuiDoor(opts.webuiDir ?? BUILT_WEBUI_DIR),
  ]), headersTimeoutMs);
  const httpListener = mgmtListener(opts, mgmt.server);
  const main = opts.tls !== undefined
    ? mainTlsListener(opts.tls, grpcHandler, rest.server)
    : net.createServer({ noDelay: true }, (socket) => routeSocket(socket, grpcHandler, rest.server, headersTimeoutMs));
  const destroyLeftovers = [trackSockets(main), trackSockets(httpListener)];
  const port = await listen(main, opts.port, opts.host);
  let httpPort: number;
  try {
    httpPort = await listen(httpListener, opts.httpPort, opts.host);
  } catch (e) {
    await new Promise<void>((r) => main.close(() => r()));
    await grpcHandler.drain(0);
    throw e;
  }
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= shutdown({ main, grpcHandler, rest, mgmt, httpListener, destroyLeftovers }, opts.shutdownGraceMs ?? 5_000).finally(() => metrics.close());
    return closing;
  };
  return { port, httpPort, metrics, close };
}

interface Parts {
  main: net.Server;
  grpcHandler: GrpcConnectionHandler;
  rest: TrackedHttpServer;
  mgmt: TrackedHttpServer;
  /** mgmt.server itself, or the TLS listener in front of it. */
  httpListener: net.Server;
  destroyLeftovers: (() => void)[];
}

/** Stop accepting, let in-flight calls finish (bounded by graceMs), then cut what is left. */
async function shutdown(p: Parts, graceMs: number): Promise<void> {
  const mainClosed = new Promise<void>((r) => p.main.close(() => r()));
  const mgmtClosed = new Promise<void>((r) => p.httpListener.close(() => r()));
  p.rest.server.closeIdleConnections();
  p.mgmt.server.closeIdleConnections();
  const deadline = Date.now() + graceMs;
  await p.grpcHandler.drain(graceMs);
  while ((p.rest.inFlight() > 0 || p.mgmt.inFlight() > 0) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
  p.rest.destroyAll();
  p.mgmt.destroyAll();
  for (const destroy of p.destroyLeftovers) destroy();
  await Promise.all([mainClosed, mgmtClosed]);
}
