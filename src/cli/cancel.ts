/**
 * Ctrl-C during long work: the first SIGINT asks the running command to stop at the next batch
 * boundary (no partial batch is written); the command then throws `Cancelled` (exit code 130).
 */
export class Cancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'Cancelled';
  }
}

export class CancelToken {
  private requested = false;
  cancel(): void { this.requested = true; }
  get isCancelled(): boolean { return this.requested; }
  reset(): void { this.requested = false; }
  /** Call between batches. */
  check(): void {
    if (this.requested) throw new Cancelled();
  }
}
