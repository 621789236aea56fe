/**
 * Regression: the streaming RPCs of MilvusService (DumpMessages, CreateReplicateStream) used to be
 * registered with the unary wrapper; grpc-js calls streaming handlers without a callback, so one
 * call threw "callback is not a function" in a promise and took the whole process down. They now
 * answer unsupported (in band when the response has a status, else UNIMPLEMENTED) and the server
 * keeps serving. Unsupported unary RPCs without a status field answer UNIMPLEMENTED (was INTERNAL).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { SERVICE_NAME, milvusRoot } from '../../src/server/grpc/proto.js';
import { methodsOf, RawChannel } from '../fuzz/wire.js';
import { startSextant, tempDataDir } from './harness.js';

test('streaming RPCs answer unsupported and the server keeps serving', { timeout: 60_000 }, async () => {
  const data = await tempDataDir();
  const s = await startSextant(data.dir);
  const ch = new RawChannel(s.port);
  try {
    const methods = methodsOf(SERVICE_NAME);
    const streaming = methods.filter((m) => m.requestStream || m.responseStream);
    assert.deepEqual(streaming.map((m) => m.name).sort(), ['CreateReplicateStream', 'DumpMessages']);
    for (const m of streaming) {
      for (let i = 0; i < 3; i++) {
        const o = await ch.call(m, Buffer.alloc(0), 5_000);
        if (o.kind === 'reply') {
          const [first] = o.bytes;
          assert.ok(first !== undefined, `${m.name}: one response message`);
          const decoded = m.responseType.toObject(m.responseType.decode(first)) as { status?: { code?: number } };
          assert.equal(decoded.status?.code, 3000, `${m.name}: in-band unsupported`);
        } else {
          assert.equal(o.code, grpc.status.UNIMPLEMENTED, `${m.name}: ${o.details}`);
        }
      }
    }
    // Unsupported RPCs whose response has no status field: UNIMPLEMENTED, not INTERNAL.
    for (const name of ['Dummy', 'GetReplicateInfo']) {
      const m = methods.find((x) => x.name === name);
      assert.ok(m !== undefined);
      const o = await ch.call(m, Buffer.alloc(0), 5_000);
      assert.ok(o.kind === 'error' && o.code === grpc.status.UNIMPLEMENTED, `${name}: ${JSON.stringify(o)}`);
    }
    const version = methods.find((m) => m.name === 'GetVersion');
    assert.ok(version !== undefined);
    const o = await ch.call(version, Buffer.alloc(0), 5_000);
    assert.equal(o.kind, 'reply', 'the server still answers');
    assert.ok(milvusRoot.lookupType('milvus.proto.milvus.GetVersionResponse') !== null);
    assert.deepEqual(s.unexpected, []);
  } finally {
    ch.close();
    await s.stop();
    await data.remove();
  }
});
