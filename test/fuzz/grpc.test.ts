/**
 * Hostile protobuf on every RPC of every service the server registers (MilvusService and
 * ClientTelemetryService, enumerated from the descriptor): valid requests from corpus.ts, the same
 * with one field replaced by an edge value, byte-mutated encodings and random bytes, against the real
 * server process. Every call must answer in band (a decodable response whose status carries a Milvus
 * code; the server logs no "failed unexpectedly"), or UNIMPLEMENTED for an unsupported RPC without a status, or, for bytes grpc-js cannot decode, its "Error deserializing request"
 * status. After each batch the server must be alive, have logged nothing unexpected and answer a
 * search correctly; RSS after a quiet period must stay within 100 MB of where it started.
 * Replay: SEXTANT_FUZZ_SEED=<printed seed>.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { SERVICE_NAME, TELEMETRY_SERVICE_NAME, rpcInventory } from '../../src/server/grpc/proto.js';
import { Rng } from '../expr/gen.js';
import { mutateFields, requestOf } from './corpus.js';
import { mutateBytes, randomBytes } from './mutate.js';
import { checkBatch, fuzzSeed, LONG, mb, quietRss, RSS_GROWTH_BOUND_BYTES, serve } from './server.js';
import { encode, methodsOf, RawChannel, type MethodInfo, type Outcome } from './wire.js';

const PER_METHOD_PER_BATCH = 12;
const BATCHES = LONG ? 60 : 6;
const IN_FLIGHT = 8;

const statusFieldOf = new Map(rpcInventory(SERVICE_NAME).map((r) => [r.name, r]));

function body(r: Rng, m: MethodInfo): Buffer {
  const roll = r.int(0, 19);
  if (roll === 0) return randomBytes(r, r.int(0, 64));
  const valid = requestOf(r, m.name, m.requestType);
  let bytes: Buffer;
  try {
    bytes = encode(m.requestType, roll < 10 ? mutateFields(r, m.requestType, valid) : valid);
  } catch {
    try {
      bytes = encode(m.requestType, valid);
    } catch {
      bytes = Buffer.alloc(0);
    }
  }
  return roll >= 3 && roll < 10 && r.chance(0.3) ? mutateBytes(r, bytes) : roll >= 12 ? mutateBytes(r, bytes) : bytes;
}

function noStatus(m: MethodInfo): boolean {
  const info = statusFieldOf.get(m.name);
  return info !== undefined && info.statusField === null && !info.returnsStatus;
}

/** Why an outcome is out of band, or null when it is a proper answer. */
function judge(m: MethodInfo, o: Outcome): string | null {
  if (o.kind === 'error') {
    if (o.code === grpc.status.INTERNAL && o.details.startsWith('Error deserializing request')) return null;
    if (o.code === grpc.status.RESOURCE_EXHAUSTED) return null;
    if (o.code === grpc.status.UNIMPLEMENTED && (m.service === TELEMETRY_SERVICE_NAME || noStatus(m))) return null;
    return `gRPC status ${o.code} (${o.details})`;
  }
  if (m.responseStream) return null;
  const [bytes] = o.bytes;
  if (bytes === undefined) return 'no response message';
  let decoded: Record<string, unknown>;
  try {
    decoded = m.responseType.toObject(m.responseType.decode(bytes), { longs: String, defaults: true }) as Record<string, unknown>;
  } catch (e) {
    return `undecodable response: ${String(e)}`;
  }
  const info = statusFieldOf.get(m.name);
  const status = info?.returnsStatus === true ? decoded : decoded[info?.statusField ?? 'status'];
  if (typeof status !== 'object' || status === null) return 'response without a status';
  // 65535 is a code Milvus answers on purpose for a few checks; bugs show as "failed unexpectedly" in the log.
  return typeof (status as { code?: unknown }).code === 'number' ? null : 'status without a code';
}

interface Failure { method: string; why: string; bodyBase64: string }

async function runBatch(r: Rng, ch: RawChannel, methods: MethodInfo[], counts: Map<string, number>, failures: Failure[]): Promise<void> {
  const jobs: (() => Promise<void>)[] = [];
  for (const m of methods) {
    for (let i = 0; i < PER_METHOD_PER_BATCH; i++) {
      const b = body(r, m);
      jobs.push(async () => {
        const why = judge(m, await ch.call(m, b));
        counts.set(m.name, (counts.get(m.name) ?? 0) + 1);
        if (why !== null && failures.length < 50) failures.push({ method: `${m.service}/${m.name}`, why, bodyBase64: b.toString('base64').slice(0, 400) });
      });
    }
  }
  for (let i = jobs.length - 1; i > 0; i--) {
    const j = r.int(0, i);
    [jobs[i], jobs[j]] = [jobs[j] as () => Promise<void>, jobs[i] as () => Promise<void>];
  }
  let next = 0;
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
    while (next < jobs.length) await (jobs[next++] as () => Promise<void>)();
  }));
}

test('gRPC: mutated and random protobuf on every RPC answers in band; the server stays up and bounded', { timeout: LONG ? Infinity : 600_000 }, async (t) => {
  const seed = fuzzSeed();
  t.diagnostic(`seed ${seed} (replay: SEXTANT_FUZZ_SEED=${seed})`);
  const r = new Rng(seed);
  const methods = [...methodsOf(SERVICE_NAME), ...methodsOf(TELEMETRY_SERVICE_NAME)];
  assert.ok(methods.length > 100, 'every RPC of the descriptor');
  const s = await serve();
  const ch = new RawChannel(s.port);
  const counts = new Map<string, number>();
  const failures: Failure[] = [];
  try {
    let rssBefore = 0;
    for (let b = 0; b < BATCHES; b++) {
      await runBatch(r, ch, methods, counts, failures);
      await checkBatch(s, failures, seed);
      if (b === 0) rssBefore = await quietRss(s); // after a warm-up batch: code paths loaded, heap sized
    }
    const rssAfter = await quietRss(s);
    const total = [...counts.values()].reduce((a, n) => a + n, 0);
    t.diagnostic(`${total} requests over ${methods.length} methods (${PER_METHOD_PER_BATCH * BATCHES} each); RSS after warm-up batch ${mb(rssBefore)} -> after all ${mb(rssAfter)}`);
    assert.ok(rssAfter - rssBefore < RSS_GROWTH_BOUND_BYTES, `RSS grew ${mb(rssAfter - rssBefore)}`);
    s.assertHealthy();
  } finally {
    ch.close();
    await s.stop();
  }
});
