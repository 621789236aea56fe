/**
 * kill -9 at random moments: a child inserts with acknowledged ids and is SIGKILLed >= 20 times;
 * after each restart every acknowledged row is present exactly once.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SextantService } from '../../src/service/service.js';
import { makeTempDir } from '../support/tmp.js';
import { rng } from '../support/fixtures.js';
import { rm } from 'node:fs/promises';

const childPath = path.join(path.dirname(fileURLToPath(import.meta.url)), 'crash-child.js');

interface RoundResult { acked: [number, number][]; maxTried: number }

/** `duringOpen`: kill at a random moment from spawn, so some kills land while the WAL is replayed. */
function runChildAndKill(dir: string, firstId: number, killAfterMs: number, duringOpen: boolean): Promise<RoundResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childPath, dir, String(firstId), '50'], { stdio: ['ignore', 'pipe', 'pipe'] });
    if (duringOpen) setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    const acked: [number, number][] = [];
    let maxTried = firstId - 1;
    let buf = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const [kind, a, b] = line.split(' ');
        if (kind === 'READY' && !duringOpen) setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        else if (kind === 'TRY') maxTried = Math.max(maxTried, Number(b));
        else if (kind === 'ACK') acked.push([Number(a), Number(b)]);
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited with ${code}/${signal}: ${stderr}`));
      else resolve({ acked, maxTried });
    });
  });
}

async function verify(dir: string, acked: Set<number>, maxTried: number): Promise<number> {
  const svc = await SextantService.open({ dataDir: dir });
  try {
    if (!(await svc.hasCollection({ collectionName: 'crash' }))) {
      assert.equal(acked.size, 0, 'acknowledged rows but no collection after restart');
      return 0;
    }
    const idx = await svc.describeIndex({ collectionName: 'crash' }).catch(() => []);
    if (idx.length === 0) await svc.createIndex({ collectionName: 'crash', fieldName: 'vec', params: { index_type: 'FLAT', metric_type: 'L2' } });
    await svc.loadCollection({ collectionName: 'crash' });
    const rows = await svc.query({ collectionName: 'crash', filter: 'id >= 0', outputFields: ['id'] });
    const count = await svc.query({ collectionName: 'crash', filter: 'id >= 0', outputFields: ['count(*)'] });
    const idCol = rows.columns.find((c) => c.field.name === 'id')!.column;
    assert.equal(idCol.kind, 'int64');
    const present = new Set<number>();
    for (const v of idCol.data as BigInt64Array) present.add(Number(v));
    for (const id of acked) assert.ok(present.has(id), `acknowledged id ${id} is missing after restart`);
    for (const id of present) assert.ok(id <= maxTried, `id ${id} was never written`);
    const countCol = count.columns[0]!.column;
    assert.equal(countCol.kind, 'int64');
    assert.equal(Number((countCol.data as BigInt64Array)[0]), present.size, 'duplicate rows after replay');
    await svc.releaseCollection({ collectionName: 'crash' });
    return present.size;
  } finally {
    await svc.close();
  }
}

test('kill -9 at random moments loses no acknowledged insert and duplicates none (20+ rounds)', { timeout: 300_000 }, async () => {
  const dir = await makeTempDir();
  const rand = rng(42);
  const acked = new Set<number>();
  let maxTried = -1;
  try {
    for (let round = 0; round < 22; round++) {
      // Every fourth round the kill comes at a random moment from spawn (often mid-open / replay).
      const duringOpen = round % 4 === 3;
      const r = await runChildAndKill(dir, maxTried + 1, duringOpen ? Math.floor(rand() * 250) : 20 + Math.floor(rand() * 400), duringOpen);
      for (const [a, b] of r.acked) for (let i = a; i <= b; i++) acked.add(i);
      maxTried = Math.max(maxTried, r.maxTried);
      await verify(dir, acked, maxTried);
    }
    console.log(`# kill -9 rounds: 22, acknowledged rows: ${acked.size}, highest id tried: ${maxTried}`);
    assert.ok(acked.size > 1000, `only ${acked.size} rows were acknowledged: the test did not exercise much`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
