/**
 * Reading credentials off the wire (transports only authenticate; the service authorizes):
 * - gRPC: metadata `authorization` = base64(`user:password`), split at the FIRST `:` (the password
 *   may hold more); a token without `:` is an API key, which Sextant has no way to verify and so
 *   refuses. Failures are UNAUTHENTICATED with Milvus' exact messages.
 * - REST: `Authorization: Basic base64(user:password)` or `Bearer user:password` (raw); every
 *   failure is 401 `{"code":1800,"message":"user hasn't authenticated"}`.
 */
import { AccessError, accessErrors } from '../../core/errors.js';

export interface Credentials { user: string; password: string }

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function decodeBase64(text: string): string | undefined {
  const t = text.trim();
  if (!BASE64.test(t)) return undefined;
  return Buffer.from(t, 'base64').toString('utf8');
}

function splitToken(raw: string): Credentials | undefined {
  const colon = raw.indexOf(':');
  if (colon < 0) return undefined;
  return { user: raw.slice(0, colon), password: raw.slice(colon + 1) };
}

/** Milvus' AuthenticationInterceptor parsing of the gRPC `authorization` metadata value. */
export function grpcCredentials(authorization: string | undefined): Credentials {
  if (authorization === undefined) throw accessErrors.missingAuthorization();
  const raw = decodeBase64(authorization);
  if (raw === undefined) throw accessErrors.invalidTokenFormat();
  const creds = splitToken(raw);
  if (creds === undefined) throw accessErrors.apiKeyRefused();
  return creds;
}

/** REST's one answer to any credential failure. */
export const restUnauthenticated = (): AccessError => new AccessError(16, "user hasn't authenticated");

/** Milvus' REST `authenticate` middleware: Basic, else Bearer `user:password`. */
export function restCredentials(authorization: string | undefined): Credentials {
  const h = authorization?.trim() ?? '';
  let creds: Credentials | undefined;
  if (/^basic /i.test(h)) {
    const raw = decodeBase64(h.slice(6));
    creds = raw === undefined ? undefined : splitToken(raw);
  } else if (/^bearer /i.test(h)) {
    creds = splitToken(h.slice(7).trim());
  }
  if (creds === undefined) throw restUnauthenticated();
  return creds;
}
