/**
 * The CLI lifecycle suite, run against every backend (embedded data dir, remote server): the same
 * commands must give the same answers.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorLines, json, runCli, type Run } from './helpers.js';

export type Cli = (...args: string[]) => Promise<Run>;

export function cliFor(globalArgs: string[]): Cli {
  return (...args) => runCli([...globalArgs, ...args]);
}

function ok(r: Run): Run {
  assert.equal(r.code, 0, `exit ${String(r.code)}: ${r.stderr}`);
  return r;
}

const CSV = [
  'id,title,vec,year',
  '1,Dune,"[1,0,0,0]",1965',
  '2,"Emma, a novel","[0,1,0,0]",1815',
  '9007199254740993,Ulysses,"[0,0,1,0]",',
  '',
].join('\n');

const JSONL = [
  '{"id": 10, "title": "Neuromancer", "vec": [0, 0, 0, 1], "year": 1984}',
  '{"id": 11, "title": "Anathem", "vec": [0.5, 0.5, 0, 0], "year": 2008}',
  '',
].join('\n');

const BAD_CSV = [
  'id,title,vec,year',
  '20,Fine,"[1,1,0,0]",2000',
  '21,Short,"[1,1,0]",2001',
  '',
].join('\n');

async function rowCount(cli: Cli): Promise<number> {
  const stats = json(ok(await cli('--output', 'json', 'show', 'collection_stats', '-c', 'book'))) as { row_count: number };
  return stats.row_count;
}

async function loadState(cli: Cli, ...partition: string[]): Promise<string> {
  const args = partition.length > 0 ? ['-p', ...partition] : [];
  return ok(await cli('show', 'load_state', '-c', 'book', ...args)).stdout.trim();
}

/** Primary keys of a query, read as the exact integer literals the JSON output holds. */
async function ids(cli: Cli, ...args: string[]): Promise<string[]> {
  const r = ok(await cli('--output', 'json', 'query', '-c', 'book', ...args));
  const rows = json(r) as unknown[];
  const out = r.stdout;
  const found = [...out.matchAll(/"id": (\d+)/g)].map((m) => m[1] ?? '').sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  assert.equal(found.length, rows.length);
  return found;
}

const BIG = '9007199254740993'; // 2^53 + 1: a double would print ...992

/**
 * `full` adds the current-form partition load/release round and the unknown-collection check; the
 * remote run leaves them out to stay within the time budget (each remote CLI call pays ~0.8 s of
 * SDK start-up).
 */
export async function lifecycle(cli: Cli, dir: string, full = true): Promise<void> {
  const csv = join(dir, 'rows.csv');
  const jsonl = join(dir, 'rows.jsonl');
  const bad = join(dir, 'bad.csv');
  await writeFile(csv, CSV);
  await writeFile(jsonl, JSONL);
  await writeFile(bad, BAD_CSV);

  ok(await cli('create', 'collection', '-c', 'book', '-f', 'id:INT64:primary', '-f', 'title:VARCHAR:64', '-f', 'vec:FLOAT_VECTOR:4', '-f', 'year:INT32:nullable'));
  assert.deepEqual(json(ok(await cli('--output', 'json', 'list', 'collections'))), [{ collection: 'book' }]);
  ok(await cli('create', 'partition', '-c', 'book', '-p', 'novel'));
  assert.match(ok(await cli('insert', '-c', 'book', '-f', csv)).stdout, /inserted 3 rows/);
  assert.match(ok(await cli('insert', 'file', '-c', 'book', '-p', 'novel', '-f', jsonl)).stdout, /inserted 2 rows/);
  assert.equal(await rowCount(cli), 5);

  ok(await cli('create', 'index', '-c', 'book', '-f', 'vec', '-t', 'FLAT', '-m', 'L2'));
  assert.equal(await loadState(cli), 'LoadStateNotLoad');
  ok(await cli('load', '-c', 'book'));
  assert.equal(await loadState(cli), 'LoadStateLoaded');

  const hits = json(ok(await cli('--output', 'json', 'search', '-c', 'book', '-v', '[0,1,0,0]', '-l', '2', '-o', 'title'))) as Record<string, unknown>[];
  assert.deepEqual(hits.map((h) => [h['id'], h['score'], h['title']]), [[2, 0, 'Emma, a novel'], [11, 0.5, 'Anathem']]);
  const two = ok(await cli('--output', 'csv', 'search', '-c', 'book', '-v', '[[1,0,0,0],[0,0,1,0]]', '-l', '1'));
  assert.equal(two.stdout, `query,rank,id,score\n1,1,1,0\n2,1,${BIG},0\n`);
  assert.deepEqual(await ids(cli, '-e', 'year > 1900', '-o', 'title'), ['1', '10', '11']);
  assert.deepEqual(await ids(cli, '-e', 'year is null'), [BIG]);
  assert.deepEqual(await ids(cli, '-e', `id == ${BIG}`), [BIG], 'int64 filter and output keep every digit');

  // partition release, old form: the partition is unloaded, the rest still answers
  assert.match(ok(await cli('release', '-c', 'book', '-p', 'novel')).stdout, /released partition novel of book/);
  assert.equal(await loadState(cli, 'novel'), 'LoadStateNotLoad');
  assert.equal(await loadState(cli, '_default'), 'LoadStateLoaded');
  const inNovel = await cli('query', '-c', 'book', '-e', 'id > 0', '-p', 'novel');
  assert.equal(inNovel.code, 1);
  assert.match(inNovel.stderr, /partition not loaded/);
  assert.deepEqual(await ids(cli, '-e', 'id > 0'), ['1', '2', BIG]);

  // collection release, old form, then current forms
  ok(await cli('release', '-c', 'book'));
  assert.equal(await loadState(cli), 'LoadStateNotLoad');
  const notLoaded = await cli('query', '-c', 'book', '-e', 'id > 0');
  assert.equal(notLoaded.code, 1);
  assert.match(notLoaded.stderr, /collection not loaded/);
  ok(await cli('load', 'collection', '-c', 'book'));
  assert.equal(await loadState(cli), 'LoadStateLoaded');
  ok(await cli('release', 'collection', '-c', 'book'));
  assert.equal(await loadState(cli), 'LoadStateNotLoad');
  if (full) {
    ok(await cli('load', 'partition', '-c', 'book', '-p', 'novel'));
    assert.equal(await loadState(cli, 'novel'), 'LoadStateLoaded');
    assert.equal(await loadState(cli, '_default'), 'LoadStateNotLoad');
    ok(await cli('release', 'partition', '-c', 'book', '-p', 'novel'));
    assert.equal(await loadState(cli, 'novel'), 'LoadStateNotLoad');
  }

  // malformed CSV: one error line naming line and column, exit 1, nothing of the batch written
  const badRun = await cli('insert', '-c', 'book', '-f', bad);
  assert.equal(badRun.code, 1);
  assert.deepEqual(errorLines(badRun), ['error: bad.csv line 3, column "vec": expected 4 numbers, got 3']);
  assert.equal(await rowCount(cli), 5);

  // unknown collection: exit 1, one line naming it
  if (full) {
    const missing = await cli('show', 'collection', '-c', 'nosuch');
    assert.equal(missing.code, 1);
    assert.equal(errorLines(missing).length, 1);
    assert.match(missing.stderr, /nosuch/);
  }

  // deletes
  ok(await cli('load', '-c', 'book'));
  assert.match(ok(await cli('delete', 'ids', '-c', 'book', '-i', '1,2')).stdout, /deleted 2 rows/);
  ok(await cli('delete', 'entities', '-c', 'book', '-e', 'year > 2000'));
  assert.deepEqual(await ids(cli, '-e', 'id > 0'), ['10', BIG]);

  ok(await cli('delete', 'collection', '-c', 'book'));
  assert.deepEqual(json(ok(await cli('--output', 'json', 'list', 'collections'))), []);
}
