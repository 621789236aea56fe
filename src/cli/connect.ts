/** Open a backend: `--data DIR` (embedded) or `-uri URI [-t TOKEN] [-d DB]` (remote). */
import type { Backend } from './backend.js';
import { EmbeddedBackend } from './embedded.js';

export type Target = { kind: 'embedded'; dataDir: string; database?: string | undefined } | { kind: 'remote'; uri: string; token?: string | undefined; database?: string | undefined };

export async function openBackend(t: Target): Promise<Backend> {
  if (t.kind === 'remote') {
    // Loaded on demand: the SDK (gRPC, protos) takes longer to import than the embedded engine to open.
    const { RemoteBackend } = await import('./remote.js');
    return RemoteBackend.connect(t);
  }
  const b = await EmbeddedBackend.open(t.dataDir);
  if (t.database !== undefined && t.database !== 'default') {
    try { await b.useDatabase(t.database); } catch (e) { await b.close(); throw e; }
  }
  return b;
}
