/**
 * Defect 2 of issue 10: `npm start` starts the built server instead of rebuilding first, and the
 * server is quick to open its port. Both `npm start` and `node dist/src/server/main.js` are started
 * on an empty data directory and timed until the gRPC port accepts a connection and answers an SDK
 * call. The target is 2 s; the hard limit asserted is 10 s so a loaded CI machine does not flake (a
 * rebuild takes 20 s or more, so it still fails). The figures are printed: wall time to accept, the
 * server's own "ready N ms after start", and on Linux the CPU time it used until then.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { withTempDir } from '../support/tmp.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const mainJs = fileURLToPath(new URL('../../src/server/main.js', import.meta.url));
const TARGET_MS = 2_000;
const LIMIT_MS = 10_000;

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const a = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  assert.ok(typeof a === 'object' && a !== null);
  return a.port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

/** CPU ms (user + system) the process used so far, from /proc; null elsewhere. */
async function cpuMs(pid: number): Promise<number | null> {
  try {
    const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // clock ticks of 10 ms
  } catch {
    return null;
  }
}

interface Started { proc: ChildProcess; acceptMs: number; out: () => string }

/** Spawn, then poll the port every 10 ms until it accepts (or LIMIT_MS + margin passes). */
async function startAndTime(cmd: string, args: string[], port: number): Promise<Started> {
  let out = '';
  const t0 = performance.now();
  const proc = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  proc.stdout?.on('data', (b: Buffer) => { out += b.toString(); });
  proc.stderr?.on('data', (b: Buffer) => { out += b.toString(); });
  let exited = false;
  proc.once('exit', () => { exited = true; });
  while (!exited && performance.now() - t0 < LIMIT_MS * 3) {
    if (await accepts(port)) return { proc, acceptMs: performance.now() - t0, out: () => out };
    await new Promise((r) => setTimeout(r, 10));
  }
  stop(proc);
  throw new Error(`port ${port} never accepted (${exited ? 'exited' : 'timed out'}): ${out}`);
}

function stop(proc: ChildProcess): void {
  if (proc.pid !== undefined && proc.exitCode === null) process.kill(-proc.pid, 'SIGTERM'); // the group: npm, its shell, node
}

async function answersSdk(port: number): Promise<void> {
  const client = new MilvusClient({ address: `127.0.0.1:${port}`, logLevel: 'error' });
  try {
    const res = await client.listCollections();
    assert.equal(res.status.error_code, 'Success', res.status.reason);
  } finally {
    await client.closeConnection();
  }
}

async function timeStart(t: { diagnostic(m: string): void }, what: string, cmd: string, args: (dir: string, port: number, httpPort: number) => string[]): Promise<void> {
  await withTempDir(async (dir) => {
    const port = await freePort();
    const httpPort = await freePort();
    const s = await startAndTime(cmd, args(dir, port, httpPort), port);
    try {
      await answersSdk(port);
      const serverPid = Number(/ms after start, pid (\d+)/.exec(s.out())?.[1] ?? NaN);
      const ready = /ready (\d+) ms after start/.exec(s.out())?.[1];
      const cpu = Number.isFinite(serverPid) ? await cpuMs(serverPid) : await cpuMs(s.proc.pid ?? -1);
      t.diagnostic(`${what}: port accepted ${Math.round(s.acceptMs)} ms after spawn (target ${TARGET_MS} ms${s.acceptMs <= TARGET_MS ? ' met' : ' MISSED'});`
        + ` server (pid ${serverPid}) says ready ${ready ?? '?'} ms after start; CPU ${cpu ?? '?'} ms`);
      assert.ok(s.acceptMs < LIMIT_MS, `${what}: port accepted within ${LIMIT_MS} ms (took ${Math.round(s.acceptMs)} ms)`);
    } finally {
      stop(s.proc);
      if (s.proc.exitCode === null) await once(s.proc, 'exit');
    }
  });
}

test('node dist/src/server/main.js accepts gRPC on an empty data directory quickly', { timeout: 60_000 }, async (t) => {
  await timeStart(t, 'node main.js', process.execPath, (dir, port, httpPort) => [mainJs, '--data', dir, '--port', String(port), '--http-port', String(httpPort)]);
});

test('npm start does not rebuild before it listens', { timeout: 60_000 }, async (t) => {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  await timeStart(t, 'npm start', npm, (dir, port, httpPort) => ['start', '--silent', '--', '--data', dir, '--port', String(port), '--http-port', String(httpPort)]);
});
