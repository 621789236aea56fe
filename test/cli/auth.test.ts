/**
 * The CLI with authentication: `--uri URI -t user:password` (and SEXTANT_TOKEN) against a real
 * `--auth` server process, `--data DIR -t user:password` on an embedded directory, refusals with
 * Milvus' status and message and exit 1, the RBAC verbs end to end on both backends, and the
 * shell: a refused `connect` keeps the current connection, and history never keeps a password.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { historyLine } from '../../src/cli/shell.js';
import { CLI, drive, hasScript, runCli, serverBuilt, shellQuote as q, startServer, tempDir, type Run, type Server } from './helpers.js';
import type { Cli } from './lifecycle.js';
import { BAD_PASSWORD, ok, rbacLifecycle, refused, type Harness } from './rbac-lifecycle.js';

const skip = serverBuilt() ? false : 'dist/src/server/main.js does not exist (build the server first)';
/** No token from the environment unless a test sets one. */
const NO_ENV = { SEXTANT_TOKEN: '' };
const cli = (globals: string[], env: Record<string, string> = {}): Cli =>
  (...args) => runCli([...globals, ...args], { env: { ...NO_ENV, ...env } });

function noSecret(r: Run, secret: string): void {
  assert.ok(!r.stdout.includes(secret) && !r.stderr.includes(secret), `"${secret}" was echoed: ${r.stdout} ${r.stderr}`);
}

/** Root through `rootGlobals`, a user through `userGlobals(token)`. */
function harness(rootGlobals: string[], userGlobals: (token: string) => string[]): Harness {
  return {
    root: cli(rootGlobals),
    as: (token) => cli(userGlobals(token)),
    script: (lines) => runCli(rootGlobals, { input: `${lines.join('\n')}\n`, env: NO_ENV }),
  };
}

/** One `--auth` server (and its temp dir) for the remote and shell tests. */
let dir: { dir: string; remove(): Promise<void> } | undefined;
let server: Server | undefined;
const uriOf = (): string => `http://127.0.0.1:${server?.port ?? 0}`;
before(async () => {
  if (skip !== false) return;
  dir = await tempDir('sextant-cli-auth-');
  server = await startServer(join(dir.dir, 'data'), ['--auth']);
});
after(async () => {
  await server?.stop();
  await dir?.remove();
});

test('remote: tokens against an --auth server, refusals with Milvus messages, the RBAC verbs', { skip }, async () => {
  const uri = uriOf();
  assert.match(ok(await cli(['--uri', uri, '-t', 'root:Milvus'])('server_version')).stdout, /sextant/);
  assert.match(ok(await cli(['--uri', uri], { SEXTANT_TOKEN: 'root:Milvus' })('list', 'users')).stdout, /root/, 'SEXTANT_TOKEN');

  refused(await cli(['--uri', uri])('list', 'users'),
    'error: 16 UNAUTHENTICATED: missing authorization in header (give -t user:password; for a server, SEXTANT_TOKEN works too)');
  const wrong = await cli(['--uri', uri, '--token', 'root:Wrong-Pw-123'])('list', 'collections');
  refused(wrong, BAD_PASSWORD);
  noSecret(wrong, 'Wrong-Pw-123');
  const apiKey = await cli(['--uri', uri, '-t', 'sk-0123456789abcdef'])('list', 'collections');
  refused(apiKey, 'error: 16 UNAUTHENTICATED: auth check failure, please check api key is correct');
  noSecret(apiKey, 'sk-0123456789abcdef');

  const seen = await rbacLifecycle(harness(['--uri', uri, '-t', 'root:Milvus'], (token) => ['--uri', uri, '-t', token]), false);
  for (const r of seen) for (const pw of ['alice-pw-1', 'alice-pw-2']) noSecret(r, pw);
});

test('embedded: -t acts as a user (the service checks it); the same RBAC verbs and refusals', async () => {
  const t = await tempDir('sextant-cli-auth-emb-');
  try {
    const data = join(t.dir, 'data');
    ok(await cli(['--data', data])('list', 'users'));
    assert.match(ok(await cli(['--data', data, '-t', 'root:Milvus'])('list', 'users')).stdout, /root/);
    const wrong = await cli(['--data', data, '-t', 'root:Wrong-Pw-123'])('list', 'users');
    refused(wrong, BAD_PASSWORD);
    noSecret(wrong, 'Wrong-Pw-123');
    refused(await cli(['--data', data, '-t', 'sk-0123456789abcdef'])('list', 'users'),
      'error: 16 UNAUTHENTICATED: auth check failure, please check api key is correct');
    // the token variable is for servers: a data directory without -t stays root
    ok(await cli(['--data', data], { SEXTANT_TOKEN: 'nobody:nothing-1' })('list', 'users'));

    const seen = await rbacLifecycle(harness(['--data', data], (token) => ['--data', data, '-t', token]), true);
    for (const r of seen) for (const pw of ['alice-pw-1', 'alice-pw-2']) noSecret(r, pw);
  } finally {
    await t.remove();
  }
});

test('history keeps command lines with passwords and tokens masked', () => {
  assert.equal(historyLine('connect -uri http://h:19530 -t root:Milvus'), 'connect -uri http://h:19530 -t ****');
  assert.equal(historyLine('connect --data d --token=root:Milvus -d db1'), 'connect --data d --token=**** -d db1');
  assert.equal(historyLine(`create user -u bob -p 'my secret'`), 'create user -u bob -p ****');
  assert.equal(historyLine('update password -u bob -old a-pw-1 -new "b pw\'2"'), 'update password -u bob -old **** -new ****');
  assert.equal(historyLine('crete user -u bob -p pw-123456'), 'crete user -u bob -p ****', 'a mistyped line is masked too');
  assert.equal(historyLine('create user -u bob -p \'unterminated'), 'create user -u bob -p ****');
  for (const kept of ['release -c book -p novel', 'grant privilege -r r -p Search -c "my book"', 'create index -c b -f vec -t FLAT -m L2']) {
    assert.equal(historyLine(kept), kept);
  }
});

test('shell: a refused connect keeps the current connection; the history file holds no password', { skip: skip || (hasScript() ? false : 'no `script` command') }, async () => {
  const uri = uriOf();
  const t = await tempDir('sextant-cli-auth-shell-');
  try {
    const hist = join(t.dir, 'history');
    const prompt = (n: number): RegExp => new RegExp(`(sextant > [\\s\\S]*){${n}}`);
    const out = await drive([process.execPath, CLI].map(q).join(' '), { SEXTANT_HISTORY: hist, ...NO_ENV }, [
      { until: prompt(1), keys: `connect -uri ${uri} -t root:Milvus\r` },
      { until: /connected to/, keys: 'create user -u carol -p Carol-Pw-77\r' },
      { until: /user carol created[\s\S]*sextant > /, keys: `connect -uri ${uri} -t carol:Bad-Pw-99\r` },
      { until: /16 UNAUTHENTICATED[^\n]*\n[\s\S]*sextant > /, keys: 'list users\r' },
      // still connected as root: the refused connect replaced nothing
      { until: /\nroot\r?\n(?:\S+\r?\n)*carol\r?\n[\s\S]*sextant > /, keys: 'delete user -u carol\r' },
      { until: /user carol deleted[\s\S]*sextant > /, keys: 'exit\r' },
    ]);
    const errLine = /error: 16 UNAUTHENTICATED[^\r\n]*/.exec(out)?.[0] ?? '';
    assert.equal(errLine, BAD_PASSWORD);
    const saved = (await readFile(hist, 'utf8')).trim().split('\n');
    assert.deepEqual(saved, [`connect -uri ${uri} -t ****`, 'create user -u carol -p ****', `connect -uri ${uri} -t ****`, 'list users',
      'delete user -u carol', 'exit']);
  } finally {
    await t.remove();
  }
});
