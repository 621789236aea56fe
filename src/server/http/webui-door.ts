/**
 * The web console's static files on the http port: `GET /webui/...` from the directory the
 * front-end build wrote (dist/webui, built from webui/ by `npm run build`), and `GET /` as a small
 * page linking to it. The files hold no data (every data call of the page goes to REST v2 with
 * the user's credentials), so they are served without authentication, as the sign-in page is.
 *
 * Only GET and HEAD; only the extensions listed below; a path is decoded once and refused when a
 * segment is empty, `.` or `..`, hidden, or holds a slash, backslash or NUL, so nothing outside the
 * directory can be named. Hashed assets (`/webui/assets/`) are cached for a year; the rest revalidates.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { restErrors } from '../rest/errors.js';
import { JSON_TYPE, type HttpAnswer, type HttpCall, type HttpDoor } from './door.js';

export const WEBUI_PREFIX = '/webui/';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  json: 'application/json; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  ico: 'image/x-icon',
};

/** The page may load only its own files and call only its own origin. */
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
  + "font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const COMMON_HEADERS = { 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' };

const ROOT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sextant</title><link rel="icon" href="data:,"></head>
<body><h1>Sextant</h1><ul>
<li><a href="/webui/">Web console</a></li>
<li><a href="/healthz">/healthz</a></li>
<li><a href="/metrics">/metrics</a></li>
</ul></body></html>
`;

/**
 * The relative file path `path` (under /webui/) names, or undefined when it is not a plain path
 * inside the directory. An empty rest names index.html.
 */
export function webuiFile(path: string): string | undefined {
  if (!path.startsWith(WEBUI_PREFIX)) return undefined;
  const rest = path.slice(WEBUI_PREFIX.length);
  if (rest === '') return 'index.html';
  const segments: string[] = [];
  for (const raw of rest.split('/')) {
    let s: string;
    try {
      s = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (s === '' || s.startsWith('.') || /[/\\\0:]/.test(s)) return undefined;
    segments.push(s);
  }
  const name = segments[segments.length - 1] ?? '';
  const ext = name.slice(name.lastIndexOf('.') + 1);
  if (!name.includes('.') || CONTENT_TYPES[ext] === undefined) return undefined;
  return segments.join('/');
}

/** The dispatcher's 404 (JSON, code 404) for a path the console does not have. */
function notFound(call: HttpCall): HttpAnswer {
  const e = restErrors.notFound(call.method, call.path);
  return { status: 404, contentType: JSON_TYPE, text: JSON.stringify({ code: e.code, message: e.message }), endpoint: 'webui', code: e.code };
}

function only(status: number, text: string, endpoint: string, headers: Record<string, string> = {}): HttpAnswer {
  return { status, contentType: 'text/plain; charset=utf-8', text, endpoint, code: status < 400 ? 0 : status, headers: { ...COMMON_HEADERS, ...headers } };
}

async function fileAnswer(call: HttpCall, dir: string, rel: string): Promise<HttpAnswer> {
  const full = join(dir, rel);
  try {
    if (!(await stat(full)).isFile()) return notFound(call);
    const bytes = await readFile(full);
    const ext = rel.slice(rel.lastIndexOf('.') + 1);
    const cache = rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
    return {
      status: 200, contentType: CONTENT_TYPES[ext] ?? 'application/octet-stream', text: '', bytes, endpoint: 'webui', code: 0,
      headers: { ...COMMON_HEADERS, 'Cache-Control': cache, 'Content-Security-Policy': CSP },
    };
  } catch {
    return notFound(call);
  }
}

/** `dir`: the built console (dist/webui). */
export function webuiDoor(dir: string): HttpDoor {
  return {
    transport: 'webui',
    matches: (path) => path === '/' || path === '/webui' || path.startsWith(WEBUI_PREFIX),
    answer: async (call: HttpCall) => {
      if (call.method !== 'GET' && call.method !== 'HEAD') return only(405, 'method not allowed', 'webui', { Allow: 'GET, HEAD' });
      if (call.path === '/') return { ...only(200, ROOT_PAGE, 'root', { 'Cache-Control': 'no-cache' }), contentType: CONTENT_TYPES['html'] ?? '' };
      if (call.path === '/webui') return only(301, 'moved to /webui/', 'webui', { Location: WEBUI_PREFIX });
      const rel = webuiFile(call.path);
      return rel === undefined ? notFound(call) : fileAnswer(call, dir, rel);
    },
    fail: (call) => notFound(call),
  };
}
