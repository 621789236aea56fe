/**
 * `--role query` (issue #14): a read-only query node. It holds no lease and never writes the
 * catalog, the log or the blobs. It registers in etcd (role `query`), follows the writer's catalog
 * and log (follower.ts) with read-only ports (storage/dist/follower-ports.ts), loads the replicas
 * placed on it (sealed segments and indexes from S3 through its disk cache) and serves reads with
 * the consistency level asked (consistency.ts). Writes and DDL are refused with code 1 (not ready,
 * retriable), naming the writer.
 */
import * as path from 'node:path';
import { Etcd3 } from 'etcd3';
import { limits } from '../core/limits.js';
import { configureWasm } from '../index/wasm/settings.js';
import { SextantService } from '../service/service.js';
import { EtcdCatalogStore } from '../storage/dist/etcd-catalog.js';
import { EtcdRbacStore } from '../storage/dist/etcd-rbac.js';
import { EtcdLeaseProvider } from '../storage/dist/etcd-lease.js';
import { registerNode } from '../storage/dist/etcd-nodes.js';
import { followerPorts, FollowerLog } from '../storage/dist/follower-ports.js';
import { NatsLog } from '../storage/dist/nats-log.js';
import { S3BlobStore } from '../storage/dist/s3-blobs.js';
import { liveNodesByGroup } from '../service/cluster.js';
import { checkBody } from '../service/resource-groups/catalog.js';
import { EtcdResourceGroupStore } from '../storage/dist/etcd-resource-groups.js';
import { followingService } from './consistency.js';
import { Follower, type Placed } from './follower.js';
import { EtcdQueryNodes } from './query-cluster.js';
import type { DistributedOptions, EngineSettings, MainOptions } from './options.js';

const CACHE_BYTES = 1024 * 1024 * 1024;
/**
 * The follow loop's period when no read waits (a waiting read starts a step at once). Bounded reads
 * (5 s) never wait at this period; an idle node spent ~51 ms CPU per second at 100 ms (shared machine).
 */
const STEP_MS = 250;
/** How often users, roles and grants are read again from etcd. */
const RBAC_POLL_MS = 1000;

export interface QueryNode {
  service: SextantService;
  follower: Follower;
  close(): Promise<void>;
}

async function openBlobs(opts: MainOptions, d: DistributedOptions): Promise<S3BlobStore> {
  return S3BlobStore.open({
    ...(d.s3Endpoint !== undefined ? { endpoint: d.s3Endpoint } : {}),
    region: d.s3Region, bucket: d.s3Bucket, prefix: `${d.cluster}/`,
    ...(d.accessKeyId !== undefined ? { accessKeyId: d.accessKeyId } : {}),
    ...(d.secretAccessKey !== undefined ? { secretAccessKey: d.secretAccessKey } : {}),
    stagingDir: path.join(opts.dataDir, 'staging'), cacheDir: path.join(opts.dataDir, 'cache'), cacheBytes: CACHE_BYTES,
  });
}

/** The replicas and the live query nodes of each resource group, as the writer recorded them in etcd. */
async function placement(view: EtcdQueryNodes, groups: EtcdResourceGroupStore): Promise<Placed> {
  const doc = await groups.read();
  const recorded = doc === null ? [] : checkBody(doc, 'the resource groups in etcd').groups;
  return { replicas: await view.replicas(), nodesByGroup: liveNodesByGroup(recorded, await view.queryNodes(), (id) => view.numericId(id)) };
}

/** Register, open the read-only ports, follow the data set; the caller serves `service`. */
export async function startQueryNode(opts: MainOptions & EngineSettings, d: DistributedOptions, warn: (line: string) => void): Promise<QueryNode> {
  if (opts.wasm !== undefined) configureWasm(opts.wasm);
  const client = new Etcd3({ hosts: d.etcd });
  const closers: (() => Promise<void>)[] = [async () => client.close()];
  const closeAll = async () => { for (const c of closers.reverse()) await c().catch(() => undefined); };
  try {
    const registration = await registerNode(client, {
      id: d.nodeId, endpoint: `${opts.host}:${opts.port}`, role: 'query', ...(d.resourceGroup !== undefined ? { resourceGroup: d.resourceGroup } : {}),
    }, { ttlSec: d.leaseTtlSec });
    closers.push(() => registration.unregister());
    const owners = new EtcdLeaseProvider(client, { ttlSec: d.leaseTtlSec, pollMs: 1000, holder: d.nodeId });
    let writer = (await owners.owner(d.cluster)).holder;
    let writerAtMs = Date.now();
    const reason = () => `query node ${d.nodeId} is read-only: writes and DDL are served by the writer ${writer || 'that holds the lease'}`;
    const nats = await NatsLog.connect(d.nats, { stream: `sextant_${d.cluster}`, replicas: Math.min(3, d.nats.length) });
    closers.push(() => nats.close());
    const log = new FollowerLog(nats, () => new Error(reason()));
    const blobs = await openBlobs(opts, d);
    const catalog = new EtcdCatalogStore(client, { name: d.cluster });
    const view = new EtcdQueryNodes(client, d.cluster);
    const reporter = view.placement.reporter(d.nodeId, d.leaseTtlSec);
    const groups = new EtcdResourceGroupStore(client, d.cluster);
    closers.push(() => reporter.close());
    const follower = await Follower.start({
      selfId: d.nodeId, log, stepMs: STEP_MS, placementMs: 1000, closeDelayMs: 5000, warn, note: warn,
      catalogVersion: async () => {
        if (Date.now() - writerAtMs >= 1000) {
          writer = (await owners.owner(d.cluster)).holder;
          writerAtMs = Date.now();
        }
        return catalog.version();
      },
      open: async (loads) => {
        const ports = followerPorts({ log, catalog, blobs, rbac: new EtcdRbacStore(client, d.cluster, null), resourceGroups: groups }, reason);
        const service = await SextantService.open({
          dataDir: opts.dataDir, ports, follower: { reason: reason(), loads },
          ...(opts.memoryBudgetBytes !== undefined ? { memoryBudgetBytes: opts.memoryBudgetBytes } : {}),
          ...(opts.searchThreads !== undefined ? { searchThreads: opts.searchThreads } : {}),
          yieldLoneSearches: true, queryNodes: view,
          auth: { enabled: opts.auth, ...(opts.rootPassword !== undefined ? { rootPassword: opts.rootPassword } : {}) },
        });
        return { service, version: ports.catalog.loadedVersion };
      },
      readCatalog: () => catalog.load(),
      placement: () => placement(view, groups),
      report: (r) => reporter.report(r),
    });
    closers.push(() => follower.close());
    // Users, roles and grants are the writer's (in etcd): read again every second.
    const rbacPoll = setInterval(() => {
      follower.current.access.catalog.refresh().catch((e: unknown) => warn(`reading the access-control catalog failed (retried): ${String(e)}`));
    }, RBAC_POLL_MS);
    closers.push(async () => clearInterval(rbacPoll));
    const service = followingService(follower, { gracefulTimeMs: 5000, waitMs: limits.consistencyWaitMs });
    return { service, follower, close: closeAll };
  } catch (e) {
    await closeAll();
    throw e;
  }
}
