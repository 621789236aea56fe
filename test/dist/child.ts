/** Drives a child process that prints one JSON event per line (test/dist/lease-holder.ts). */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export type ChildEvent = Record<string, unknown> & { event: string };

export class EventChild {
  readonly events: ChildEvent[] = [];
  private waiters: (() => void)[] = [];
  readonly proc: ChildProcess;
  private stderr = '';

  constructor(script: string, args: string[]) {
    const file = fileURLToPath(new URL(script, import.meta.url));
    this.proc = spawn(process.execPath, [file, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr?.on('data', (d: Buffer) => { this.stderr += d.toString('utf8'); });
    if (this.proc.stdout !== null) {
      createInterface({ input: this.proc.stdout }).on('line', (line) => {
        const doc: unknown = JSON.parse(line);
        if (typeof doc === 'object' && doc !== null && typeof (doc as { event?: unknown }).event === 'string') {
          this.events.push(doc as ChildEvent);
          for (const w of this.waiters.splice(0)) w();
        }
      });
    }
    this.proc.once('exit', () => { for (const w of this.waiters.splice(0)) w(); });
  }

  send(line: string): void {
    this.proc.stdin?.write(`${line}\n`);
  }

  /** The first event (from index `from`) matching `pred`; throws after `timeoutMs`. */
  async waitFor(pred: (e: ChildEvent) => boolean, timeoutMs: number, from = 0): Promise<ChildEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.events.slice(from).find(pred);
      if (hit !== undefined) return hit;
      if (Date.now() > deadline || this.proc.exitCode !== null) {
        throw new Error(`child event not seen in ${timeoutMs} ms; events ${JSON.stringify(this.events)}; stderr ${this.stderr}`);
      }
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.max(10, deadline - Date.now()));
        this.waiters.push(() => { clearTimeout(t); r(); });
      });
    }
  }

  kill(): void {
    this.proc.kill('SIGCONT');
    this.proc.kill('SIGKILL');
  }
}
