/**
 * workerExecArgv keeps the per-thread Node options (loaders, preloads, warnings) and drops V8 flags,
 * process-wide options and main-only options; checked against the running Node by trying every
 * option of process.allowedNodeEnvironmentFlags on a real Worker, one at a time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { WORKER_REFUSED_FLAGS, workerExecArgv } from '../../src/core/worker-flags.js';

test('V8 and process-wide flags are dropped, loaders keep their values', () => {
  const argv = ['--max-old-space-size=4096', '--expose-gc', '--expose_gc', '--import', './hook.mjs', '--stack-size=2000', '--no-opt',
    '--require', 'pre.cjs', '-r', 'pre2.cjs', '--conditions=dev', '-C', 'dev2', '--experimental-vm-modules', '--no-warnings',
    '--title=x', '--input-type=module', '--test-only', '--inspect-brk', '--enable-source-maps', '--loader', 'l.mjs'];
  assert.deepEqual(workerExecArgv(argv), ['--import', './hook.mjs', '--require', 'pre.cjs', '-r', 'pre2.cjs', '--conditions=dev', '-C', 'dev2',
    '--experimental-vm-modules', '--no-warnings', '--enable-source-maps', '--loader', 'l.mjs']);
  assert.deepEqual(workerExecArgv([]), []);
});

/** Values for the options that take one (split form, as in process.execArgv); some options need a partner. */
const VALUES: Record<string, string[]> = {
  '--import': ['data:text/javascript,'], '--loader': ['data:text/javascript,'], '--experimental-loader': ['data:text/javascript,'],
  '--require': ['node:os'], '-r': ['node:os'], '--conditions': ['x'], '-C': ['x'], '--disable-warning': ['ExperimentalWarning'],
  '--unhandled-rejections': ['strict'], '--dns-result-order': ['ipv4first'], '--experimental-default-type': ['module'],
  '--input-type': ['module'], '--redirect-warnings': ['/dev/null'], '--test-reporter': ['tap'], '--test-reporter-destination': ['stdout'],
  '--test-shard': ['1/2'], '--trace-require-module': ['all'], '--heapsnapshot-signal': ['SIGUSR2'], '--report-signal': ['SIGUSR2'],
  '--max-http-header-size': ['16384'], '--network-family-autoselection-attempt-timeout': ['250'], '--heapsnapshot-near-heap-limit': ['1'],
  '--diagnostic-dir': ['/tmp'], '--allow-fs-read': ['*'], '--allow-fs-write': ['*'], '--debug-port': ['9999'], '--inspect-port': ['9999'],
  '--inspect-publish-uid': ['stderr'], '--tls-keylog': ['/dev/null'], '--experimental-policy': ['/dev/null'], '--watch-path': ['.'],
};
const PARTNERS: Record<string, string[]> = {
  '--heap-prof-dir': ['--heap-prof', '--heap-prof-dir', '/tmp'], '--heap-prof-interval': ['--heap-prof', '--heap-prof-interval', '1000'],
  '--heap-prof-name': ['--heap-prof', '--heap-prof-name', 'x'], '--policy-integrity': ['--experimental-policy', '/dev/null', '--policy-integrity', 'sha256-x'],
};

function nodeAccepts(argv: string[]): boolean {
  try {
    const w = new Worker('', { eval: true, execArgv: argv, stdout: true, stderr: true });
    w.on('error', () => undefined);
    void w.terminate();
    return true;
  } catch (e) {
    if (e instanceof Error && 'code' in e && e.code === 'ERR_WORKER_INVALID_EXEC_ARGV') return false;
    throw e;
  }
}

test('every flag kept is one a worker accepts (all of allowedNodeEnvironmentFlags tried)', { timeout: 120_000 }, (t) => {
  const keptButRefused: string[] = [];
  const droppedButAccepted: string[] = [];
  let tried = 0;
  for (const flag of [...process.allowedNodeEnvironmentFlags].sort()) {
    const argv = PARTNERS[flag] ?? [flag, ...(VALUES[flag] ?? [])];
    const kept = workerExecArgv(argv);
    const accepted = nodeAccepts(argv);
    tried++;
    if (kept.length > 0 && !nodeAccepts(kept)) keptButRefused.push(argv.join(' '));
    if (accepted && kept.length === 0) droppedButAccepted.push(flag);
    if (!accepted && !argv.some((a) => a.startsWith('--watch'))) assert.ok(WORKER_REFUSED_FLAGS.has(flag.replace(/^--no-/, '--')) || kept.length === 0, flag);
  }
  t.diagnostic(`${tried} flags tried on Node ${process.version}; dropped although a worker accepts them (main-only): ${droppedButAccepted.join(' ')}`);
  assert.deepEqual(keptButRefused, [], 'no flag a worker refuses is passed on');
  // --no-experimental-shadow-realm (the default) goes with its refused positive form.
  const mainOnly = /^--(no-)?(input-type|test|watch|inspect|debug-port)|^--no-experimental-shadow-realm$/;
  for (const f of droppedButAccepted) assert.match(f, mainOnly, `${f} is dropped only because it is main-only`);
});
