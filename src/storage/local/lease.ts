/**
 * The local Lease: the directory lock of storage/lock.ts (one process per data directory). Its
 * token is always 1n: ownership never changes hands while the process lives, so `lost` resolves
 * only when the lease is released. Without a lock (in-memory test file systems) it guards nothing.
 */
import { acquireDirLock, type DirLock } from '../lock.js';
import type { Lease } from '../ports.js';

export class LocalLease implements Lease {
  readonly token = 1n;
  readonly lost: Promise<void>;
  private released = false;
  private markLost: () => void = () => undefined;

  private constructor(private readonly lock: DirLock | null) {
    this.lost = new Promise<void>((resolve) => { this.markLost = resolve; });
  }

  /** Takes `dir`'s LOCK (a dead owner's lock is taken over); `lock: false` takes nothing. */
  static async acquire(dir: string, lock: boolean): Promise<LocalLease> {
    return new LocalLease(lock ? await acquireDirLock(dir) : null);
  }

  get held(): boolean {
    return !this.released;
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.markLost();
    await this.lock?.release();
  }
}
