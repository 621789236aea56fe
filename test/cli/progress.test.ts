/** Progress bar on a pseudo-terminal (util-linux `script`), plain lines otherwise, and Ctrl-C between batches. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLI, json, runCli, tempDir } from './helpers.js';

let t: Awaited<ReturnType<typeof tempDir>>;
let data: string;
let bigCsv: string;
const BIG_ROWS = 200_000;

function hasScript(): boolean {
  try { execFileSync('script', ['--version'], { stdio: 'ignore' }); return true; } catch { return false; }
}

before(async () => {
  t = await tempDir('sextant-cli-progress-');
  data = join(t.dir, 'data');
  bigCsv = join(t.dir, 'big.csv');
  const lines = ['id,vec'];
  for (let i = 0; i < BIG_ROWS; i++) lines.push(`${i},"[${i % 7},${i % 5},${i % 3},1]"`);
  await writeFile(bigCsv, `${lines.join('\n')}\n`);
  const r = await runCli(['--data', data, 'create', 'collection', '-c', 'big', '-f', 'id:INT64:primary', '-f', 'vec:FLOAT_VECTOR:4']);
  assert.equal(r.code, 0, r.stderr);
});
after(async () => { await t.remove(); });

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

test('on a terminal, a file insert draws a redrawn bar with percent, rows/s and ETA', { skip: hasScript() ? false : 'no `script` command' }, async () => {
  const small = join(t.dir, 'small.csv');
  const lines = ['id,vec'];
  for (let i = 0; i < 20_000; i++) lines.push(`${1_000_000 + i},"[1,2,3,4]"`);
  await writeFile(small, `${lines.join('\n')}\n`);
  const cmd = [process.execPath, CLI, '--data', data, 'insert', '-c', 'big', '-f', small, '-b', '500'].map(q).join(' ');
  const out = execFileSync('script', ['-qfec', cmd, '/dev/null'], { encoding: 'utf8', timeout: 30_000 });
  assert.match(out, /insert \[#+-*\]\s+\d+% \d+ rows \d+ rows\/s ETA/);
  assert.match(out, /\[#{30}\] 100% 20000 rows/, 'the bar ends full');
  assert.ok(out.includes('\r'), 'the bar is redrawn in place');
  assert.match(out, /inserted 20000 rows/);
});

test('without a terminal, progress is plain lines (no carriage returns, no bar)', async () => {
  const small = join(t.dir, 'plain.csv');
  await writeFile(small, 'id,vec\n5000000,"[1,1,1,1]"\n5000001,"[1,1,1,2]"\n');
  const r = await runCli(['--data', data, 'insert', '-c', 'big', '-f', small]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'inserted 2 rows into big\n', 'stdout carries only the result');
  assert.match(r.stderr, /^insert: 100% \(2 rows \d+ rows\/s\)$/m);
  assert.ok(!r.stderr.includes('\r') && !r.stderr.includes('#'));
});

test('Ctrl-C stops a long insert between batches: exit 130, only whole batches written', async () => {
  const before = json(await runCli(['--data', data, '--output', 'json', 'show', 'collection_stats', '-c', 'big'])) as { row_count: number };
  const p = spawn(process.execPath, [CLI, '--data', data, 'insert', '-c', 'big', '-f', bigCsv, '-b', '1000'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let signalled = false;
  p.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (!signalled && /insert: \d+%/.test(stderr)) { signalled = true; p.kill('SIGINT'); }
  });
  const code = await new Promise<number | null>((resolve) => p.on('close', (c) => resolve(c)));
  assert.ok(signalled, 'progress appeared before the end');
  assert.equal(code, 130, stderr);
  const m = /cancelled after (\d+) rows/.exec(stderr);
  assert.ok(m !== null, stderr);
  const written = Number(m[1]);
  assert.ok(written > 0 && written < BIG_ROWS, `stopped part way: ${written}`);
  assert.equal(written % 1000, 0, 'whole batches only');
  const afterStats = json(await runCli(['--data', data, '--output', 'json', 'show', 'collection_stats', '-c', 'big'])) as { row_count: number };
  assert.equal(afterStats.row_count - before.row_count, written, 'what was reported is what is stored');
});
