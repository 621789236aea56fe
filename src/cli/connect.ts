/**
 * Open a backend: `--data DIR [-t user:password] [-d DB]` (embedded) or `-uri URI [-t TOKEN] [-d DB]`
 * (remote). A remote target without -t takes its token from SEXTANT_TOKEN, so a password need not
 * appear on a command line (`ps`, shell history); the embedded one does not, since without a token
 * it runs as root and a token there switches authorization on.
 */
import type { Backend } from './backend.js';
import { EmbeddedBackend } from './embedded.js';

export const TOKEN_ENV = 'SEXTANT_TOKEN';

export type Target =
  | { kind: 'embedded'; dataDir: string; token?: string | undefined; database?: string | undefined }
  | { kind: 'remote'; uri: string; token?: string | undefined; database?: string | undefined };

function envToken(): string | undefined {
  const t = process.env[TOKEN_ENV];
  return t !== undefined && t !== '' ? t : undefined;
}

export async function openBackend(t: Target): Promise<Backend> {
  if (t.kind === 'remote') {
    // Loaded on demand: the SDK (gRPC, protos) takes longer to import than the embedded engine to open.
    const { RemoteBackend } = await import('./remote.js');
    return RemoteBackend.connect({ ...t, token: t.token ?? envToken() });
  }
  const b = await EmbeddedBackend.open(t.dataDir, t.token);
  if (t.database !== undefined && t.database !== 'default') {
    try { await b.useDatabase(t.database); } catch (e) { await b.close(); throw e; }
  }
  return b;
}
