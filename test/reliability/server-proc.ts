/**
 * A real `sextant` server process (dist/src/server/main.js) for the kill -9 soak and the set test:
 * start it on a data dir, wait until it prints its port, SIGKILL it, start it again on the same port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const mainJs = fileURLToPath(new URL('../../src/server/main.js', import.meta.url));
const READY_TIMEOUT_MS = 60_000;

export interface ServerProc {
  proc: ChildProcess;
  /** Resolves with the gRPC port once the server listens; rejects if it exits first. */
  ready: Promise<number>;
  /** Milliseconds from spawn to the "serving" line (set once ready). */
  startupMs: number;
  /** Everything the process printed (for failure messages). */
  output(): string;
  /** SIGKILL and wait for the exit. */
  kill9(): Promise<void>;
}

/** Spawn the server; `port` 0 picks a free one (pass the first run's port to restart on it). */
export function spawnServer(dataDir: string, port: number): ServerProc {
  const started = performance.now();
  const proc = spawn(process.execPath, [mainJs, '--data', dataDir, '--port', String(port), '--http-port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let exited = false;
  const exit = new Promise<void>((resolve) => proc.once('exit', () => { exited = true; resolve(); }));
  const server: ServerProc = {
    proc,
    startupMs: -1,
    output: () => out,
    ready: new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server printed no port within ${READY_TIMEOUT_MS} ms: ${out}`)), READY_TIMEOUT_MS);
      proc.stdout?.on('data', (b: Buffer) => {
        out += b.toString();
        const m = /serving Milvus gRPC on [^:]+:(\d+)/.exec(out);
        if (m?.[1] !== undefined) {
          clearTimeout(timer);
          server.startupMs = performance.now() - started;
          resolve(Number(m[1]));
        }
      });
      proc.stderr?.on('data', (b: Buffer) => { out += b.toString(); });
      proc.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`server exited (${String(code)}/${String(signal)}) before it listened: ${out}`));
      });
    }),
    kill9: async () => {
      if (!exited) proc.kill('SIGKILL');
      await exit;
    },
  };
  // A kill during startup rejects `ready`; callers that do not wait for it must not see an unhandled rejection.
  server.ready.catch(() => undefined);
  return server;
}

/** Start and wait until it listens; a failure to start is a test failure with the server's output. */
export async function startServer(dataDir: string, port: number): Promise<ServerProc & { port: number }> {
  const s = spawnServer(dataDir, port);
  const p = await s.ready;
  return Object.assign(s, { port: p });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
