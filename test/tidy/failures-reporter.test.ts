/**
 * npm test's closing list (test/support/failures-reporter.ts): a run of two scratch test files, one
 * with a suite whose `before` hook throws, lists the hook's error and the failing test at the very
 * end of the output, after the TAP totals, and the run still fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { withTempDir } from '../support/tmp.js';

const reporter = fileURLToPath(new URL('../support/failures-reporter.js', import.meta.url));
/** The runner's environment without NODE_TEST_CONTEXT, which would make the child report to this process instead of printing. */
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_TEST_CONTEXT'));

/** `node --test` over `files` (name -> source, written to `dir`) with npm test's two reporters, one file at a time. */
async function runTests(dir: string, files: Record<string, string>): Promise<SpawnSyncReturns<string>> {
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  return spawnSync(process.execPath, [
    '--test', '--test-concurrency=1',
    '--test-reporter=tap', '--test-reporter-destination=stdout',
    `--test-reporter=${reporter}`, '--test-reporter-destination=stdout',
    ...Object.keys(files).map((name) => path.join(dir, name)),
  ], { encoding: 'utf8', timeout: 60_000, env });
}

const HOOK_FILE = `import { before, describe, test } from 'node:test';
describe('cluster suite', () => {
  before(() => { throw new Error('node w2 exited (1): the set-up went wrong'); });
  test('first', () => {});
  test('second', () => {});
});
test('passes', () => {});
`;
const FAIL_FILE = `import { test } from 'node:test';
test('plain failure', () => { throw new Error('expected 3, got 4'); });
test('passes too', () => {});
test('a todo that fails', { todo: 'known' }, () => { throw new Error('not yet'); });
`;

test('npm test ends with what did not pass: a failed before hook with its cause, a failed test, the cancelled count; not a todo', async () => {
  await withTempDir(async (dir) => {
    const run = await runTests(dir, { 'a.test.mjs': HOOK_FILE, 'b.test.mjs': FAIL_FILE });
    assert.equal(run.status, 1, `the run fails as before (${run.stderr})`);
    const out = run.stdout;
    const totals = out.lastIndexOf('# duration_ms');
    const list = out.indexOf('# Not passed (repeated from above): 2, and 2 cancelled with their parent');
    assert.ok(totals >= 0 && list > totals, `the list comes after the TAP totals:\n${out.slice(-2000)}`);
    const tail = out.slice(list);
    assert.match(tail, /cluster suite .*: hookFailed\n.*\n#\s+caused by: Error: node w2 exited \(1\): the set-up went wrong/);
    assert.match(tail, /plain failure .*: testCodeFailure[\s\S]*expected 3, got 4/);
    assert.doesNotMatch(tail, /- (first|second|passes|a todo)/, 'cancelled children, passing tests and failing todo tests are not listed');
  });
});

test('a run where everything passes prints nothing more than TAP', async () => {
  await withTempDir(async (dir) => {
    const run = await runTests(dir, { 'c.test.mjs': `import { test } from 'node:test';\ntest('fine', () => {});\n` });
    assert.equal(run.status, 0);
    assert.doesNotMatch(run.stdout, /Not passed/);
    assert.match(run.stdout, /# pass 1/);
  });
});
