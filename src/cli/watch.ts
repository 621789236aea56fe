/**
 * Wait for server-side work (load, index build) while drawing its progress: start the operation,
 * then poll a percentage until the operation has returned and the percentage reached 100.
 * Ctrl-C stops the waiting (the server-side work itself is not undone).
 */
import type { Context } from './context.js';
import { Progress } from './progress.js';

const POLL_MS = 200;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function watch(ctx: Context, label: string, start: Promise<void>, percent: () => Promise<number>): Promise<void> {
  const bar = new Progress(label, 100, '%', ctx.tty);
  let done = false;
  let failure: unknown = null;
  const started = start.then(() => { done = true; }, (e: unknown) => { done = true; failure = e; });
  try {
    for (;;) {
      await Promise.race([started, sleep(POLL_MS)]);
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
