/** Run the built CLI as a child process; start a Sextant gRPC server for remote-mode tests. */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Next to this compiled file: dist/test/cli/ -> dist/src/... (works from any outDir and cwd).
export const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
export const SERVER = fileURLToPath(new URL('../../src/server/main.js', import.meta.url));

export interface Run { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

export function runCli(args: readonly string[], opts: { input?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...opts.env }, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    p.on('error', reject);
    p.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    p.stdin.end(opts.input ?? '');
  });
}

export async function tempDir(prefix: string): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export interface Server { port: number; stop(): Promise<void> }

export function serverBuilt(): boolean {
  return existsSync(SERVER);
}

/**
 * Spawn `node dist/src/server/main.js --data DIR --port N --http-port M [extra...]` (e.g. `--auth`)
 * and wait for its "serving" line.
 */
export async function startServer(dataDir: string, extra: readonly string[] = []): Promise<Server> {
  const port = await freePort();
  // The server also opens an HTTP listener (default 9091); give it a free port too.
  const http = ['--http-port', String(await freePort())];
  const p: ChildProcess = spawn(process.execPath, [SERVER, '--data', dataDir, '--port', String(port), ...http, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${log}`)), 15_000);
    const onData = (d: Buffer): void => {
      log += d.toString();
      if (log.includes('serving')) { clearTimeout(timer); resolve(); }
    };
    p.stdout?.on('data', onData);
    p.stderr?.on('data', onData);
    p.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited with ${String(code)}: ${log}`)); });
  });
  return {
    port,
    stop: () => new Promise<void>((resolve) => {
      p.removeAllListeners('exit');
      p.on('exit', () => resolve());
      p.kill('SIGTERM');
    }),
  };
}

/** Parse a `--output json` answer. */
export function json(r: Run): unknown {
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`not JSON (exit ${String(r.code)}): ${r.stdout} ${r.stderr}`);
  }
}

/** Non-empty stderr lines that are not progress lines. */
export function errorLines(r: Run): string[] {
  return r.stderr.split('\n').filter((l) => l.trim() !== '' && !/^(insert|upsert|index|load): \d+%/.test(l));
}

/** Whether util-linux `script` (a pseudo-terminal for shell tests) is there. */
export function hasScript(): boolean {
  try { execFileSync('script', ['--version'], { stdio: 'ignore' }); return true; } catch { return false; }
}

/** A word for `script -c`'s shell. */
export const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Drive an interactive command on a pseudo-terminal (util-linux `script`): each step waits for
 * `until` in the output, then types `keys`. Returns everything printed.
 */
export async function drive(cmd: string, env: Record<string, string>, steps: { until: RegExp; keys: string }[]): Promise<string> {
  const p = spawn('script', ['-qfec', cmd, '/dev/null'], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let step = 0;
  const advance = (): void => {
    const s = steps[step];
    if (s !== undefined && s.until.test(out)) { step++; p.stdin.write(s.keys); }
  };
  p.stdout.on('data', (d: Buffer) => { out += d.toString(); advance(); });
  const timer = setTimeout(() => p.kill('SIGKILL'), 20_000);
  await new Promise((resolve) => p.on('close', resolve));
  clearTimeout(timer);
  assert.equal(step, steps.length, `stuck at step ${step}; output so far:\n${out}`);
  return out;
}
