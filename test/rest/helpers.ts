/** Start the real server (the function main.ts uses) on free ports over a temp data dir, and talk HTTP to it. */
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SextantService } from '../../src/service/service.js';
import { startSextantServer, type RunningSextantServer } from '../../src/server/http/server.js';

export interface RestHarness {
  server: RunningSextantServer;
  dataDir: string;
  unexpected: string[];
  /** POST /v2/vectordb/<path> with a JSON body; returns the parsed reply and the raw text. */
  v2(path: string, body?: unknown, headers?: Record<string, string>): Promise<V2Reply>;
  /** Any method on the http port (GET and DELETE with a body, as old clients send them). */
  v1(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown>; text: string }>;
  baseUrl: string;
  httpUrl: string;
  /** Close the server and the service; `keepData` leaves the directory for a restart. */
  stop(keepData?: boolean): Promise<void>;
}

export interface V2Reply {
  status: number;
  code: number;
  data: unknown;
  message: string | undefined;
  body: Record<string, unknown>;
  text: string;
}

export async function newDataDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'sextant-rest-'));
}

/** A plain node:http request (fetch refuses GET with a body). */
export function rawRequest(url: string, method: string, body: string | Buffer | undefined, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: { ...headers, ...(body !== undefined ? { 'Content-Length': String(Buffer.byteLength(body)) } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function asObject(v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`expected a JSON object, got ${JSON.stringify(v)}`);
  return v as Record<string, unknown>;
}

export async function startRest(opts: { dataDir?: string; maxHttpBodyBytes?: number; importRoot?: string } = {}): Promise<RestHarness> {
  const dataDir = opts.dataDir ?? await newDataDir();
  const service = await SextantService.open({ dataDir, ...(opts.importRoot !== undefined ? { import: { root: opts.importRoot } } : {}) });
  const unexpected: string[] = [];
  const server = await startSextantServer(service, {
    host: '127.0.0.1', port: 0, httpPort: 0, maxMessageBytes: 64 << 20, maxHttpBodyBytes: opts.maxHttpBodyBytes ?? 64 << 20,
    engine: service.engine, shutdownGraceMs: 1000,
    onUnexpectedError: (where, e) => unexpected.push(`${where}: ${e instanceof Error ? e.stack ?? e.message : String(e)}`),
  });
  const baseUrl = `http://127.0.0.1:${server.port}`;
  const httpUrl = `http://127.0.0.1:${server.httpPort}`;
  return {
    server, dataDir, unexpected, baseUrl, httpUrl,
    v2: async (path, body = {}, headers = {}) => {
      const res = await fetch(`${baseUrl}/v2/vectordb/${path}`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers });
      const text = await res.text();
      const parsed = asObject(JSON.parse(text));
      return {
        status: res.status, code: Number(parsed['code']), data: parsed['data'], body: parsed, text,
        message: typeof parsed['message'] === 'string' ? parsed['message'] : undefined,
      };
    },
    v1: async (method, path, body) => {
      const r = await rawRequest(`${httpUrl}/api/v1/${path}`, method, body === undefined ? undefined : JSON.stringify(body));
      return { status: r.status, json: asObject(JSON.parse(r.text)), text: r.text };
    },
    stop: async (keepData = false) => {
      await server.close();
      await service.close();
      if (!keepData) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Fail with the reply when it is not `{code: 0}`. */
export function okData(r: V2Reply): unknown {
  if (r.code !== 0 || r.status !== 200) throw new Error(`expected success, got HTTP ${r.status}: ${r.text}`);
  return r.data;
}

export function rows(r: V2Reply): Record<string, unknown>[] {
  const d = okData(r);
  if (!Array.isArray(d)) throw new Error(`expected a list, got ${r.text}`);
  return d as Record<string, unknown>[];
}
