/**
 * The pure parts of query nodes (issue #14): the guarantee timestamp of each consistency level
 * (server/consistency.ts, as Milvus' parseGuaranteeTsFromConsistency) and replica placement by
 * rendezvous hashing (storage/dist/etcd-placement.ts): distinct nodes, and a dead node's replicas
 * are the only ones that move.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConsistencyLevel } from '../../src/core/enums.js';
import { requiredTs } from '../../src/server/consistency.js';
import { tsAt } from '../../src/server/follower.js';
import { placeReplicas } from '../../src/storage/dist/etcd-placement.js';

test('consistency levels: Strong now, Bounded now - graceful, Eventually none, Session the guarantee (else now)', () => {
  const now = 1_700_000_000_000;
  assert.equal(requiredTs(ConsistencyLevel.Strong, undefined, now, 5000), tsAt(now));
  assert.equal(requiredTs(ConsistencyLevel.Bounded, undefined, now, 5000), tsAt(now - 5000));
  assert.equal(requiredTs(ConsistencyLevel.Eventually, tsAt(now), now, 5000), null);
  assert.equal(requiredTs(ConsistencyLevel.Session, 42n, now, 5000), 42n);
  assert.equal(requiredTs(ConsistencyLevel.Session, undefined, now, 5000), tsAt(now));
  assert.equal(requiredTs(ConsistencyLevel.Customized, 7n, now, 5000), 7n);
  // Strong ignores a guarantee timestamp, as Milvus' proxy does.
  assert.equal(requiredTs(ConsistencyLevel.Strong, 7n, now, 5000), tsAt(now));
});

test('placement: replicas on distinct nodes; a dead node moves only its own replicas', () => {
  const nodes = ['q1', 'q2', 'q3', 'q4', 'q5'];
  let moved = 0, kept = 0;
  for (let c = 1; c <= 200; c++) {
    const two = placeReplicas(c, 2, nodes);
    assert.equal(two.length, 2);
    assert.notEqual(two[0], two[1]);
    assert.deepEqual(placeReplicas(c, 2, [...nodes].reverse()), two, 'the order of the node list does not matter');
    const dead = 'q3';
    const after = placeReplicas(c, 2, nodes.filter((n) => n !== dead));
    for (const n of two) if (n !== dead) assert.ok(after.includes(n), `collection ${c}: a live holder keeps its replica`);
    if (two.includes(dead)) moved++; else { kept++; assert.deepEqual(after, two); }
  }
  assert.ok(moved > 0 && kept > 0, `both cases seen (${moved} moved, ${kept} kept)`);
  assert.deepEqual(placeReplicas(1, 3, ['q1', 'q2']).length, 2, 'fewer nodes than replicas: degraded, not an error here');
});
