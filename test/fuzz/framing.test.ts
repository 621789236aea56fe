/**
 * Malformed framing on raw TCP sockets to both ports: random bytes, truncated and corrupted HTTP/2
 * prefaces, garbage and oversized HTTP/2 frames, SETTINGS and PING floods, oversized headers, bad
 * Content-Length, invalid chunked encoding, mutated HTTP/1 requests and half-open connections.
 * The server must never answer 5xx, must keep serving (a search answers the expected ids while 200
 * half-open sockets sit on it), log nothing unexpected and keep its RSS bounded.
 * Replay: SEXTANT_FUZZ_SEED=<printed seed>.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Rng } from '../expr/gen.js';
import { mutateBytes, randomBytes } from './mutate.js';
import { FUZZ, fuzzSeed, jsonText, LONG, mb, quietRss, serve, vectorOf } from './server.js';

const ROUNDS = LONG ? 40 : 4;
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

function frame(type: number, flags: number, stream: number, payload: Buffer, lengthOverride?: number): Buffer {
  const h = Buffer.alloc(9);
  h.writeUIntBE(lengthOverride ?? payload.length, 0, 3);
  h[3] = type;
  h[4] = flags;
  h.writeUInt32BE(stream >>> 0, 5);
  return Buffer.concat([h, payload]);
}

function httpText(path: string, body: string, extra = ''): string {
  return `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;
}

/** Write the chunks, wait for the server to answer or close (bounded), return what it sent. */
function exchange(port: number, chunks: Buffer[], waitMs: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const got: Buffer[] = [];
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve(Buffer.concat(got).toString('latin1'));
    };
    socket.on('data', (b: Buffer) => got.push(b));
    socket.on('error', finish);
    socket.on('close', finish);
    socket.on('connect', () => {
      for (const c of chunks) socket.write(c);
    });
    setTimeout(finish, waitMs);
  });
}

type Case = (r: Rng) => Buffer[];

function cases(): Record<string, Case> {
  const search = httpText('/v2/vectordb/entities/search', jsonText({ collectionName: FUZZ, data: [vectorOf(3)], annsField: 'vec', limit: 3 }));
  return {
    randomBytes: (r) => [randomBytes(r, r.int(1, 4096))],
    truncatedPreface: (r) => [PREFACE.subarray(0, r.int(1, PREFACE.length - 1))],
    corruptedPreface: (r) => [mutateBytes(r, PREFACE), randomBytes(r, r.int(0, 64))],
    prefaceThenGarbage: (r) => [PREFACE, randomBytes(r, r.int(1, 2048))],
    garbageFrames: (r) => [PREFACE, frame(4, 0, 0, Buffer.alloc(0)), ...Array.from({ length: r.int(1, 20) }, () => frame(r.int(0, 12), r.int(0, 255), r.int(0, 9), randomBytes(r, r.int(0, 64))))],
    hugeFrameLength: (r) => [PREFACE, frame(4, 0, 0, Buffer.alloc(0)), frame(r.pick([0, 1, 4, 9]), 0, r.pick([0, 1]), randomBytes(r, 100), 0xffffff)],
    settingsFlood: () => [PREFACE, Buffer.concat(Array.from({ length: 20_000 }, () => frame(4, 0, 0, Buffer.from([0, 3, 0, 0, 0, 100]))))],
    pingFlood: () => [PREFACE, frame(4, 0, 0, Buffer.alloc(0)), Buffer.concat(Array.from({ length: 20_000 }, () => frame(6, 0, 0, Buffer.alloc(8))))],
    headersWithoutEnd: (r) => [PREFACE, frame(4, 0, 0, Buffer.alloc(0)), frame(1, 0, 1, randomBytes(r, 200)), frame(9, 0, 1, randomBytes(r, 200))],
    windowUpdateOverflow: () => [PREFACE, frame(4, 0, 0, Buffer.alloc(0)), frame(8, 0, 0, Buffer.from([0x7f, 0xff, 0xff, 0xff])), frame(8, 0, 0, Buffer.from([0x7f, 0xff, 0xff, 0xff]))],
    oversizedHeaders: (r) => [Buffer.from(`POST /v2/vectordb/collections/list HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(r.pick([20_000, 100_000, 1_000_000]))}\r\n\r\n`)],
    manyHeaders: () => [Buffer.from(`GET /healthz HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 5_000 }, (_, i) => `X-${i}: v\r\n`).join('')}\r\n`)],
    badContentLength: (r) => [Buffer.from(`POST /v2/vectordb/collections/list HTTP/1.1\r\nHost: x\r\nContent-Length: ${r.pick(['-1', 'abc', '1e3', '99999999999999999999', '5, 6', ' '])}\r\n\r\n{}`)],
    conflictingLengths: () => [Buffer.from('POST /v2/vectordb/collections/list HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 40\r\n\r\n{}')],
    lengthLongerThanBody: (r) => [Buffer.from(`POST /v2/vectordb/collections/list HTTP/1.1\r\nHost: x\r\nContent-Length: ${r.pick([100, 1_000_000, 10 ** 12])}\r\n\r\n{"a":`)],
    badChunked: (r) => [Buffer.from(`POST /v2/vectordb/entities/query HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${r.pick(['zz\r\n{}\r\n0\r\n\r\n', 'fffffffffffffff\r\n{}', '2\r\n{}\r\n', '-1\r\n', '2;ext=' + 'x'.repeat(20_000) + '\r\n{}\r\n0\r\n\r\n', '3\r\n{}\r\n0\r\n\r\n'])}`)],
    chunkedAndLength: () => [Buffer.from('POST /v2/vectordb/entities/query HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n2\r\n{}\r\n0\r\n\r\n')],
    mutatedHttp1: (r) => [mutateBytes(r, Buffer.from(search))],
    pipelinedGarbage: (r) => [Buffer.from(search + search), randomBytes(r, 200)],
    badRequestLine: (r) => [Buffer.from(r.pick(['GET\r\n\r\n', 'GET / HTTP/9.9\r\n\r\n', 'G\u0000T / HTTP/1.1\r\n\r\n', `GET /${'a'.repeat(100_000)} HTTP/1.1\r\n\r\n`, 'POST /v2/vectordb/ HTTP/1.1\r\nHost: x\r\n\r\n']))],
    http2OnHttpPort: (r) => [PREFACE, randomBytes(r, 100)],
  };
}

/** Answers that show a server error: any 5xx status line on an HTTP/1 reply. */
const serverError = (reply: string): boolean => /^HTTP\/1\.[01] 5\d\d/m.test(reply);

async function halfOpen(port: number, n: number, r: Rng): Promise<net.Socket[]> {
  const sockets: net.Socket[] = [];
  for (let i = 0; i < n; i++) {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => undefined);
    const kind = r.int(0, 3);
    s.on('connect', () => {
      if (kind === 0) s.write('PRI * HT');
      else if (kind === 1) s.write('POST /v2/vectordb/collections/list HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{');
      else if (kind === 2) s.write('GET /healthz HTTP/1.1\r\nHost');
      // kind 3: connects and says nothing
    });
    sockets.push(s);
  }
  await new Promise((res) => setTimeout(res, 500));
  return sockets;
}

test('framing: malformed HTTP/1 and HTTP/2 on both ports never gets a 5xx or stops the server', { timeout: LONG ? Infinity : 600_000 }, async (t) => {
  const seed = fuzzSeed();
  t.diagnostic(`seed ${seed} (replay: SEXTANT_FUZZ_SEED=${seed})`);
  const r = new Rng(seed);
  const s = await serve();
  const all = cases();
  const counts = new Map<string, number>();
  const failures: string[] = [];
  try {
    let rssBefore = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, make] of Object.entries(all)) {
        for (const port of [s.port, s.httpPort]) {
          const jobs = Array.from({ length: 5 }, () => exchange(port, make(r), 1_000));
          for (const reply of await Promise.all(jobs)) {
            counts.set(name, (counts.get(name) ?? 0) + 1);
            if (serverError(reply) && failures.length < 20) failures.push(`${name} on port ${port === s.port ? 'main' : 'http'}: ${reply.slice(0, 200)}`);
          }
        }
      }
      const idle = await halfOpen(r.chance(0.5) ? s.port : s.httpPort, 200, r);
      await s.probe();
      for (const socket of idle) socket.destroy();
      s.assertHealthy();
      await s.probe();
      assert.deepEqual(failures, [], `5xx answers (seed ${seed})`);
      if (round === 0) rssBefore = await quietRss(s);
    }
    const rssAfter = await quietRss(s);
    const total = [...counts.values()].reduce((a, n) => a + n, 0);
    t.diagnostic(`${total} malformed connections over ${counts.size} kinds x 2 ports, ${ROUNDS * 200} half-open; RSS after warm-up round ${mb(rssBefore)} -> after all ${mb(rssAfter)}`);
    assert.ok(rssAfter - rssBefore < 100 * 1048576, `RSS grew ${mb(rssAfter - rssBefore)}`);
  } finally {
    await s.stop();
  }
});
