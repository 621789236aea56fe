/**
 * Conformance: the real server over the real service, driven by @zilliz/milvus2-sdk-node's
 * MilvusClient (the suite: conformance-suite.ts). Tests run in order on one data directory; the
 * last one restarts the server on it.
 */
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startSextant, tempDataDir, type Running } from './harness.js';
import { conformanceSuite } from './conformance-suite.js';

let data: Awaited<ReturnType<typeof tempDataDir>>;
let s: Running;
before(async () => {
  data = await tempDataDir();
  s = await startSextant(data.dir);
});
after(async () => {
  await s.stop();
  assert.deepEqual(s.unexpected, [], 'no RPC hit an unexpected (non-Milvus) error');
  await data.remove();
});

conformanceSuite('one server', () => ({
  client: s.client,
  restart: async () => {
    await s.stop();
    assert.deepEqual(s.unexpected, []);
    s = await startSextant(data.dir);
  },
}));
