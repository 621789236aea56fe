/**
 * Disk full, on a real server process driven over gRPC by the Node SDK: inserts until the disk
 * refuses one; that insert gets code 7 (disk limit exceeded, legacy DiskQuotaExhausted) and changes
 * nothing; the server stays healthy with quota state DenyToWrite; reads keep working; once space
 * returns writes resume without a restart; a restart is clean and every acknowledged row is there.
 *
 * Three ways to fill the disk, each its own test:
 * - a real ENOSPC: a small tmpfs mounted for the test (needs root and a mount-capable sandbox; the
 *   test says why it skipped otherwise); space returns by remounting it larger;
 * - EFBIG: the server runs under `ulimit -f` (RLIMIT_FSIZE; Node ignores SIGXFSZ, so the write
 *   fails with EFBIG instead of killing the process); space returns with `prlimit --fsize=unlimited`;
 * - ENOSPC from the fault-injecting file system under an in-process server: always runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DataType, MilvusClient } from '@zilliz/milvus2-sdk-node';
import { FaultyFileSystem } from '../../src/storage/fs/faulty.js';
import { NodeFileSystem } from '../../src/storage/fs/node.js';
import { SextantService } from '../../src/service/service.js';
import { startSextantServer } from '../../src/server/http/server.js';

const run = promisify(execFile);
const mainJs = fileURLToPath(new URL('../../src/server/main.js', import.meta.url));
const dim = 128;
const BATCH_ROWS = 100;
const MAX_BATCHES = 2_000;

interface Server { port: number; httpPort: number; pid: number; stop(): Promise<void> }

/** Every server process a test started, killed when the test ends however it ends. */
const started = new Set<ChildProcess>();
function killLeftovers(): void {
  for (const p of started) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  started.clear();
}

/** `node main.js` on `dir`, optionally under `bash -c "ulimit -f <blocks>; exec ..."`. */
async function startProcess(dir: string, fileSizeBlocks?: number): Promise<Server> {
  const args = [mainJs, '--data', dir, '--port', '0', '--http-port', '0'];
  const proc: ChildProcess = fileSizeBlocks === undefined
    ? spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    // The soft limit only: prlimit can lift it again without privileges.
    : spawn('bash', ['-c', `ulimit -S -f ${fileSizeBlocks} && exec "$0" "$@"`, process.execPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  started.add(proc);
  let out = '';
  const [port, httpPort] = await new Promise<[number, number]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ports printed: ${out}`)), 30_000);
    proc.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /serving Milvus gRPC on [^:]+:(\d+) .*health\/metrics\/api-v1 on [^:]+:(\d+)/.exec(out);
      if (m?.[1] !== undefined && m[2] !== undefined) {
        clearTimeout(timer);
        resolve([Number(m[1]), Number(m[2])]);
      }
    });
    proc.stderr?.on('data', (b: Buffer) => { out += b.toString(); });
    proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`exited early (${String(code)}): ${out}`)); });
  });
  return {
    port, httpPort, pid: proc.pid ?? -1,
    stop: async () => {
      if (proc.exitCode !== null) throw new Error(`server died: ${out}`);
      proc.kill('SIGTERM');
      const [code] = (await once(proc, 'exit')) as [number | null];
      assert.equal(code, 0, `clean shutdown: ${out}`);
    },
  };
}

async function statusOf(p: Promise<{ status: { code?: number; error_code?: string | number; reason: string } }>): Promise<{ code: number; errorCode: string; reason: string }> {
  try {
    const s = (await p).status;
    return { code: s.code ?? 0, errorCode: String(s.error_code), reason: s.reason };
  } catch (e) {
    const s = e as { code?: unknown; error_code?: unknown; reason?: unknown };
    if (typeof s.code !== 'number') throw e;
    return { code: s.code, errorCode: String(s.error_code), reason: String(s.reason) };
  }
}

/** The SDK's CheckHealthResponse type omits quota_states, which it does decode. */
function quotaStates(h: object): string[] {
  const q: unknown = (h as { quota_states?: unknown }).quota_states;
  return Array.isArray(q) ? q.map(String) : [];
}

function rows(first: number, n: number): { id: number; v: number[] }[] {
  const out: { id: number; v: number[] }[] = [];
  for (let i = 0; i < n; i++) out.push({ id: first + i, v: Array.from({ length: dim }, (_, d) => Math.sin(first + i + d)) });
  return out;
}

async function count(client: MilvusClient): Promise<number> {
  const q = await client.query({ collection_name: 'full', filter: 'id >= 0', output_fields: ['count(*)'] });
  assert.equal(q.status.error_code, 'Success', q.status.reason);
  return Number(q.data[0]?.['count(*)']);
}

interface Figures { ackedRows: number; batchesBeforeFull: number; reason: string }

/** The scenario on a running server; `freeSpace` makes room again. */
async function scenario(port: number, httpPort: number, freeSpace: () => Promise<void>): Promise<Figures> {
  const client = new MilvusClient({ address: `127.0.0.1:${port}`, logLevel: 'error' });
  try {
    const created = await client.createCollection({
      collection_name: 'full',
      fields: [{ name: 'id', data_type: DataType.Int64, is_primary_key: true }, { name: 'v', data_type: DataType.FloatVector, dim }],
      index_params: [{ field_name: 'v', index_type: 'FLAT', metric_type: 'L2' }],
    });
    assert.equal(created.error_code, 'Success', created.reason);
    await client.loadCollectionSync({ collection_name: 'full' });
    let acked = 0;
    let refused: { code: number; errorCode: string; reason: string } | null = null;
    for (let b = 0; b < MAX_BATCHES && refused === null; b++) {
      const s = await statusOf(client.insert({ collection_name: 'full', data: rows(acked, BATCH_ROWS) }));
      if (s.code === 0) acked += BATCH_ROWS;
      else refused = s;
    }
    assert.ok(refused !== null, `the disk never filled after ${MAX_BATCHES} batches`);
    assert.equal(refused.code, 7, refused.reason);
    assert.equal(refused.errorCode, 'DiskQuotaExhausted');
    assert.match(refused.reason, /disk limit exceeded.*(ENOSPC|EFBIG)/);
    const health = await client.checkHealth();
    assert.equal(health.isHealthy, true, 'a full disk is not a failed disk');
    assert.deepEqual(quotaStates(health), ['DenyToWrite']);
    assert.equal((await fetch(`http://127.0.0.1:${httpPort}/healthz`)).status, 200);
    assert.equal(await count(client), acked, 'reads work and the refused batch is not there');
    const search = await client.search({ collection_name: 'full', data: rows(0, 1)[0]!.v, limit: 1 });
    assert.equal(String(search.results[0]?.id), '0');
    // Still full: still refused, nothing half-written.
    assert.equal((await statusOf(client.insert({ collection_name: 'full', data: rows(acked, BATCH_ROWS) }))).code, 7);

    await freeSpace();
    const resumed = await statusOf(client.insert({ collection_name: 'full', data: rows(acked, BATCH_ROWS) }));
    assert.equal(resumed.code, 0, resumed.reason);
    acked += BATCH_ROWS;
    assert.deepEqual(quotaStates(await client.checkHealth()), []);
    const flushed = await statusOf(client.flushSync({ collection_names: ['full'] }));
    assert.equal(flushed.code, 0, flushed.reason);
    assert.equal(await count(client), acked);
    return { ackedRows: acked, batchesBeforeFull: acked / BATCH_ROWS - 1, reason: refused.reason };
  } finally {
    await client.closeConnection();
  }
}

/** A restarted server finds exactly the acknowledged rows. */
async function assertRestartClean(port: number, acked: number): Promise<void> {
  const client = new MilvusClient({ address: `127.0.0.1:${port}`, logLevel: 'error' });
  try {
    await client.loadCollectionSync({ collection_name: 'full' });
    assert.equal(await count(client), acked);
    const top = await client.query({ collection_name: 'full', filter: `id >= ${acked - 1}`, output_fields: ['id'] });
    assert.deepEqual(top.data.map((r) => String(r['id'])), [String(acked - 1)]);
    assert.equal((await client.checkHealth()).isHealthy, true);
  } finally {
    await client.closeConnection();
  }
}

async function tryMount(dir: string, sizeMiB: number): Promise<string | null> {
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m`, 'tmpfs', dir]);
    return null;
  } catch (e) {
    return `mount -t tmpfs failed (${String((e as { stderr?: unknown }).stderr ?? e).trim()})`;
  }
}

test('real ENOSPC on a small tmpfs: code 7, reads work, writes resume when space returns, clean restart', { timeout: 180_000 }, async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'sextant-tmpfs-'));
  const why = await tryMount(dir, 8);
  if (why !== null) {
    await rm(dir, { recursive: true, force: true });
    t.skip(`${why}; the EFBIG and fault-injecting tests below cover disk full instead`);
    return;
  }
  try {
    const data = path.join(dir, 'data');
    await mkdir(data);
    let server = await startProcess(data);
    const f = await scenario(server.port, server.httpPort, async () => { await run('mount', ['-o', 'remount,size=64m', dir]); });
    await server.stop();
    server = await startProcess(data);
    await assertRestartClean(server.port, f.ackedRows);
    await server.stop();
    t.diagnostic(`tmpfs 8 MiB: ${f.batchesBeforeFull} batches of ${BATCH_ROWS} x ${dim}-d acknowledged before ENOSPC; refused with "${f.reason.slice(0, 120)}"; after remount to 64 MiB writes resumed; restart found all ${f.ackedRows} acknowledged rows (lost: 0)`);
  } finally {
    killLeftovers();
    await run('umount', [dir]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
});

test('EFBIG under ulimit -f: code 7, reads work, writes resume once the limit is lifted, clean restart', { timeout: 180_000 }, async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'sextant-efbig-'));
  try {
    const limitBlocks = 4096; // 4 MiB per file
    let server = await startProcess(dir, limitBlocks);
    const f = await scenario(server.port, server.httpPort, async () => { await run('prlimit', ['--pid', String(server.pid), '--fsize=unlimited:']); });
    await server.stop();
    server = await startProcess(dir);
    await assertRestartClean(server.port, f.ackedRows);
    await server.stop();
    t.diagnostic(`ulimit -S -f ${limitBlocks} (4 MiB files): ${f.batchesBeforeFull} batches acknowledged before EFBIG; after prlimit --fsize=unlimited writes resumed; restart found all ${f.ackedRows} acknowledged rows (lost: 0)`);
  } finally {
    killLeftovers();
    await rm(dir, { recursive: true, force: true });
  }
});

test('ENOSPC from the fault-injecting file system (in-process server over gRPC): same contract', { timeout: 120_000 }, async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'sextant-nospace-'));
  try {
    const faulty = new FaultyFileSystem(new NodeFileSystem());
    const open = async (): Promise<{ svc: SextantService; close: () => Promise<void>; port: number; httpPort: number }> => {
      const svc = await SextantService.open({ dataDir: dir, fs: faulty });
      const server = await startSextantServer(svc, { host: '127.0.0.1', port: 0, httpPort: 0, maxMessageBytes: 64 << 20, maxHttpBodyBytes: 64 << 20, engine: svc.engine });
      return { svc, port: server.port, httpPort: server.httpPort, close: async () => { await server.close(); await svc.close(); } };
    };
    let s = await open();
    faulty.noSpaceAfter(3 << 20);
    const f = await scenario(s.port, s.httpPort, async () => { faulty.heal(); });
    await s.close();
    s = await open();
    await assertRestartClean(s.port, f.ackedRows);
    await s.close();
    t.diagnostic(`faulty fs, 3 MiB of space: ${f.batchesBeforeFull} batches acknowledged before ENOSPC; after heal writes resumed; restart found all ${f.ackedRows} acknowledged rows (lost: 0)`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
