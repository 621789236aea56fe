/**
 * The resource group catalog (RESOURCE_GROUPS) under crashes: a crash at any file-system operation
 * keeps every acknowledged change (persist, then publish), on the real catalog code over the
 * crash-simulating memory file system.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FaultyFileSystem } from '../../src/storage/fs/faulty.js';
import { MemoryFileSystem } from '../../src/storage/fs/memory.js';
import { plainConfig, ResourceGroupCatalog } from '../../src/service/resource-groups/catalog.js';
import { DEFAULT_RESOURCE_GROUP } from '../../src/service/resource-groups/types.js';
import { rng } from '../support/fixtures.js';

const DIR = '/data';
const NODES = new Map([[1, []]]);

test('a crash at any file-system operation keeps every acknowledged resource group change (40 seeded runs)', { timeout: 120_000 }, async (t) => {
  let crashedMidway = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const rand = rng(seed);
    let mem = new MemoryFileSystem();
    await mem.mkdir(DIR, { recursive: true });
    await mem.fsyncDir('/');
    await ResourceGroupCatalog.open(mem, DIR, NODES);
    const faulty = new FaultyFileSystem(mem);
    const crashAt = 1 + Math.floor(rand() * 60);
    let ops = 0;
    let crashed: MemoryFileSystem | null = null;
    faulty.onOp = () => { if (++ops === crashAt && crashed === null) crashed = mem.crash(); };
    const acked: string[] = [];
    const catalog = await ResourceGroupCatalog.open(faulty, DIR, NODES).catch(() => null);
    if (catalog !== null) {
      try {
        for (let i = 0; i < 12 && crashed === null; i++) {
          // every other group requests the node, so it moves back and forth with the changes
          await catalog.change((b) => { b.groups.push({ name: `rg${i}`, config: plainConfig(i % 2, i % 2), nodes: [] }); });
          acked.push(`rg${i}`);
        }
      } catch {
        // the crash fails every later operation; what was acknowledged must survive
      }
    }
    if (crashed !== null && acked.length > 0) crashedMidway++;
    mem = crashed ?? mem.crash();
    const reopened = await ResourceGroupCatalog.open(mem, DIR, NODES);
    for (const g of acked) assert.ok(reopened.group(g) !== undefined, `seed ${seed}: acknowledged group ${g} lost (crash at op ${crashAt})`);
    assert.ok(reopened.group(DEFAULT_RESOURCE_GROUP) !== undefined, `seed ${seed}: the default group is gone`);
    const holders = reopened.groups.filter((g) => g.nodes.includes(1));
    assert.equal(holders.length, 1, `seed ${seed}: node 1 must be in exactly one group`);
  }
  t.diagnostic(`40 runs, ${crashedMidway} crashed after at least one acknowledged change; 0 acknowledged changes lost`);
});
