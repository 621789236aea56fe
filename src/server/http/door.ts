/**
 * A "door" is one HTTP surface (health, metrics, REST v2, /api/v1) that a port serves. The
 * dispatcher (dispatch.ts) reads the body, picks the first door whose prefix matches, and writes
 * what the door answers. A door never throws: errors become answers in its own shape.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { MilvusError } from '../../core/errors.js';

export interface HttpCall {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The client's address (the key of the failed-login limit); absent in tests that build calls. */
  source?: string;
}

export interface HttpAnswer {
  status: number;
  contentType: string;
  text: string;
  /** For metrics: the endpoint name (a route key, never the raw path) and the Milvus code. */
  endpoint: string;
  code: number;
  /** Extra response headers (cache, content security policy). */
  headers?: Readonly<Record<string, string>>;
  /** The body as bytes, sent instead of `text` (static files). */
  bytes?: Buffer;
}

export interface HttpDoor {
  /** Metrics label of the transport. */
  readonly transport: string;
  matches(path: string): boolean;
  answer(call: HttpCall): Promise<HttpAnswer>;
  /** The door's answer to a request it could not even read (oversized body, bug). */
  fail(call: HttpCall, e: MilvusError): HttpAnswer;
}

export const JSON_TYPE = 'application/json; charset=utf-8';
