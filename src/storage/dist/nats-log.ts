/**
 * The write-ahead log on NATS JetStream (the `Log` port): one stream per data set or shard, file
 * storage, `replicas` copies (R=3 on a 3-node cluster). LSN = stream sequence (starts at 1).
 *
 * Appends are group-committed: the records waiting when a batch starts are published at once, each
 * with a message id unique to this log object; a publish that fails (timeout, no leader during an
 * election, a reconnect) is retried with the SAME id, so JetStream's duplicate window stores it once.
 * A batch resolves only when every record of it is acknowledged by JetStream (stored on a quorum),
 * in LSN order; the next batch starts after that, so appends resolve in LSN order. When a record
 * cannot be stored within `retryBudgetMs`, `failure` is set and every pending and later append is
 * refused (the engine stops acknowledging, as after a failed fsync).
 *
 * With `lease`, an append is refused before its publish and before its resolution when the lease is
 * no longer held: a writer paused past its lease acknowledges nothing. (JetStream itself does not
 * check the lease: a publish in flight during the pause may still be stored, unacknowledged.)
 */
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import {
  JetStreamApiCodes, JetStreamApiError, jetstream, jetstreamManager, StorageType,
  type JetStreamClient, type JetStreamManager, type PubAck,
} from '@nats-io/jetstream';
import { errors, MilvusError } from '../../core/errors.js';
import type { Lease, Log, LogRecord } from '../ports.js';

const TYPE_HEADER = 'Sextant-Type';

export interface NatsLogOptions {
  /** Stream name: letters, digits, `-` and `_` (one per data set or shard). */
  stream: string;
  replicas?: number;
  /** Bound on one publish attempt (default 2000 ms). */
  publishTimeoutMs?: number;
  /** Bound on all attempts of one record before the log fails (default 15 s). */
  retryBudgetMs?: number;
  /** Most records in one group commit (default 256). */
  maxBatch?: number;
  /** JetStream's duplicate window (default 2 min); must exceed the retry budget. */
  duplicateWindowMs?: number;
  /** When given, appends are refused once it is lost. */
  lease?: Lease;
}

interface Pending {
  type: number;
  payload: Uint8Array;
  msgId: string;
  resolve: (lsn: bigint) => void;
  reject: (e: unknown) => void;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function streamMissing(e: unknown): boolean {
  return e instanceof Error && /stream not found/i.test(e.message);
}

/** The sequence of the stream's last message as its leader answers a get (0 when empty). */
async function lastStored(jsm: JetStreamManager, stream: string, subject: string): Promise<number> {
  try {
    const m = await jsm.streams.getMessage(stream, { last_by_subj: subject });
    return m === null ? 0 : m.seq;
  } catch (e) {
    if (e instanceof JetStreamApiError && e.code === JetStreamApiCodes.NoMessageFound) return 0;
    throw e;
  }
}

/** The stream's last sequence, creating the stream when it does not exist. */
async function ensureStream(jsm: JetStreamManager, opts: Required<Omit<NatsLogOptions, 'lease'>>): Promise<number> {
  try {
    const info = await jsm.streams.info(opts.stream);
    return Math.max(info.state.last_seq, await lastStored(jsm, opts.stream, `sextant.wal.${opts.stream}`));
  } catch (e) {
    if (!streamMissing(e)) throw e;
  }
  const info = await jsm.streams.add({
    name: opts.stream, subjects: [`sextant.wal.${opts.stream}`], num_replicas: opts.replicas, storage: StorageType.File,
    duplicate_window: opts.duplicateWindowMs * 1_000_000,
  });
  return info.state.last_seq;
}

/** Retries `fn` with backoff (a cluster electing a leader answers timeouts for a while) up to `budgetMs`. */
async function retrying<T>(budgetMs: number, what: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + budgetMs;
  let backoffMs = 50;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() + backoffMs > deadline) {
        throw errors.remoteUnavailable('JetStream', `${what} failed within ${budgetMs} ms: ${e instanceof Error ? e.message : String(e)}`);
      }
      await sleep(backoffMs);
      backoffMs = Math.min(1000, backoffMs * 2);
    }
  }
}

export class NatsLog implements Log {
  private next: bigint;
  private failed: Error | null = null;
  private readonly queue: Pending[] = [];
  private pumping: Promise<void> | null = null;
  private seqId = 0;
  private readonly idPrefix: string;
  private readonly subject: string;
  private closed = false;
  private retried = 0;
  private gapGets = 0;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly opts: Required<Omit<NatsLogOptions, 'lease'>> & { lease?: Lease },
    lastSeq: number,
    private readonly ownsConnection: boolean,
  ) {
    this.next = BigInt(lastSeq) + 1n;
    this.subject = `sextant.wal.${opts.stream}`;
    this.idPrefix = `${opts.stream}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  }

  /** Opens (creating if needed) the stream on an existing connection. */
  static async open(nc: NatsConnection, options: NatsLogOptions, ownsConnection = false): Promise<NatsLog> {
    if (!/^[A-Za-z0-9_-]+$/.test(options.stream)) {
      throw errors.invalidParameter('log stream name', { expected: 'letters, digits, - and _', actual: options.stream });
    }
    const opts = {
      replicas: 1, publishTimeoutMs: 2000, retryBudgetMs: 15_000, maxBatch: 256, duplicateWindowMs: 120_000,
      ...options,
    };
    const jsm = await jetstreamManager(nc, { timeout: Math.max(opts.publishTimeoutMs, 2000) });
    const lastSeq = await retrying(opts.retryBudgetMs, `open stream ${opts.stream}`, () => ensureStream(jsm, opts));
    const js = jetstream(nc, { timeout: opts.publishTimeoutMs });
    return new NatsLog(nc, js, jsm, opts, lastSeq, ownsConnection);
  }

  /** Connects to `servers` (reconnecting forever between them) and opens the stream; close() closes the connection. */
  static async connect(servers: string[], options: NatsLogOptions): Promise<NatsLog> {
    const nc = await connect({ servers, maxReconnectAttempts: -1, reconnectTimeWait: 250, timeout: 5000 });
    try {
      return await NatsLog.open(nc, options, true);
    } catch (e) {
      await nc.close();
      throw e;
    }
  }

  get nextLsn(): bigint {
    return this.next;
  }

  /** Publish attempts repeated after a failure (figures for tests and metrics). */
  get retriedPublishes(): number {
    return this.retried;
  }

  /** Records replays fetched from the stream leader (figures for tests). */
  get gapFills(): number {
    return this.gapGets;
  }

  get failure(): unknown {
    return this.failed;
  }

  append(type: number, payload: Uint8Array): Promise<bigint> {
    if (this.failed !== null) return Promise.reject(this.failed);
    if (this.closed) return Promise.reject(errors.serviceNotReady('log closed'));
    if (this.opts.lease !== undefined && !this.opts.lease.held) return Promise.reject(errors.leaseLost('log append'));
    return new Promise((resolve, reject) => {
      this.queue.push({ type, payload, msgId: `${this.idPrefix}-${++this.seqId}`, resolve, reject });
      this.kick();
    });
  }

  /** Starts the pump unless it runs; records queued while it was finishing start it again. */
  private kick(): void {
    if (this.pumping !== null) return;
    this.pumping = this.pump().finally(() => {
      this.pumping = null;
      if (this.queue.length > 0) this.kick();
    });
  }

  private async pump(): Promise<void> {
    while (this.queue.length > 0) {
      if (this.failed !== null) {
        this.fail(this.failed, []);
        return;
      }
      const batch = this.queue.splice(0, this.opts.maxBatch);
      const acks = await Promise.allSettled(batch.map((p) => this.publish(p)));
      const done: { p: Pending; seq: number }[] = [];
      let error: unknown = null;
      acks.forEach((a, i) => {
        if (a.status === 'rejected') error ??= a.reason;
        else done.push({ p: batch[i] as Pending, seq: a.value.seq });
      });
      if (error === null && this.opts.lease !== undefined && !this.opts.lease.held) error = errors.leaseLost('log append');
      if (error !== null) {
        this.fail(error, batch);
        return;
      }
      done.sort((a, b) => a.seq - b.seq);
      for (const d of done) {
        const lsn = BigInt(d.seq);
        if (lsn >= this.next) this.next = lsn + 1n;
        d.p.resolve(lsn);
      }
    }
  }

  private fail(error: unknown, batch: Pending[]): void {
    this.failed = error instanceof Error ? error : errors.remoteUnavailable('JetStream', String(error));
    for (const p of batch) p.reject(this.failed);
    for (const p of this.queue.splice(0)) p.reject(this.failed);
  }

  /** One record, retried with its message id (stored once) until acknowledged or the budget is spent. */
  private publish(p: Pending): Promise<PubAck> {
    const h = headers();
    h.set(TYPE_HEADER, String(p.type));
    let attempts = 0;
    return retrying(this.opts.retryBudgetMs, `append to stream ${this.opts.stream}`, () => {
      if (attempts++ > 0) this.retried++;
      return this.js.publish(this.subject, p.payload, {
        msgID: p.msgId, headers: h, timeout: this.opts.publishTimeoutMs, expect: { streamName: this.opts.stream },
      });
    });
  }

  /**
   * Every record from `from` to the last sequence at the call, by direct gets from the stream leader
   * in order (one round trip per record). A sequence the leader does not have was purged (below a
   * checkpoint) and is skipped. The end is the largest of stream
   * info's last sequence, the leader's last message and this log's own acknowledgements: right
   * after a node restart, stream info was seen to report an older last sequence, and a replay that
   * trusted it missed acknowledged records (test/dist/nats.test.ts, kill -9 of the leader).
   */
  async *readFrom(from: bigint): AsyncIterable<LogRecord> {
    const info = await retrying(this.opts.retryBudgetMs, `read stream ${this.opts.stream}`, () => this.jsm.streams.info(this.opts.stream));
    // Right after a node restarts, stream info can report an older last sequence; the leader's last
    // message and this log's own acknowledgements are bounds too.
    const last = Math.max(info.state.last_seq, await lastStored(this.jsm, this.opts.stream, this.subject), Number(this.next) - 1);
    let expected = Math.max(Number(from), info.state.first_seq, 1);
    // Direct gets, one record at a time: the payloads of messages queued by a consumer fetch were
    // seen overwritten before they were read (a replay after failover decoded wrong rows), so the
    // log does not replay through a consumer.
    for (; expected <= last; expected++) {
      const r = await this.getOne(expected);
      if (r !== null) yield r;
    }
  }

  private record(seq: number, type: string | undefined, payload: Uint8Array): LogRecord {
    const n = Number(type ?? 'NaN');
    if (!Number.isInteger(n)) throw errors.internal(`log record ${seq} of stream ${this.opts.stream} has no type header`);
    // A copy: the client's message bytes may be a view of a buffer it reuses, and records are decoded
    // into views that live as long as the rows.
    return { lsn: BigInt(seq), type: n, payload: payload.slice() };
  }

  /** One record by sequence from the stream leader; null when it is not there (purged). */
  private async getOne(seq: number): Promise<LogRecord | null> {
    this.gapGets++;
    try {
      const m = await retrying(this.opts.retryBudgetMs, `get ${seq} of stream ${this.opts.stream}`, async () => {
        try {
          return await this.jsm.streams.getMessage(this.opts.stream, { seq });
        } catch (e) {
          if (e instanceof JetStreamApiError && e.code === JetStreamApiCodes.NoMessageFound) return null;
          throw e;
        }
      });
      return m === null ? null : this.record(m.seq, m.header.get(TYPE_HEADER) || undefined, m.data);
    } catch (e) {
      throw e instanceof MilvusError ? e : errors.remoteUnavailable('JetStream', String(e));
    }
  }

  async truncateBelow(lsn: bigint): Promise<void> {
    if (lsn <= 1n) return;
    await this.jsm.streams.purge(this.opts.stream, { seq: Number(lsn) });
  }

  async close(): Promise<void> {
    while (this.pumping !== null) await this.pumping;
    this.closed = true;
    if (this.ownsConnection) await this.nc.close();
  }

  /** Deletes the stream (tests, dropping a data set). */
  async destroy(): Promise<void> {
    await this.jsm.streams.delete(this.opts.stream);
  }
}
