/**
 * The interactive shell on a pseudo-terminal (util-linux `script`): tab completion of verbs,
 * objects and collection names, history loaded from and saved to SEXTANT_HISTORY.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLI, drive, hasScript, runCli, shellQuote as q, tempDir } from './helpers.js';

test('shell: tab completes verbs, objects and collection names; history is loaded and saved', { skip: hasScript() ? false : 'no `script` command' }, async () => {
  const t = await tempDir('sextant-cli-shell-');
  try {
    const data = join(t.dir, 'data');
    const hist = join(t.dir, 'history');
    assert.equal((await runCli(['--data', data, 'create', 'collection', '-c', 'book', '-f', 'id:INT64:primary', '-f', 'v:FLOAT_VECTOR:2'])).code, 0);
    await writeFile(hist, 'show load_state -c book\n');
    const cmd = [process.execPath, CLI, '--data', data].map(q).join(' ');
    const prompt = (n: number): RegExp => new RegExp(`(sextant > [\\s\\S]*){${n}}`);
    const out = await drive(cmd, { SEXTANT_HISTORY: hist }, [
      { until: prompt(1), keys: 'serv' },
      { until: /serv/, keys: '\t' },
      { until: /server_version /, keys: '\r' },
      { until: prompt(2), keys: 'list col' },
      { until: /list col/, keys: '\t' },
      { until: /list collection /, keys: '\r' },
      { until: prompt(3), keys: 'show collection -c b' },
      { until: /-c b/, keys: '\t' },
      { until: /-c book /, keys: '\r' },
      { until: prompt(4), keys: '\x1b[A\x1b[A\x1b[A\x1b[A' },
      { until: /show load_state -c book/, keys: '\r' },
      { until: /LoadStateNotLoad[\s\S]*sextant > /, keys: 'exit\r' },
    ]);
    assert.match(out, /2\.6\.0-sextant/, 'completed verb ran');
    assert.match(out, /-+\r?\n\s*book/, 'completed object listed the collection');
    assert.match(out, /FloatVector/, 'completed collection name was described');
    const saved = (await readFile(hist, 'utf8')).trim().split('\n');
    assert.deepEqual(saved, ['show load_state -c book', 'server_version', 'list collection', 'show collection -c book', 'show load_state -c book', 'exit']);
  } finally {
    await t.remove();
  }
});
