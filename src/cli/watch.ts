/**
 * Wait for server-side work (load, index build) while drawing its progress: start the operation,
 * then poll a percentage until the operation has returned and the percentage reached 100.
 * Ctrl-C stops the waiting (the server-side work itself is not undone).
 */
import type { Context } from './context.js';
import { Progress } from './progress.js';

const POLL_MS = 200;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Wait for `p` or `ms`, whichever comes first, without leaving the timer behind. */
function raceTimer(p: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<void>((r) => { timer = setTimeout(r, ms); });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

export async function watch(ctx: Context, label: string, start: Promise<void>, percent: () => Promise<number>): Promise<void> {
  const bar = new Progress(label, 100, '%', ctx.tty);
  let done = false;
  let failure: unknown = null;
  const started = start.then(() => { done = true; }, (e: unknown) => { done = true; failure = e; });
  try {
    for (;;) {
      // Always give the event loop a real pause: polling an in-process engine resolves without I/O,
      // and a loop of microtasks would starve the work (worker messages, timers) it waits for.
      if (done) await sleep(POLL_MS);
      else await raceTimer(started, POLL_MS);
      if (failure !== null) throw failure;
      ctx.cancel.check();
      const p = done ? await percent() : await percent().catch(() => 0);
      bar.update(p, p);
      if (done && p >= 100) break;
    }
    bar.finish(100, 100);
  } catch (e) {
    bar.abort();
    throw e;
  }
}
