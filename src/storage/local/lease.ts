/**
 * The local Lease: the directory lock of storage/lock.ts (one process per data directory).
 * `lost` resolves only when the lease is released. The token is the acquisition's wall-clock
 * microseconds, kept strictly above any earlier token of this process, so it grows at every change
 * of hands as the port contract asks. Without a lock (in-memory test file systems) it guards nothing.
 */
import { acquireDirLock, type DirLock } from '../lock.js';
import type { Lease } from '../ports.js';

let lastToken = 0n;

function nextToken(): bigint {
  const now = BigInt(Date.now()) * 1000n;
  lastToken = now > lastToken ? now : lastToken + 1n;
  return lastToken;
}

export class LocalLease implements Lease {
  readonly token = nextToken();
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
