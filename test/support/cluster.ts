/**
 * A throwaway distributed back end on loopback for tests and benches: one etcd, a JetStream cluster of
 * 1 or 3 nats-servers (routes on loopback) and s3rver, each a child process on free ports in a temp
 * dir. Each process can be killed (-9), paused (SIGSTOP), resumed and restarted on the same ports and
 * data; `close()` kills everything and removes the directory, and a process exit does the same.
 * Every wait is bounded. A missing binary fails with the Debian package that provides it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { after, before } from 'node:test';
import { Etcd3 } from 'etcd3';
import { makeTempDir } from './tmp.js';

const ETCD_BIN = '/usr/bin/etcd';
const NATS_BIN = '/usr/sbin/nats-server';

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number | undefined;
  readonly running: boolean;
  /** SIGKILL and wait for the exit. */
  kill9(): Promise<void>;
  /** SIGSTOP: the process keeps its sockets but answers nothing. */
  pause(): void;
  /** SIGCONT. */
  resume(): void;
  /** Start again on the same ports and data directory; resolves once it answers. */
  restart(): Promise<void>;
}

export interface S3Endpoint {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface Cluster {
  readonly dir: string;
  readonly etcdEndpoint: string;
  readonly natsUrls: string[];
  readonly s3: S3Endpoint;
  readonly etcd: ManagedProcess | null;
  readonly nats: ManagedProcess[];
  readonly s3rver: ManagedProcess | null;
  close(): Promise<void>;
}

export interface ClusterOptions {
  etcd?: boolean;
  /** 0, 1 or 3 nats-servers (3 form a JetStream cluster). */
  nats?: 0 | 1 | 3;
  s3?: boolean;
  /** Bound on every start-up wait. */
  startTimeoutMs?: number;
}

/** Throws naming the Debian package when a server binary is missing (CI installs them through .ci/run). */
export function requireBinary(bin: string, debianPackage: string): void {
  if (!existsSync(bin)) {
    throw new Error(`${bin} is missing: install the Debian package ${debianPackage} (apt-get install ${debianPackage}; .ci/run does)`);
  }
}

/** `count` distinct free loopback ports (all held open until every one is chosen, so none repeats). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, () => new Promise<Server>((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => resolve(srv));
  })));
  const ports = servers.map((srv) => {
    const addr = srv.address();
    return typeof addr === 'object' && addr !== null ? addr.port : 0;
  });
  await Promise.all(servers.map((srv) => new Promise<void>((r) => srv.close(() => r()))));
  return ports;
}

export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port ?? 0;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `probe` until it is true; throws after `timeoutMs`. */
export async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let ok = false;
    try { ok = await probe(); } catch { ok = false; }
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

async function httpOk(url: string, check?: (body: string) => boolean): Promise<boolean> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), 1000);
  try {
    const res = await fetch(url, { signal: ctl.signal });
    const body = await res.text();
    return check ? check(body) : true;
  } finally {
    clearTimeout(timer);
  }
}

const live = new Set<ChildProcess>();
const liveDirs = new Set<string>();
function killLive(): void {
  for (const c of live) {
    try { c.kill('SIGCONT'); c.kill('SIGKILL'); } catch { /* already gone */ }
  }
  for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
}
process.once('exit', killLive);
// `timeout` and Ctrl-C end a test with a signal, which skips 'exit': clean up there too.
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  process.once(signal, () => { killLive(); process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGHUP' ? 1 : 15)); });
}

interface ProcessSpec {
  name: string;
  bin: string;
  args: string[];
  logFile: string;
  ready: () => Promise<boolean>;
}

class Child implements ManagedProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();

  constructor(private readonly spec: ProcessSpec, private readonly timeoutMs: number) {}

  get name(): string { return this.spec.name; }
  get pid(): number | undefined { return this.child?.pid; }
  get running(): boolean { return this.child !== null; }

  async start(): Promise<void> {
    const fd = openSync(this.spec.logFile, 'a');
    const child = spawn(this.spec.bin, this.spec.args, { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    live.add(child);
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => {
      live.delete(child);
      if (this.child === child) this.child = null;
      resolve();
    }));
    try {
      await waitFor(`${this.spec.name} to answer`, async () => {
        if (this.child !== child) throw new Error(`${this.spec.name} exited`);
        return this.spec.ready();
      }, this.timeoutMs);
    } catch (e) {
      const log = readFileSync(this.spec.logFile, 'utf8').split('\n').slice(-15).join('\n');
      throw new Error(`${e instanceof Error ? e.message : String(e)}; last lines of ${this.spec.logFile}:\n${log}`);
    }
  }

  async kill9(): Promise<void> {
    const child = this.child;
    if (child === null) return;
    child.kill('SIGKILL');
    child.kill('SIGCONT');
    await this.exited;
  }

  pause(): void { this.child?.kill('SIGSTOP'); }
  resume(): void { this.child?.kill('SIGCONT'); }

  async restart(): Promise<void> {
    await this.kill9();
    await this.start();
  }
}

async function etcdSpec(dir: string): Promise<{ spec: ProcessSpec; endpoint: string }> {
  requireBinary(ETCD_BIN, 'etcd-server');
  const [client, peer] = await freePorts(2);
  const endpoint = `http://127.0.0.1:${client}`;
  const peerUrl = `http://127.0.0.1:${peer}`;
  const args = [
    '--name', 'e0', '--data-dir', path.join(dir, 'etcd'),
    '--listen-client-urls', endpoint, '--advertise-client-urls', endpoint,
    '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl,
    '--initial-cluster', `e0=${peerUrl}`, '--initial-cluster-state', 'new',
    // The catalog document is committed in one transaction: allow it to be several MiB.
    '--max-request-bytes', String(32 * 1024 * 1024), '--max-txn-ops', '1024',
    '--log-level', 'warn',
  ];
  const ready = () => httpOk(`${endpoint}/health`, (b) => b.includes('"health":"true"'));
  return { spec: { name: 'etcd', bin: ETCD_BIN, args, logFile: path.join(dir, 'etcd.log'), ready }, endpoint };
}

async function natsSpecs(dir: string, count: 1 | 3): Promise<{ specs: ProcessSpec[]; urls: string[] }> {
  requireBinary(NATS_BIN, 'nats-server');
  const all = await freePorts(3 * count);
  const ports = Array.from({ length: count }, (_, i) => ({
    client: all[3 * i] ?? 0, route: all[3 * i + 1] ?? 0, monitor: all[3 * i + 2] ?? 0,
  }));
  const routes = ports.map((p) => `nats://127.0.0.1:${p.route}`).join(',');
  const specs = ports.map((p, i): ProcessSpec => {
    const name = `nats${i}`;
    const store = path.join(dir, name);
    mkdirSync(store, { recursive: true });
    const args = ['-a', '127.0.0.1', '-p', String(p.client), '-m', String(p.monitor), '-n', name, '-js', '-sd', store];
    if (count === 3) args.push('--cluster_name', 'sextant', '--cluster', `nats://127.0.0.1:${p.route}`, '--routes', routes);
    const ready = () => httpOk(`http://127.0.0.1:${p.monitor}/jsz`, (b) => {
      if (count === 1) return b.includes('"config"');
      const doc: unknown = JSON.parse(b);
      return metaLeaderKnown(doc);
    });
    return { name, bin: NATS_BIN, args, logFile: path.join(dir, `${name}.log`), ready };
  });
  return { specs, urls: ports.map((p) => `nats://127.0.0.1:${p.client}`) };
}

function metaLeaderKnown(doc: unknown): boolean {
  if (typeof doc !== 'object' || doc === null) return false;
  const meta = (doc as { meta_cluster?: unknown }).meta_cluster;
  if (typeof meta !== 'object' || meta === null) return false;
  const leader = (meta as { leader?: unknown }).leader;
  return typeof leader === 'string' && leader.length > 0;
}

async function s3Spec(dir: string): Promise<{ spec: ProcessSpec; s3: S3Endpoint }> {
  const require = createRequire(import.meta.url);
  const bin = path.join(path.dirname(require.resolve('s3rver/package.json')), 'bin', 's3rver.js');
  const port = await freePort();
  const bucket = 'sextant';
  const args = [bin, '-d', path.join(dir, 's3'), '-a', '127.0.0.1', '-p', String(port), '--silent',
    '--configure-bucket', bucket];
  mkdirSync(path.join(dir, 's3'), { recursive: true });
  const endpoint = `http://127.0.0.1:${port}`;
  const ready = () => httpOk(`${endpoint}/`);
  const s3 = { endpoint, bucket, region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  return { spec: { name: 's3rver', bin: process.execPath, args, logFile: path.join(dir, 's3rver.log'), ready }, s3 };
}

export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  const timeoutMs = opts.startTimeoutMs ?? 60_000;
  const dir = await makeTempDir();
  const started: Child[] = [];
  liveDirs.add(dir);
  const close = async () => {
    await Promise.all(started.map((c) => c.kill9()));
    rmSync(dir, { recursive: true, force: true });
    liveDirs.delete(dir);
  };
  try {
    let etcd: Child | null = null; let etcdEndpoint = '';
    if (opts.etcd ?? true) {
      const e = await etcdSpec(dir);
      etcd = new Child(e.spec, timeoutMs); etcdEndpoint = e.endpoint;
      started.push(etcd);
    }
    const nats: Child[] = []; let natsUrls: string[] = [];
    const natsCount = opts.nats ?? 3;
    if (natsCount > 0) {
      const n = await natsSpecs(dir, natsCount === 1 ? 1 : 3);
      for (const s of n.specs) nats.push(new Child(s, timeoutMs));
      started.push(...nats); natsUrls = n.urls;
    }
    let s3rver: Child | null = null;
    let s3: S3Endpoint = { endpoint: '', bucket: '', region: '', accessKeyId: '', secretAccessKey: '' };
    if (opts.s3 ?? true) {
      const s = await s3Spec(dir);
      s3rver = new Child(s.spec, timeoutMs); s3 = s.s3;
      started.push(s3rver);
    }
    // nats-servers wait for each other's routes to elect a meta leader: start them together.
    await Promise.all(started.map((c) => c.start()));
    return { dir, etcdEndpoint, natsUrls, s3, etcd, nats, s3rver, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** A test file's etcd alone and a client of it: started before the file's tests, stopped after. */
export function etcdForFile(): { readonly client: Etcd3 } {
  const state: { cluster?: Cluster; client?: Etcd3 } = {};
  before(async () => {
    state.cluster = await startCluster({ etcd: true, nats: 0, s3: false });
    state.client = new Etcd3({ hosts: state.cluster.etcdEndpoint });
  });
  after(async () => {
    state.client?.close();
    await state.cluster?.close();
  });
  return {
    get client(): Etcd3 {
      if (state.client === undefined) throw new Error('etcd is not started yet (use the client inside a test)');
      return state.client;
    },
  };
}
