/**
 * A child process holding a data set's lease in etcd, driven by the fencing tests through stdin:
 * `commit <expectedVersion> <text>` tries a catalog commit, `tso <n>` hands out n timestamps. Every
 * event is printed as one JSON line: held, lost, commit (ok or the error), tso (the last timestamp).
 * argv: etcd endpoint, data set name, lease TTL in seconds.
 */
import { createInterface } from 'node:readline';
import { Etcd3 } from 'etcd3';
import { EtcdLeaseProvider } from '../../src/storage/dist/etcd-lease.js';
import { EtcdCatalogStore } from '../../src/storage/dist/etcd-catalog.js';
import { EtcdTso } from '../../src/storage/dist/etcd-tso.js';

const [endpoint, name, ttl] = process.argv.slice(2);
if (endpoint === undefined || name === undefined) throw new Error('usage: lease-holder <etcd> <name> [ttlSec]');
const say = (doc: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(doc, (_k, v: unknown) => typeof v === 'bigint' ? v.toString() : v)}\n`);

const client = new Etcd3({ hosts: endpoint });
const lease = await new EtcdLeaseProvider(client, { ttlSec: Number(ttl ?? 2), pollMs: 100, holder: `child-${process.pid}` }).campaign(name);
const catalog = new EtcdCatalogStore(client, { name });
const tso = await EtcdTso.open(client, lease, { name });
void lease.lost.then(() => say({ event: 'lost' }));
say({ event: 'held', token: lease.token });

for await (const line of createInterface({ input: process.stdin })) {
  const [cmd, arg, text] = line.split(' ');
  if (cmd === 'commit') {
    try {
      const version = await catalog.commit(BigInt(arg ?? '0'), new TextEncoder().encode(text ?? ''), lease);
      say({ event: 'commit', ok: true, version, held: lease.held });
    } catch (e) {
      say({ event: 'commit', ok: false, error: e instanceof Error ? e.message : String(e), held: lease.held });
    }
  } else if (cmd === 'tso') {
    let last = 0n;
    try {
      for (let i = 0; i < Number(arg ?? '1'); i++) last = tso.next();
      say({ event: 'tso', ok: true, last });
    } catch (e) {
      say({ event: 'tso', ok: false, last, error: e instanceof Error ? e.message : String(e) });
    }
  } else if (cmd === 'exit') {
    break;
  }
}
tso.close();
client.close();
