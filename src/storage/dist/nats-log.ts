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
 * no longer held: a writer paused past its lease acknowledges nothing. JetStream itself does not
 * check the lease, so a publish in flight during the pause may still be stored after a takeover;
 * epochs make such a late record invisible:
 * - every record carries the writer's epoch (its lease's fencing token) in the `Sextant-Epoch` header;
 * - an owner opening the log appends a fence record (subject `<subject>.fence`, its epoch) before it
 *   replays or serves anything;
 * - a reader discards a record whose epoch is below the highest epoch fenced before it in the stream.
 * So a stale owner's record stored after the new owner's fence is never replayed, while everything
 * before the fence (acknowledged or not) is. Fence records are never purged (`truncateBelow` purges
 * the data subject only), so the floor is known however far the log was truncated.
 *
 * A record larger than one message (the server's `max_payload` less headers) is published as a
 * group of parts, alone between the batches, and replays all or nothing (log-parts.ts).
 *
 * Replay reads through an ordered consumer, many messages per pull, each payload copied (see
 * `stored`); what the consumer did not deliver is read by sequence from the stream leader.
 */
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import {
  JetStreamApiCodes, JetStreamApiError, jetstream, jetstreamManager,
  type JetStreamClient, type JetStreamManager, type MsgRequest, type PubAck, type StoredMsg,
} from '@nats-io/jetstream';
import { errors, MilvusError } from '../../core/errors.js';
import { limits } from '../../core/limits.js';
import type { Lease, Log, LogRecord } from '../ports.js';
import { GROUP_HEADER, PART_HEADER, PartAssembler, splitPayload } from './log-parts.js';
import { ensureStream, lastStored, retrying } from './nats-stream.js';

const TYPE_HEADER = 'Sextant-Type';
const EPOCH_HEADER = 'Sextant-Epoch';

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
  /** When given, appends are refused once it is lost, and carry its token as their epoch. */
  lease?: Lease;
  /** Messages per pull request of a replay, and direct gets in flight when it reads by sequence (default 256). */
  replayWindow?: number;
}

interface Pending {
  type: number;
  payload: Uint8Array;
  msgId: string;
  resolve: (lsn: bigint) => void;
  reject: (e: unknown) => void;
}

/** A message of the stream as the replay reads it, its payload copied. */
interface Stored {
  seq: number;
  subject: string;
  epoch: bigint;
  type: string | undefined;
  payload: Uint8Array;
  /** Set on the parts of a record split over several messages (log-parts.ts). */
  group: string | undefined;
  part: string | undefined;
}

/**
 * The client hands message bytes as Node Buffers that are views of a buffer it reuses (and a
 * Buffer's `slice()` is another view): records live as long as their rows, so the bytes are copied
 * into a buffer of their own. The epoch header is 0 when absent (records from before epochs, or a
 * log without a lease).
 */
function stored(seq: number, subject: string, header: (name: string) => string | undefined, data: Uint8Array): Stored {
  const payload = new Uint8Array(data.length);
  payload.set(data);
  const epoch = header(EPOCH_HEADER);
  return {
    seq, subject, epoch: epoch !== undefined && /^[0-9]+$/.test(epoch) ? BigInt(epoch) : 0n, type: header(TYPE_HEADER) || undefined, payload,
    group: header(GROUP_HEADER) || undefined, part: header(PART_HEADER) || undefined,
  };
}

/** Room kept in a message for the record's headers (type, epoch, message id). */
const HEADER_ROOM_BYTES = 4096;

export class NatsLog implements Log {
  private next: bigint;
  private failed: Error | null = null;
  private readonly queue: Pending[] = [];
  private pumping: Promise<void> | null = null;
  private seqId = 0;
  private readonly idPrefix: string;
  private readonly subject: string;
  private readonly fenceSubject: string;
  private discarded = 0;
  private consumedCount = 0;
  private closed = false;
  private retried = 0;
  private gapGets = 0;
  private partsDropped = 0;

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
    this.fenceSubject = `${this.subject}.fence`;
    this.idPrefix = `${opts.stream}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  }

  /** Opens (creating if needed) the stream on an existing connection. */
  static async open(nc: NatsConnection, options: NatsLogOptions, ownsConnection = false): Promise<NatsLog> {
    if (!/^[A-Za-z0-9_-]+$/.test(options.stream)) {
      throw errors.invalidParameter('log stream name', { expected: 'letters, digits, - and _', actual: options.stream });
    }
    const opts = {
      replicas: 1, publishTimeoutMs: 2000, retryBudgetMs: 15_000, maxBatch: 256, duplicateWindowMs: 120_000, replayWindow: 256,
      ...options,
    };
    const jsm = await jetstreamManager(nc, { timeout: Math.max(opts.publishTimeoutMs, 2000) });
    const lastSeq = await retrying(opts.retryBudgetMs, `open stream ${opts.stream}`, () => ensureStream(jsm, opts));
    const js = jetstream(nc, { timeout: opts.publishTimeoutMs });
    const log = new NatsLog(nc, js, jsm, opts, lastSeq, ownsConnection);
    if (opts.lease !== undefined) await log.fence();
    return log;
  }

  /** This writer's epoch: its lease's fencing token (0n without a lease). */
  get epoch(): bigint {
    return this.opts.lease?.token ?? 0n;
  }

  /**
   * Appends the fence record of this writer's epoch: from it on, readers discard records of lower
   * epochs (a stale owner's late publishes). Called at open with a lease, before any replay.
   */
  async fence(): Promise<void> {
    const h = headers();
    h.set(EPOCH_HEADER, this.epoch.toString());
    const ack = await retrying(this.opts.retryBudgetMs, `fence stream ${this.opts.stream}`, () =>
      this.js.publish(this.fenceSubject, new Uint8Array(0), {
        msgID: `${this.idPrefix}-fence`, headers: h, timeout: this.opts.publishTimeoutMs, expect: { streamName: this.opts.stream },
      }));
    if (this.opts.lease !== undefined && !this.opts.lease.held) throw errors.leaseLost('log fence');
    const lsn = BigInt(ack.seq);
    if (lsn >= this.next) this.next = lsn + 1n;
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

  /** Messages replays read through the ordered consumer (figures for tests). */
  get consumedRecords(): number {
    return this.consumedCount;
  }

  /** Records replays discarded as a stale owner's (epoch below the fence before them). */
  get discardedStale(): number {
    return this.discarded;
  }

  /** Parts of split records that replays threw away because their group was cut short (log-parts.ts). */
  get discardedParts(): number {
    return this.partsDropped;
  }

  get failure(): unknown {
    return this.failed;
  }

  append(type: number, payload: Uint8Array): Promise<bigint> {
    if (this.failed !== null) return Promise.reject(this.failed);
    if (this.closed) return Promise.reject(errors.serviceNotReady('log closed'));
    if (this.opts.lease !== undefined && !this.opts.lease.held) return Promise.reject(errors.leaseLost('log append'));
    // Over the bound of a whole record: refused alone, the log stays healthy.
    const limit = this.maxRecordBytes();
    if (payload.length > limit) {
      return Promise.reject(errors.parameterTooLarge(`write of ${payload.length} bytes`, { limit, reason: 'write fewer rows per request' }));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ type, payload, msgId: `${this.idPrefix}-${++this.seqId}`, resolve, reject });
      this.kick();
    });
  }

  /** The largest record: the WAL's bound (a larger one than a message carries is split, log-parts.ts). */
  maxRecordBytes(): number {
    return limits.walMaxRecordBytes;
  }

  /** The largest piece one message carries: the server's `max_payload` less room for the headers. */
  partBytes(): number {
    return (this.nc.info?.max_payload ?? 1 << 20) - HEADER_ROOM_BYTES;
  }

  /** Records split into parts publish alone (nothing between their parts); others up to `maxBatch` at once. */
  private takeBatch(): Pending[] {
    const partBytes = this.partBytes();
    let n = 0;
    while (n < this.queue.length && n < this.opts.maxBatch && (this.queue[n] as Pending).payload.length <= partBytes) n++;
    return this.queue.splice(0, Math.max(1, n));
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
      const batch = this.takeBatch();
      if (this.opts.lease !== undefined && !this.opts.lease.held) {
        this.fail(errors.leaseLost('log append'), batch);
        return;
      }
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

  /**
   * One record: one message, or its parts one after another (log-parts.ts), the lease checked
   * before each; resolves with the last message's acknowledgement.
   */
  private async publish(p: Pending): Promise<PubAck> {
    const parts = splitPayload(p.payload, this.partBytes());
    if (parts.length <= 1) return this.publishMessage(p.type, p.payload, p.msgId);
    let ack: PubAck | null = null;
    for (let i = 0; i < parts.length; i++) {
      if (this.opts.lease !== undefined && !this.opts.lease.held) throw errors.leaseLost('log append');
      ack = await this.publishMessage(p.type, parts[i] as Uint8Array, `${p.msgId}-p${i}`, { group: p.msgId, part: `${i}/${parts.length}` });
    }
    return ack as PubAck;
  }

  /** One message, retried with its message id (stored once) until acknowledged or the budget is spent. */
  private publishMessage(type: number, payload: Uint8Array, msgId: string, part?: { group: string; part: string }): Promise<PubAck> {
    const h = headers();
    h.set(TYPE_HEADER, String(type));
    h.set(EPOCH_HEADER, this.epoch.toString());
    if (part !== undefined) {
      h.set(GROUP_HEADER, part.group);
      h.set(PART_HEADER, part.part);
    }
    let attempts = 0;
    return retrying(this.opts.retryBudgetMs, `append to stream ${this.opts.stream}`, () => {
      if (attempts++ > 0) this.retried++;
      return this.js.publish(this.subject, payload, {
        msgID: msgId, headers: h, timeout: this.opts.publishTimeoutMs, expect: { streamName: this.opts.stream },
      });
    });
  }

  /**
   * Every record from `from` to the last sequence at the call, in order, except fence records and
   * records of a stale epoch (see the file comment). The bulk comes through an ordered consumer
   * (the server sends up to `replayWindow` messages per pull request); whatever it did not deliver
   * (an empty pull while a leader is elected) is read by sequence from the stream leader,
   * `replayWindow` gets in flight. A sequence the leader does not have was purged and is skipped.
   * The end is the largest of stream info's last sequence, the leader's last message and this
   * log's own acknowledgements: right after a node restart, stream info was seen to report an older
   * last sequence, and a replay that trusted it missed acknowledged records (test/dist/nats.test.ts).
   */
  async *readFrom(from: bigint): AsyncIterable<LogRecord> {
    const info = await retrying(this.opts.retryBudgetMs, `read stream ${this.opts.stream}`, () => this.jsm.streams.info(this.opts.stream));
    const last = Math.max(info.state.last_seq, await lastStored(this.jsm, this.opts.stream, this.subject), Number(this.next) - 1);
    const first = Math.max(Number(from), info.state.first_seq, 1);
    let floor = await this.fenceFloor(first);
    const groups = new PartAssembler();
    let next = first;
    const sources = [() => this.consumed(next, last), () => this.fetched(next, last)];
    for (const source of sources) {
      if (next > last) break;
      for await (const m of source()) {
        next = m.seq + 1;
        if (m.subject === this.fenceSubject) {
          if (m.epoch > floor) floor = m.epoch;
        } else if (m.epoch < floor) {
          this.discarded++;
        } else {
          const whole = groups.offer(m);
          if (whole !== null) yield this.record(whole);
        }
      }
    }
    // A group cut short is not handed on; one still being published is read whole by a later replay.
    this.partsDropped += groups.discardedParts;
  }

  /** Messages from `first` up to `last` through an ordered consumer, until it delivers `last` or a pull comes back empty. */
  private async *consumed(first: number, last: number): AsyncIterable<Stored> {
    const consumer = await this.js.consumers.get(this.opts.stream, { opt_start_seq: first });
    try {
      for (;;) {
        const batch = await consumer.fetch({ max_messages: this.opts.replayWindow, expires: 2000 });
        let got = 0;
        for await (const m of batch) {
          got++;
          this.consumedCount++;
          yield stored(m.seq, m.subject, (k) => m.headers?.get(k), m.data);
          if (m.seq >= last) return;
        }
        if (got === 0) return;
      }
    } finally {
      await consumer.delete().catch(() => undefined);
    }
  }

  /** Messages from `first` to `last` by sequence from the stream leader, `replayWindow` gets in flight. */
  private async *fetched(first: number, last: number): AsyncIterable<Stored> {
    const window: Promise<StoredMsg | null>[] = [];
    let requested = first;
    try {
      for (let seq = first; seq <= last; seq++) {
        while (requested <= last && window.length < this.opts.replayWindow) window.push(this.getOne(requested++));
        const m = await (window.shift() as Promise<StoredMsg | null>);
        if (m !== null) yield stored(m.seq, m.subject, (k) => m.header.get(k), m.data);
      }
    } finally {
      // Gets still in flight when the replay stops early (an error, the reader broke off).
      for (const p of window) p.catch(() => undefined);
    }
  }

  /** The highest epoch fenced before sequence `seq` (fence records are never purged; there is one per owner). */
  private async fenceFloor(seq: number): Promise<bigint> {
    let floor = 0n;
    for (let at = 1; at < seq;) {
      const query = { next_by_subj: this.fenceSubject, seq: at } as unknown as MsgRequest;
      const m = await this.getBy(query, `fence after ${at}`);
      if (m === null || m.seq >= seq) break;
      const epoch = stored(m.seq, m.subject, (k) => m.header.get(k), new Uint8Array(0)).epoch;
      if (epoch > floor) floor = epoch;
      at = m.seq + 1;
    }
    return floor;
  }

  private record(m: { seq: number; type: string | undefined; payload: Uint8Array }): LogRecord {
    const n = Number(m.type ?? 'NaN');
    if (!Number.isInteger(n)) throw errors.internal(`log record ${m.seq} of stream ${this.opts.stream} has no type header`);
    return { lsn: BigInt(m.seq), type: n, payload: m.payload };
  }

  /** One message by sequence from the stream leader; null when it is not there (purged). */
  private getOne(seq: number): Promise<StoredMsg | null> {
    this.gapGets++;
    return this.getBy({ seq }, `get ${seq}`);
  }

  private async getBy(query: MsgRequest, what: string): Promise<StoredMsg | null> {
    try {
      return await retrying(this.opts.retryBudgetMs, `${what} of stream ${this.opts.stream}`, async () => {
        try {
          return await this.jsm.streams.getMessage(this.opts.stream, query);
        } catch (e) {
          if (e instanceof JetStreamApiError && e.code === JetStreamApiCodes.NoMessageFound) return null;
          throw e;
        }
      });
    } catch (e) {
      throw e instanceof MilvusError ? e : errors.remoteUnavailable('JetStream', String(e));
    }
  }

  async truncateBelow(lsn: bigint): Promise<void> {
    if (lsn <= 1n) return;
    // The data subject only: fence records stay, so readers always know the epoch floor.
    await this.jsm.streams.purge(this.opts.stream, { filter: this.subject, seq: Number(lsn) });
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
