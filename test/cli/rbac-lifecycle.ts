/**
 * The RBAC lifecycle through the CLI verbs, run against every backend (a spawned `--auth` server,
 * an embedded data directory): root creates a user and a role and grants, and the user's own CLI
 * calls are then allowed or refused exactly as the service's privilege table says. Runs of root's
 * steps go through one piped shell (a script stops at its first failing line), since each remote
 * CLI process pays the SDK's start-up.
 */
import assert from 'node:assert/strict';
import { errorLines, json, type Run } from './helpers.js';
import type { Cli } from './lifecycle.js';

export function ok(r: Run): Run {
  assert.equal(r.code, 0, `exit ${String(r.code)}: ${r.stdout} ${r.stderr}`);
  return r;
}

/** Exit 1 and exactly one error line, equal to `line` (or matching it). */
export function refused(r: Run, line: RegExp | string): void {
  assert.equal(r.code, 1, `expected a refusal, got exit ${String(r.code)}: ${r.stdout} ${r.stderr}`);
  const lines = errorLines(r);
  assert.equal(lines.length, 1, r.stderr);
  if (typeof line === 'string') assert.equal(lines[0], line);
  else assert.match(lines[0] ?? '', line);
}

export const denied = (privilege: string, user: string): string =>
  `error: 7 PERMISSION_DENIED: Privilege${privilege}: permission deny to ${user} in the \`default\` database`;
export const BAD_PASSWORD = 'error: 16 UNAUTHENTICATED: auth check failure, please check username and password are correct';

export interface Harness {
  /** One-shot commands as root, and as whoever a token names. */
  root: Cli;
  as(token: string): Cli;
  /** Lines piped into one shell as root; stops at the first failing line. */
  script(lines: string[]): Promise<Run>;
}

async function listed(cli: Cli, ...args: string[]): Promise<Record<string, unknown>[]> {
  return json(ok(await cli('--output', 'json', ...args))) as Record<string, unknown>[];
}

/** Every line of `want` printed, in order, by a script that succeeded. */
async function scripted(h: Harness, lines: string[], want: RegExp[]): Promise<string> {
  const out = ok(await h.script(lines)).stdout;
  let at = 0;
  for (const re of want) {
    const m = re.exec(out.slice(at));
    assert.ok(m !== null, `${String(re)} not printed (in order) by:\n${lines.join('\n')}\n---\n${out}`);
    at += m.index + m[0].length;
  }
  return out;
}

/**
 * The core lifecycle; `full` adds v2 grants, privilege groups and password changes checked step by
 * step as the user (without it they still run once, as root, through one script).
 */
export async function rbacLifecycle(h: Harness, full: boolean): Promise<Run[]> {
  const seen: Run[] = [];
  const alice = (pw: string): Cli => async (...args) => { const r = await h.as(`alice:${pw}`)(...args); seen.push(r); return r; };
  const stats = ['show', 'collection_stats', '-c', 'book'];

  await scripted(h, [
    'create collection -c book -f id:INT64:primary -f vec:FLOAT_VECTOR:2',
    'create user -u alice -p alice-pw-1',
    'create role -r reader',
    'grant privilege -r reader -t Collection -o book -p GetStatistics',
    'grant role -r reader -u alice',
  ], [/^user alice created$/m, /^role reader created$/m, /^granted GetStatistics on Collection book in database default to role reader$/m,
    /^role reader granted to alice$/m]);
  assert.deepEqual(await listed(h.root, 'list', 'grants', '-r', 'reader'), [
    { role: 'reader', object_type: 'Collection', object_name: 'book', db: 'default', privilege: 'GetStatistics', grantor: 'root' },
  ]);

  // as alice: the granted operation runs, another is refused with Milvus' message
  assert.equal((json(ok(await alice('alice-pw-1')('--output', 'json', ...stats))) as Record<string, unknown>)['row_count'], 0);
  refused(await alice('alice-pw-1')('delete', 'collection', '-c', 'book'), denied('DropCollection', 'alice'));

  ok(await h.root('revoke', 'privilege', '-r', 'reader', '-t', 'Collection', '-o', 'book', '-p', 'GetStatistics'));
  refused(await alice('alice-pw-1')(...stats), denied('GetStatistics', 'alice'));

  if (full) await fullRound(h, alice);
  else await everyVerbOnce(h);

  await scripted(h, ['revoke role -r reader -u alice', 'delete role -r reader', 'delete user -u alice'],
    [/^role reader revoked from alice$/m, /^role reader deleted$/m, /^user alice deleted$/m]);
  assert.deepEqual((await listed(h.root, 'list', 'users')).map((u) => u['user']), ['root']);
  refused(await alice(full ? 'alice-pw-2' : 'alice-pw-1')('list', 'collections'), BAD_PASSWORD);
  return seen;
}

/** The rest of the verbs, each checked by what it printed. */
async function everyVerbOnce(h: Harness): Promise<void> {
  await scripted(h, [
    'show user -u alice', 'list roles', 'show role -r reader',
    'grant privilege -r reader -p CollectionReadOnly -c book', 'list grants -r reader -t Collection -o book',
    'revoke privilege -r reader -p CollectionReadOnly -c book -db default',
    'create privilege_group -n stats_g', 'grant privilege_group -n stats_g -p GetStatistics,Query',
    'revoke privilege_group -n stats_g -p Query', 'list privilege_groups', 'delete privilege_group -n stats_g',
    'update password -u alice -old alice-pw-1 -new alice-pw-2', 'update password -u alice -old alice-pw-2 -new alice-pw-1',
  ], [
    /^alice +\| reader$/m, /^reader +\| alice$/m, /^role +\| object_type/m,
    /^granted CollectionReadOnly on collection book in database default to role reader$/m, /^reader +\| Collection +\| book +\| default +\| CollectionReadOnly/m,
    /^revoked CollectionReadOnly on collection book in database default from role reader$/m,
    /^privilege group stats_g created$/m, /^added GetStatistics, Query to privilege group stats_g$/m,
    /^removed Query from privilege group stats_g$/m, /^stats_g +\| GetStatistics$/m, /^privilege group stats_g deleted$/m,
    /^password of alice updated$/m, /^password of alice updated$/m,
  ]);
}

/** v2 grants, privilege groups and passwords, each checked by what the user may then do. */
async function fullRound(h: Harness, alice: (pw: string) => Cli): Promise<void> {
  const stats = ['show', 'collection_stats', '-c', 'book'];
  assert.deepEqual(await listed(h.root, 'show', 'user', '-u', 'alice'), [{ user: 'alice', roles: 'reader' }]);
  assert.deepEqual((await listed(h.root, 'list', 'roles')).find((r) => r['role'] === 'reader'), { role: 'reader', users: 'alice' });
  refused(await alice('alice-pw-1')('list', 'users'), denied('SelectOwnership', 'alice'));
  refused(await alice('alice-pw-1')('create', 'user', '-u', 'mallory', '-p', 'mallory-pw'), denied('CreateOwnership', 'alice'));

  // a v2 grant of a built-in group, and its revoke
  ok(await h.root('grant', 'privilege', '-r', 'reader', '-p', 'CollectionReadOnly', '-c', 'book'));
  ok(await alice('alice-pw-1')(...stats));
  ok(await h.root('revoke', 'privilege', '-r', 'reader', '-p', 'CollectionReadOnly', '-c', 'book', '-db', 'default'));
  refused(await alice('alice-pw-1')(...stats), denied('GetStatistics', 'alice'));

  // a custom privilege group; a granted group cannot be dropped
  await scripted(h, ['create privilege_group -n stats_g', 'grant privilege_group -n stats_g -p GetStatistics,Query',
    'revoke privilege_group -n stats_g -p Query', 'grant privilege -r reader -p stats_g -c book'], []);
  assert.deepEqual((await listed(h.root, 'list', 'privilege_groups')).find((g) => g['group'] === 'stats_g'), { group: 'stats_g', privileges: 'GetStatistics' });
  ok(await alice('alice-pw-1')(...stats));
  refused(await h.root('delete', 'privilege_group', '-n', 'stats_g'), /privilege group \[stats_g\] is used by role \[reader\]/);
  await scripted(h, ['revoke privilege -r reader -p stats_g -c book', 'delete privilege_group -n stats_g'], [/^privilege group stats_g deleted$/m]);

  // passwords: the old one is checked, then only the new one works
  const badOld = await h.root('update', 'password', '-u', 'alice', '-old', 'not-her-pw', '-new', 'alice-pw-2');
  refused(badOld, /old password not correct for alice/);
  assert.ok(!badOld.stderr.includes('not-her-pw') && !badOld.stderr.includes('alice-pw-2'), badOld.stderr);
  ok(await h.root('update', 'password', '-u', 'alice', '-old', 'alice-pw-1', '-new', 'alice-pw-2'));
  refused(await alice('alice-pw-1')('list', 'collections'), BAD_PASSWORD);
  ok(await alice('alice-pw-2')('list', 'collections'));
}
