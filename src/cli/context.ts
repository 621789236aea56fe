/** What every command gets: the backend, the output format, the terminal and the cancel token. */
import { UsageError } from './args.js';
import type { Backend } from './backend.js';
import type { CancelToken } from './cancel.js';
import type { OutputFormat } from './output.js';

export class Context {
  private current: Backend | null = null;
  output: OutputFormat = 'table';
  /** Set by the `exit` command in the shell. */
  exitRequested = false;

  constructor(
    readonly cancel: CancelToken,
    /** Whether stdout is a terminal: progress bars instead of plain lines. */
    readonly tty: boolean,
  ) {}

  get backend(): Backend {
    if (this.current === null) throw new UsageError('not connected: start with --data DIR, or run: connect -uri http://host:19530');
    return this.current;
  }

  get connected(): boolean {
    return this.current !== null;
  }

  async setBackend(b: Backend | null): Promise<void> {
    const old = this.current;
    this.current = b;
    if (old !== null && old !== b) await old.close();
  }
}
