/** The HTTP/1.1 request handler of a port: body limit, door selection, metrics, never a 500. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { toMilvusError } from '../../core/errors.js';
import { restErrors } from '../rest/errors.js';
import { readBody } from './body.js';
import { JSON_TYPE, type HttpAnswer, type HttpCall, type HttpDoor } from './door.js';
import type { ServerMetrics } from './metrics.js';

export interface DispatchOptions {
  doors: readonly HttpDoor[];
  maxBodyBytes: number;
  metrics: ServerMetrics;
  onUnexpectedError?: (where: string, e: unknown) => void;
}

function notFound(call: HttpCall): HttpAnswer {
  const e = restErrors.notFound(call.method, call.path);
  return { status: 404, contentType: JSON_TYPE, text: JSON.stringify({ code: e.code, message: e.message }), endpoint: 'unknown', code: e.code };
}

async function answerOf(opts: DispatchOptions, req: IncomingMessage, startMs: number): Promise<{ answer: HttpAnswer; transport: string }> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const body = await readBody(req, opts.maxBodyBytes);
  const call: HttpCall = {
    method: (req.method ?? 'GET').toUpperCase(), path: url.pathname, query: url.searchParams, headers: req.headers,
    body: body.kind === 'ok' ? body.bytes : Buffer.alloc(0), source: req.socket.remoteAddress ?? '',
  };
  const door = opts.doors.find((d) => d.matches(call.path));
  if (door === undefined) return { answer: notFound(call), transport: 'http' };
  if (body.kind === 'tooLarge') return { answer: door.fail(call, restErrors.bodyTooLarge(opts.maxBodyBytes, body.sizeBytes)), transport: door.transport };
  try {
    return { answer: await door.answer(call), transport: door.transport };
  } catch (e) {
    opts.onUnexpectedError?.(`${call.method} ${call.path} (${Math.round(performance.now() - startMs)} ms)`, e);
    return { answer: door.fail(call, toMilvusError(e)), transport: door.transport };
  }
}

export function createDispatcher(opts: DispatchOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const startMs = performance.now();
    answerOf(opts, req, startMs).then(({ answer, transport }) => {
      opts.metrics.observe(transport, answer.endpoint, performance.now() - startMs, answer.code);
      if (res.writableEnded || res.destroyed) return;
      const body = answer.bytes ?? answer.text;
      res.writeHead(answer.status, { ...answer.headers, 'Content-Type': answer.contentType, 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    }, (e: unknown) => {
      opts.onUnexpectedError?.('http dispatcher', e);
      if (!res.headersSent) res.writeHead(200, { 'Content-Type': JSON_TYPE });
      res.end(JSON.stringify({ code: 65535, message: 'unexpected error' }));
    });
  };
}
