/**
 * kill -9 during compaction: a child (compaction-child.ts) inserts, deletes and upserts while its
 * small segments are compacted all the time, and is SIGKILLed at random moments; after each kill the
 * data dir is opened again and checked: every acknowledged row is there exactly once, no
 * acknowledged delete came back, nothing never written appeared. Kills that landed while a
 * compaction was executing are counted. CI: 16 cycles; SEXTANT_SOAK=long: 200. The exhaustive
 * version (a crash at every file-system operation of one compaction) is test/engine/compaction-crash.
 */
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../../src/core/random.js';
import { SextantService } from '../../src/service/service.js';
import { makeTempDir } from '../support/tmp.js';

const LONG = process.env['SEXTANT_SOAK'] === 'long';
const CYCLES = Number(process.env['SEXTANT_SOAK_CYCLES'] ?? (LONG ? 200 : 16));
const SEED = Number(process.env['SEXTANT_SOAK_SEED'] ?? 20261205);
const childJs = new URL('./compaction-child.js', import.meta.url);

/** `deleting`: deletes sent but not acknowledged when the kill came (either outcome is right). */
interface Model { acked: Set<number>; deleted: Set<number>; deleting: Set<number>; maxTried: number }
interface Round { killedDuringCompaction: boolean; compactions: number; swaps: number }

function runAndKill(dir: string, model: Model, killAfterMs: number): Promise<Round> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childJs.pathname, dir, String(model.maxTried + 1)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = '';
    let err = '';
    let compacting = false;
    let compactions = 0;
    let killedDuring = false;
    let swaps = 0;
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const [kind, a, b] = buf.slice(0, nl).split(' ');
        buf = buf.slice(nl + 1);
        if (kind === 'READY') setTimeout(() => { killedDuring = compacting; child.kill('SIGKILL'); }, killAfterMs);
        else if (kind === 'TRY') model.maxTried = Math.max(model.maxTried, Number(b));
        else if (kind === 'ACK') for (let i = Number(a); i <= Number(b); i++) model.acked.add(i);
        else if (kind === 'DTRY') model.deleting.add(Number(a));
        else if (kind === 'DACK') {
          model.deleting.delete(Number(a));
          model.deleted.add(Number(a));
        }
        else if (kind === 'SWAPPED') swaps = Number(a);
        else if (kind === 'COMPACTING') {
          compacting = a === '1';
          if (compacting) compactions++;
        }
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited with ${String(code)}/${String(signal)}: ${err}`));
      else resolve({ killedDuringCompaction: killedDuring, compactions, swaps });
    });
  });
}

/** Rows lost and rows duplicated (both must be 0); throws on a resurrected delete or an unknown id. */
async function verify(dir: string, model: Model): Promise<{ rows: number; segments: number; lost: number; duplicated: number }> {
  const svc = await SextantService.open({ dataDir: dir, autoCompaction: false });
  try {
    if (!(await svc.hasCollection({ collectionName: 'cc' }))) return { rows: 0, segments: 0, lost: model.acked.size, duplicated: 0 };
    await svc.loadCollection({ collectionName: 'cc' });
    const rows = await svc.query({ collectionName: 'cc', filter: 'id >= 0', outputFields: ['id'] });
    const count = await svc.query({ collectionName: 'cc', filter: 'id >= 0', outputFields: ['count(*)'] });
    const present = new Set<number>();
    for (const v of rows.columns.find((c) => c.field.name === 'id')!.column.data as BigInt64Array) present.add(Number(v));
    const total = Number((count.columns[0]!.column.data as BigInt64Array)[0]);
    let lost = 0;
    for (const id of model.acked) if (!model.deleted.has(id) && !model.deleting.has(id) && !present.has(id)) {
      lost++;
      if (lost < 5) console.log(`# lost id ${id}`);
    }
    for (const id of model.deleted) assert.ok(!present.has(id), `deleted id ${id} came back`);
    for (const id of present) assert.ok(id <= model.maxTried, `id ${id} was never written`);
    let segments = 0;
    for (const c of svc.engine.collections.values()) for (const p of c.partitions.values()) segments += p.meta.segments.length;
    return { rows: present.size, segments, lost, duplicated: total - present.size };
  } finally {
    await svc.close();
  }
}

test(`kill -9 during compaction: ${CYCLES} cycles lose, resurrect and duplicate nothing`, { timeout: LONG ? Infinity : 300_000 }, async (t) => {
  const dir = await makeTempDir();
  const rand = seededRandom(SEED);
  const model: Model = { acked: new Set(), deleted: new Set(), deleting: new Set(), maxTried: -1 };
  let during = 0;
  let compactions = 0;
  let swaps = 0;
  let last = { rows: 0, segments: 0, lost: 0, duplicated: 0 };
  try {
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const r = await runAndKill(dir, model, 300 + Math.floor(rand() * 4500));
      if (r.killedDuringCompaction) during++;
      compactions += r.compactions;
      swaps += r.swaps;
      last = await verify(dir, model);
      assert.equal(last.lost, 0, `cycle ${cycle}: ${last.lost} acknowledged rows lost`);
      assert.equal(last.duplicated, 0, `cycle ${cycle}: ${last.duplicated} rows duplicated`);
    }
    t.diagnostic(`cycles ${CYCLES}, kills during an executing compaction ${during}, compactions started ${compactions}, merged segments swapped in ${swaps}, ` +
      `rows acknowledged ${model.acked.size}, deletes acknowledged ${model.deleted.size}, rows at the end ${last.rows} in ${last.segments} segments, lost 0, duplicated 0`);
    assert.ok(during > 0, 'no kill landed during a compaction: the test did not exercise it');
    assert.ok(swaps > 0, 'no merged segment was swapped in before a kill: the test did not exercise the swap');
  } finally {
    if (process.env['KEEP_DIR']) console.log(`# kept ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  }
});
