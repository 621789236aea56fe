/**
 * Distributed mode, first step (issue #14): the five ports on etcd (lease, catalog, timestamps),
 * NATS JetStream (the log) and an S3 API (segments and index files). A node campaigns for the data
 * set's lease; until it owns it, it is a standby: /healthz answers `standby`, every gRPC call fails
 * with UNAVAILABLE (the SDKs retry it) and every REST call with code 1 (not ready), both naming the
 * owner. Once it owns the lease it stops the standby listeners and serves as a single node does.
 */
import { createServer as createHttp, type Server as HttpServer } from 'node:http';
import { createServer as createHttp2, type Http2Server, type ServerHttp2Session } from 'node:http2';
import * as path from 'node:path';
import { Etcd3 } from 'etcd3';
import { EtcdCatalogStore } from '../storage/dist/etcd-catalog.js';
import { EtcdRbacStore } from '../storage/dist/etcd-rbac.js';
import { EtcdLeaseProvider, type EtcdLease } from '../storage/dist/etcd-lease.js';
import { registerNode } from '../storage/dist/etcd-nodes.js';
import { EtcdResourceGroupStore } from '../storage/dist/etcd-resource-groups.js';
import { EtcdTso } from '../storage/dist/etcd-tso.js';
import { NatsLog } from '../storage/dist/nats-log.js';
import { S3BlobStore } from '../storage/dist/s3-blobs.js';
import type { StoragePorts } from '../storage/ports.js';
import type { DistributedOptions, MainOptions } from './options.js';
import { EtcdQueryNodes } from './query-cluster.js';

const CACHE_BYTES = 1024 * 1024 * 1024;

export interface DistributedNode {
  ports: StoragePorts;
  lease: EtcdLease;
  /** Milliseconds this node waited as a standby. */
  waitedMs: number;
  /** The query nodes the load RPCs cover (query-cluster.ts). */
  queryNodes: EtcdQueryNodes;
  close(): Promise<void>;
}

/** Waits (serving the standby answers) until this node owns the data set, then opens its ports. */
export async function becomeOwner(opts: MainOptions, d: DistributedOptions, log: (line: string) => void): Promise<DistributedNode> {
  const client = new Etcd3({ hosts: d.etcd });
  const provider = new EtcdLeaseProvider(client, { ttlSec: d.leaseTtlSec, pollMs: 100, holder: d.nodeId });
  const endpoint = `${opts.host}:${opts.port}`;
  const registration = await registerNode(client, { id: d.nodeId, endpoint, role: 'writer' }, { ttlSec: d.leaseTtlSec });
  const started = Date.now();
  let standby: Standby | null = null;
  if ((await provider.owner(d.cluster)).token !== 0n) {
    standby = await startStandby(opts, async () => (await provider.owner(d.cluster)).holder);
    log(`standby for data set ${d.cluster}, waiting for the lease`);
  }
  try {
    const lease = await provider.campaign(d.cluster);
    const waitedMs = Date.now() - started;
    await standby?.close();
    const ports = await openPorts(client, lease, opts, d);
    return {
      ports, lease, waitedMs, queryNodes: new EtcdQueryNodes(client, d.cluster),
      close: async () => { await registration.unregister().catch(() => undefined); client.close(); },
    };
  } catch (e) {
    await standby?.close();
    await registration.unregister().catch(() => undefined);
    client.close();
    throw e;
  }
}

async function openPorts(client: Etcd3, lease: EtcdLease, opts: MainOptions, d: DistributedOptions): Promise<StoragePorts> {
  const blobs = await S3BlobStore.open({
    ...(d.s3Endpoint !== undefined ? { endpoint: d.s3Endpoint } : {}),
    region: d.s3Region, bucket: d.s3Bucket, prefix: `${d.cluster}/`,
    ...(d.accessKeyId !== undefined ? { accessKeyId: d.accessKeyId } : {}),
    ...(d.secretAccessKey !== undefined ? { secretAccessKey: d.secretAccessKey } : {}),
    stagingDir: path.join(opts.dataDir, 'staging'), cacheDir: path.join(opts.dataDir, 'cache'), cacheBytes: CACHE_BYTES,
  });
  const log = await NatsLog.connect(d.nats, { stream: `sextant_${d.cluster}`, replicas: Math.min(3, d.nats.length), lease });
  const clock = await EtcdTso.open(client, lease, { name: d.cluster });
  return {
    log, catalog: new EtcdCatalogStore(client, { name: d.cluster }), blobs, lease, clock, rbac: new EtcdRbacStore(client, d.cluster, lease),
    resourceGroups: new EtcdResourceGroupStore(client, d.cluster, lease),
  };
}

/** grpc-message: bytes outside printable ASCII, and '%', percent-encoded (the gRPC HTTP/2 spec). */
function grpcMessage(text: string): string {
  return text.replace(/[^\x20-\x24\x26-\x7e]/gu, (c) => encodeURIComponent(c));
}

interface Standby {
  close(): Promise<void>;
}

/** The standby's listeners on the node's two ports; `owner` names the current owner. */
async function startStandby(opts: MainOptions, owner: () => Promise<string>): Promise<Standby> {
  let holder = await owner().catch(() => '');
  const poll = setInterval(() => { void owner().then((h) => { holder = h; }, () => undefined); }, 1000);
  const reason = () => `service not ready: standby node, the data set is served by ${holder || 'another node'}`;
  const main: Http2Server = createHttp2((req, res) => {
    if (String(req.headers['content-type'] ?? '').startsWith('application/grpc')) {
      // Trailers-only answer (one HEADERS frame that ends the stream; headers then an empty DATA
      // frame read as "ended without gRPC status"): UNAVAILABLE is retried by the SDKs.
      res.stream.respond({
        ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '14', 'grpc-message': grpcMessage(reason()),
      }, { endStream: true });
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code: 1, message: reason() }));
  });
  const http: HttpServer = createHttp((req, res) => {
    const healthz = (req.url ?? '').startsWith('/healthz');
    res.writeHead(healthz ? 503 : 200, { 'content-type': healthz ? 'text/plain' : 'application/json' });
    res.end(healthz ? 'standby' : JSON.stringify({ code: 1, message: reason() }));
  });
  const sessions = new Set<ServerHttp2Session>();
  main.on('session', (s) => { sessions.add(s); s.once('close', () => sessions.delete(s)); });
  await new Promise<void>((resolve, reject) => { main.once('error', reject); main.listen(opts.port, opts.host, resolve); });
  await new Promise<void>((resolve, reject) => { http.once('error', reject); http.listen(opts.httpPort, opts.host, resolve); });
  return {
    close: async () => {
      clearInterval(poll);
      for (const s of sessions) s.destroy();
      await Promise.all([
        new Promise<void>((r) => main.close(() => r())),
        new Promise<void>((r) => { http.close(() => r()); http.closeAllConnections(); }),
      ]);
    },
  };
}
