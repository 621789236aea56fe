/**
 * The JetStream stream behind a NatsLog (nats-log.ts): creating or opening it, its last stored
 * sequence, and the bounded retry every call to the cluster goes through.
 */
import {
  JetStreamApiCodes, JetStreamApiError, StorageType, type JetStreamManager,
} from '@nats-io/jetstream';
import { errors } from '../../core/errors.js';

export interface StreamOptions {
  stream: string;
  replicas: number;
  duplicateWindowMs: number;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function streamMissing(e: unknown): boolean {
  return e instanceof Error && /stream not found/i.test(e.message);
}

/** The sequence of the stream's last message as its leader answers a get (0 when empty). */
export async function lastStored(jsm: JetStreamManager, stream: string, subject: string): Promise<number> {
  try {
    const m = await jsm.streams.getMessage(stream, { last_by_subj: subject });
    return m === null ? 0 : m.seq;
  } catch (e) {
    if (e instanceof JetStreamApiError && e.code === JetStreamApiCodes.NoMessageFound) return 0;
    throw e;
  }
}

/** The stream's last sequence, creating the stream (data and fence subjects) when it does not exist. */
export async function ensureStream(jsm: JetStreamManager, opts: StreamOptions): Promise<number> {
  const subjects = [`sextant.wal.${opts.stream}`, `sextant.wal.${opts.stream}.fence`];
  try {
    const info = await jsm.streams.info(opts.stream);
    if (!subjects.every((s) => info.config.subjects.includes(s))) {
      // A stream made before fences existed: add the fence subject.
      await jsm.streams.update(opts.stream, { subjects: Array.from(new Set([...info.config.subjects, ...subjects])) });
    }
    return Math.max(info.state.last_seq, await lastStored(jsm, opts.stream, `sextant.wal.${opts.stream}`));
  } catch (e) {
    if (!streamMissing(e)) throw e;
  }
  const info = await jsm.streams.add({
    name: opts.stream, subjects, num_replicas: opts.replicas, storage: StorageType.File,
    duplicate_window: opts.duplicateWindowMs * 1_000_000,
  });
  return info.state.last_seq;
}

/** Retries `fn` with backoff (a cluster electing a leader answers timeouts for a while) up to `budgetMs`. */
export async function retrying<T>(budgetMs: number, what: string, fn: () => Promise<T>): Promise<T> {
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
