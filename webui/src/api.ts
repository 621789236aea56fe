/**
 * The console's only ways to the server: REST v2 (`POST /v2/vectordb/...`, answered by the http
 * port itself), `/metrics` and `/healthz`, all on the page's own origin. With auth on, every call
 * carries `Authorization: Bearer user:password`; the credentials live in this tab's sessionStorage.
 */
import { num, obj, str, type Json, type JsonObject } from './json.js';

const CREDENTIALS_KEY = 'sextant.credentials';

/** A REST v2 answer with a non-zero code, or an HTTP failure. */
export class ApiError extends Error {
  constructor(message: string, readonly code: number, readonly status: number) {
    super(message);
  }
  get unauthenticated(): boolean {
    return this.status === 401;
  }
}

let credentials: string | null = sessionStorage.getItem(CREDENTIALS_KEY);

export function signIn(user: string, password: string): void {
  credentials = `${user}:${password}`;
  sessionStorage.setItem(CREDENTIALS_KEY, credentials);
}

export function signOut(): void {
  credentials = null;
  sessionStorage.removeItem(CREDENTIALS_KEY);
}

export function signedInUser(): string | null {
  return credentials === null ? null : credentials.slice(0, credentials.indexOf(':'));
}

function authHeaders(): Record<string, string> {
  return credentials === null ? {} : { Authorization: `Bearer ${credentials}` };
}

/** POST /v2/vectordb/<path>; resolves to `data` of a `{code: 0}` answer, else throws ApiError. */
export async function v2(path: string, body: JsonObject): Promise<Json> {
  const res = await fetch(`/v2/vectordb/${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Accept-Type-Allow-Int64': 'false', ...authHeaders() },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: JsonObject;
  try {
    parsed = obj(JSON.parse(text));
  } catch {
    throw new ApiError(`${path}: HTTP ${res.status}, not JSON`, 0, res.status);
  }
  const code = num(parsed['code'], -1);
  if (res.status >= 400 || code !== 0) {
    throw new ApiError(str(parsed['message'], `HTTP ${res.status}`), code, res.status);
  }
  return parsed['data'] ?? null;
}

/** GET a text endpoint of the http port (/metrics, /healthz). */
export async function getText(path: string): Promise<{ status: number; text: string }> {
  const res = await fetch(path, { headers: authHeaders(), cache: 'no-store' });
  const text = await res.text();
  if (res.status === 401) throw new ApiError(`${path}: sign in needed`, 1800, 401);
  return { status: res.status, text };
}

export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.code > 0 ? `${e.message} (code ${e.code})` : e.message;
  return e instanceof Error ? e.message : String(e);
}
