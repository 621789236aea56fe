/**
 * Pieces of the sustained-load test (load.test.ts): the server process, its RSS, latency records,
 * and crowds of idle / slow raw TCP connections.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

const mainJs = fileURLToPath(new URL('../../src/server/main.js', import.meta.url));

export interface ServerProcess { proc: ChildProcess; pid: number; port: number; httpPort: number; output(): string }

/** `node dist/src/server/main.js` on `dataDir` with free ports; resolves once it prints its ports. */
export async function startServer(dataDir: string): Promise<ServerProcess> {
  const proc = spawn(process.execPath, [mainJs, '--data', dataDir, '--port', '0', '--http-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const ports = await new Promise<[number, number]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ports printed: ${out}`)), 60_000);
    proc.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /gRPC on [^:]+:(\d+) .*api-v1 on [^:]+:(\d+)/.exec(out);
      if (m?.[1] !== undefined && m[2] !== undefined) {
        clearTimeout(timer);
        resolve([Number(m[1]), Number(m[2])]);
      }
    });
    proc.stderr?.on('data', (b: Buffer) => { out += b.toString(); });
    proc.once('exit', (c) => reject(new Error(`server exited early (${String(c)}): ${out}`)));
  });
  return { proc, pid: proc.pid ?? -1, port: ports[0], httpPort: ports[1], output: () => out };
}

export async function stopServer(s: ServerProcess): Promise<number | null> {
  if (s.proc.exitCode !== null) return s.proc.exitCode;
  s.proc.kill('SIGTERM');
  const [code] = (await once(s.proc, 'exit')) as [number | null];
  return code;
}

/** VmRSS of a process in MiB (Linux /proc). */
export async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  if (m?.[1] === undefined) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) / 1024;
}

/** Resident MiB of a process's mappings by kind (Linux /proc/<pid>/smaps), to see what grew. */
export interface MemoryByKind { file: number; brkHeap: number; mallocArenas: number; wasm: number; otherAnon: number }

const GiB = 2 ** 30, MiB = 2 ** 20;

/**
 * file: code and data files; brkHeap: glibc's main malloc arena (the main thread's malloc);
 * mallocArenas: the other threads' glibc arenas (64 MiB-aligned heaps); wasm: WebAssembly memories
 * (the read-write part of a >= 1 GiB guarded reservation); otherAnon: the rest, chiefly V8 heap pages,
 * thread stacks and large (mmap'd) malloc blocks.
 */
export async function memoryByKind(pid: number): Promise<MemoryByKind> {
  const maps: { lo: number; hi: number; perm: string; name: string; rssKb: number }[] = [];
  for (const line of (await readFile(`/proc/${pid}/smaps`, 'utf8')).split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (m !== null) maps.push({ lo: parseInt(m[1]!, 16), hi: parseInt(m[2]!, 16), perm: m[3]!, name: m[4]!.trim(), rssKb: 0 });
    const r = /^Rss:\s+(\d+) kB/.exec(line);
    if (r !== null && maps.length > 0) maps[maps.length - 1]!.rssKb = Number(r[1]);
  }
  const out: MemoryByKind = { file: 0, brkHeap: 0, mallocArenas: 0, wasm: 0, otherAnon: 0 };
  maps.forEach((m, i) => {
    const next = maps[i + 1];
    const mib = m.rssKb / 1024;
    if (m.name.startsWith('/')) out.file += mib;
    else if (m.name === '[heap]') out.brkHeap += mib;
    else if (next !== undefined && next.lo === m.hi && next.perm.startsWith('---') && next.hi - next.lo >= GiB) out.wasm += mib;
    else if (m.lo % (64 * MiB) === 0 && m.hi - m.lo <= 64 * MiB) out.mallocArenas += mib;
    else out.otherAnon += mib;
  });
  return out;
}

export function formatByKind(k: MemoryByKind): string {
  return `file ${k.file.toFixed(0)}, malloc main arena ${k.brkHeap.toFixed(0)}, other malloc arenas ${k.mallocArenas.toFixed(0)}, `
    + `wasm ${k.wasm.toFixed(0)}, other anon (V8 heaps, stacks, mmap'd blocks) ${k.otherAnon.toFixed(0)}`;
}

/** The median of the samples taken in [fromS, toS] (seconds), or NaN without any. */
export function medianIn(samples: readonly { tS: number; mib: number }[], fromS: number, toS: number): number {
  const v = samples.filter((s) => s.tS >= fromS && s.tS <= toS).map((s) => s.mib).sort((x, y) => x - y);
  return v.length === 0 ? NaN : v[Math.floor(v.length / 2)]!;
}

export type Op = 'insert' | 'search' | 'query' | 'delete';
export const OPS: readonly Op[] = ['insert', 'search', 'query', 'delete'];

/** Latencies (ms) and failures per operation within one phase. */
export class PhaseStats {
  readonly latencies = new Map<Op, number[]>(OPS.map((o) => [o, []]));
  readonly failures: string[] = [];
  startMs = performance.now();
  endMs = 0;

  record(op: Op, ms: number): void { this.latencies.get(op)!.push(ms); }
  fail(op: Op, why: string): void { if (this.failures.length < 20) this.failures.push(`${op}: ${why}`); else this.failures.push(''); }
  count(): number { let n = 0; for (const l of this.latencies.values()) n += l.length; return n; }
  opsPerSec(): number { return this.count() / Math.max(0.001, (this.endMs - this.startMs) / 1000); }

  summary(name: string): string {
    const parts = OPS.map((op) => {
      const l = [...this.latencies.get(op)!].sort((a, b) => a - b);
      const q = (p: number): string => (l.length === 0 ? '-' : l[Math.min(l.length - 1, Math.floor(p * l.length))]!.toFixed(1));
      return `${op} n=${l.length} p50=${q(0.5)} p99=${q(0.99)} ms`;
    });
    return `${name}: ${this.opsPerSec().toFixed(0)} ops/s over ${((this.endMs - this.startMs) / 1000).toFixed(0)} s; ${parts.join('; ')}; failures ${this.failures.length}`;
  }
}

export interface Crowd {
  /** Sockets still open (the server closed the others). */
  open(): number;
  /** Sockets the server closed so far. */
  closedByServer(): number;
  close(): Promise<void>;
}

/**
 * `n` raw connections to 127.0.0.1:`port`, opened 100 at a time: half send nothing, half trickle
 * one byte a second of a request that never ends (`slowBytes`, repeated).
 */
export async function openCrowd(port: number, n: number, slowBytes: string): Promise<Crowd> {
  const sockets = new Set<net.Socket>();
  let closedByServer = 0;
  let closing = false;
  const timers: NodeJS.Timeout[] = [];
  for (let first = 0; first < n; first += 100) {
    const batch: Promise<void>[] = [];
    for (let i = first; i < Math.min(n, first + 100); i++) {
      batch.push(new Promise<void>((resolve) => {
        const s = net.connect(port, '127.0.0.1');
        s.on('error', () => undefined);
        s.once('close', () => { sockets.delete(s); if (!closing) closedByServer++; resolve(); });
        s.once('connect', () => {
          sockets.add(s);
          if (i % 2 === 1) {
            let at = 0;
            const t = setInterval(() => { if (s.writable) s.write(slowBytes[at++ % slowBytes.length]!); }, 1000);
            timers.push(t);
          }
          resolve();
        });
      }));
    }
    await Promise.all(batch);
  }
  return {
    open: () => sockets.size,
    closedByServer: () => closedByServer,
    close: async () => {
      closing = true;
      for (const t of timers) clearInterval(t);
      const gone = [...sockets].map((s) => new Promise<void>((r) => { s.once('close', () => r()); s.destroy(); }));
      await Promise.all(gone);
    },
  };
}

/** GET http://127.0.0.1:port/healthz: status and body, or the error. */
export async function healthz(port: number): Promise<string> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(10_000) });
    return `${res.status} ${(await res.text()).trim()}`;
  } catch (e) {
    return `error ${e instanceof Error ? e.message : String(e)}`;
  }
}
