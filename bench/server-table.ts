/** The server suite's table: one row per (operation, client, concurrency), the index's own figures first. */
import type { ServerResult, ServerRow } from './server.js';
import { table, type Table } from './table.js';

const OP_LABEL: Record<ServerRow['op'], string> = { unary: 'HasCollection', search: 'search nq=1 top-10', insert: 'insert' };
const CLIENT_LABEL: Record<ServerRow['client'], string> = { bare: 'gRPC bare', sdk: 'gRPC SDK', http: 'REST v2 bare' };

function per(total: number, n: number): number | null {
  return n > 0 ? total / n : null;
}

export function serverTables(r: ServerResult): Table[] {
  const t = table(`Server process, client in another process (${r.dataset.name}, HNSW M16 ef 64, loopback)`, [
    'operation', 'client', 'conc', 'requests', 'server CPU ms/req', 'main thread ms/req', 'client CPU ms/req',
    'p50 ms', 'p99 ms', 'req/s', 'server cores', '/ index 2t',
  ]);
  const ix = r.index;
  t.rows.push([`index alone ${ix.indexType} ef 64 (recall ${ix.recallAt10.toFixed(3)})`, 'in-process', 1, null, 1000 / ix.qps1, 1000 / ix.qps1, null, null, null, ix.qps1, 1, ix.qps1 / ix.qps2]);
  t.rows.push([`index alone ${ix.indexType} ef 64, batch on 2 threads`, 'in-process', 2, null, 2000 / ix.qps2, null, null, null, null, ix.qps2, 2, 1]);
  for (const row of r.rows) {
    const rate = row.wallMs > 0 ? (row.requests * 1000) / row.wallMs : 0;
    const op = row.op === 'insert' ? `${OP_LABEL.insert} ${r.insertRows} x ${r.dataset.dim}` : OP_LABEL[row.op];
    t.rows.push([
      op, CLIENT_LABEL[row.client], row.concurrency, row.requests,
      per(row.serverCpuMs, row.requests), per(row.serverMainCpuMs, row.requests), per(row.clientCpuMs, row.requests),
      row.p50Ms, row.p99Ms, rate, row.wallMs > 0 ? row.serverCpuMs / row.wallMs : null,
      row.op === 'search' ? rate / ix.qps2 : null,
    ]);
  }
  t.notes.push('server CPU: utime+stime of the whole server process (/proc/<pid>/stat, 10 ms ticks) over the timed run / requests; main thread: its event-loop thread only (/proc/<pid>/task/<pid>/schedstat, ns).');
  t.notes.push('bare clients send pre-encoded bytes (grpc-js Client with identity serializers; node:http keep-alive for REST); the SDK encodes and decodes in the client process.');
  t.notes.push('conc = requests kept in flight on one connection (REST: one keep-alive socket each); server cores = server CPU / wall time.');
  t.notes.push('index alone: the same data and build params, searched in this process (1 thread nq=1; 2 threads: one batch on the engine\'s pool).');
  if (r.rows.some((x) => x.errors > 0)) t.notes.push(`errors: ${r.rows.filter((x) => x.errors > 0).map((x) => `${x.client} ${x.op} x${x.concurrency}: ${x.errors}`).join(', ')}`);
  return [t];
}
