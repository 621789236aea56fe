/**
 * pymilvus against a real server process (test/pymilvus/drive.py): runs only when
 * SEXTANT_PYMILVUS_PATH is a PYTHONPATH under which /usr/bin/python3 imports pymilvus (see
 * test/pymilvus/README.md); skipped otherwise, as in CI, which has no pymilvus.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PYTHON = '/usr/bin/python3';
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const path = process.env['SEXTANT_PYMILVUS_PATH'];

function pymilvusImports(): boolean {
  if (path === undefined || path === '') return false;
  const r = spawnSync(PYTHON, ['-c', 'import pymilvus'], { env: { ...process.env, PYTHONPATH: path }, stdio: 'ignore' });
  return r.status === 0;
}

const skip = pymilvusImports() ? false : 'SEXTANT_PYMILVUS_PATH unset or pymilvus not importable';

test('pymilvus MilvusClient and ORM: every feature of drive.py passes', { skip, timeout: 300_000 }, async (t) => {
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(PYTHON, [`${repo}test/pymilvus/drive.py`, '--repo', repo, '--json'],
      { env: { ...process.env, PYTHONPATH: path }, maxBuffer: 16 * 1024 * 1024, timeout: 280_000 },
      (_e, out, err) => resolve({ code: child.exitCode, stdout: out, stderr: err }));
  });
  const line = stdout.trim().split('\n').pop() ?? '';
  const table = JSON.parse(line) as { pymilvus: string; results: { feature: string; status: string; detail: string }[] };
  for (const r of table.results) t.diagnostic(`${table.pymilvus} ${r.status} ${r.feature}: ${r.detail}`);
  const failed = table.results.filter((r) => r.status === 'FAIL');
  assert.deepEqual(failed, [], `failed features (stderr tail: ${stderr.slice(-2000)})`);
  assert.equal(code, 0);
});
