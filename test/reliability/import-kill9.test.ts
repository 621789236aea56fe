/**
 * kill -9 during bulk import: for each round a child (import-child.ts) starts an import job of R
 * rows into a new collection and is SIGKILLed at a random moment; a second child on the same data
 * dir resumes (or finds finished) the job. Every row count any child observed is 0 or R (never
 * part of the job, never twice), and the job ends Completed with exactly R rows.
 * SEXTANT_SOAK=long: more rounds, more rows.
 */
import { spawn } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../../src/core/random.js';
import { makeTempDir } from '../support/tmp.js';

const LONG = process.env['SEXTANT_SOAK'] === 'long';
const KILLS = LONG ? 40 : 8;
const R = LONG ? 60_000 : 20_000;
const DIM = 8;
const CHILD = new URL('./import-child.js', import.meta.url).pathname;

interface Run { lines: string[]; code: number | null; signal: NodeJS.Signals | null }

function runChild(dir: string, collection: string, killAfterMs: number | null): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dir, collection], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines: string[] = [];
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const parts = buf.split('\n');
      buf = parts.pop() ?? '';
      for (const l of parts) {
        lines.push(l);
        if (l.startsWith('JOB ') && killAfterMs !== null) setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ lines, code, signal }));
  });
}

test(`kill -9 during bulk import never leaves part of a job (${KILLS} rounds, ${R} rows)`, { timeout: 600_000 }, async (t) => {
  const dir = await makeTempDir();
  try {
    await mkdir(join(dir, 'files'), { recursive: true });
    const rows = Array.from({ length: R }, (_, i) => ({ id: i, tag: `t${i % 5}`, score: i / 4, vec: Array.from({ length: DIM }, (_, k) => (i * 7 + k) % 13) }));
    await writeFile(join(dir, 'files', 'big.json'), JSON.stringify({ rows }));
    const rand = seededRandom(16);
    const seen = new Set<number>();
    let midJob = 0;
    for (let k = 0; k < KILLS; k++) {
      const collection = `imp${k}`;
      const run = await runChild(dir, collection, Math.floor(rand() * 1_200));
      const states = run.lines.filter((l) => l.startsWith('STATE '));
      if (run.signal === 'SIGKILL' && !/Completed|Failed/.test(states.at(-1) ?? '')) midJob++;
      for (const l of states) seen.add(Number(l.split(' ')[2]));
      const last = await runChild(dir, collection, null);
      assert.equal(last.code, 0);
      const after = last.lines.filter((l) => l.startsWith('STATE '));
      for (const l of after) seen.add(Number(l.split(' ')[2]));
      assert.equal(after.at(-1), `STATE Completed ${R}`, `round ${k}`);
    }
    t.diagnostic(`rounds ${KILLS}, killed before the job ended ${midJob}, row counts seen ${[...seen].sort((a, b) => a - b).join(',')}`);
    assert.deepEqual([...seen].filter((n) => n !== 0 && n !== R), [], 'no partial or doubled job was ever visible');
    assert.ok(midJob > 0, 'some kill landed while a job ran');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
