/**
 * The web console in a real browser: Debian's chromium (/usr/bin/chromium, installed by .ci/run)
 * driven by playwright-core against a real server holding data the Node SDK wrote. Any page error,
 * failed request or HTTP status >= 400 the test did not expect fails the test. Screenshots go to a
 * temporary directory, or to docs/img/ (the README shows them) when SEXTANT_UPDATE_SCREENSHOTS=1, so a
 * test run leaves the tree clean. The static file door is also checked over plain HTTP
 * (content types, cache headers, no path outside the console's directory).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataType, FunctionType, MilvusClient } from '@zilliz/milvus2-sdk-node';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { SextantService } from '../../src/service/service.js';
import { startSextantServer, type RunningSextantServer } from '../../src/server/http/server.js';
import { webuiFile } from '../../src/server/http/webui-door.js';
import { rawRequest } from '../rest/helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SHOTS = process.env['SEXTANT_UPDATE_SCREENSHOTS'] === '1' ? join(ROOT, 'docs', 'img') : join(tmpdir(), 'sextant-console-shots');
const ROOT_PASSWORD = 'Console-Pass1';
const DIM = 4;

interface Harness { server: RunningSextantServer; service: SextantService; dataDir: string; url: string; unexpected: string[]; stop(): Promise<void> }

async function startServer(opts: { auth?: boolean; webuiDir?: string } = {}): Promise<Harness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sextant-webui-'));
  const service = await SextantService.open({ dataDir, auth: { enabled: opts.auth === true, rootPassword: ROOT_PASSWORD } });
  const unexpected: string[] = [];
  const server = await startSextantServer(service, {
    host: '127.0.0.1', port: 0, httpPort: 0, maxMessageBytes: 64 << 20, maxHttpBodyBytes: 64 << 20,
    engine: service.engine, shutdownGraceMs: 1000, metricsAuth: opts.auth === true,
    ...(opts.webuiDir !== undefined ? { webuiDir: opts.webuiDir } : {}),
    onUnexpectedError: (where, e) => unexpected.push(`${where}: ${e instanceof Error ? e.stack ?? e.message : String(e)}`),
  });
  return {
    server, service, dataDir, unexpected, url: `http://127.0.0.1:${server.httpPort}`,
    stop: async () => { await server.close(); await service.close(); await rm(dataDir, { recursive: true, force: true }); },
  };
}

/** 60 rows in two partitions (`_default` and `recent`), flushed, indexed and loaded, through the SDK. */
async function seed(client: MilvusClient): Promise<void> {
  const ok = (r: { error_code?: string | number; reason?: string; status?: { error_code: string | number; reason: string } }): void => {
    const code = r.status?.error_code ?? r.error_code;
    assert.equal(code, 'Success', r.status?.reason ?? r.reason);
  };
  ok(await client.createCollection({
    collection_name: 'books',
    fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true },
      { name: 'title', data_type: DataType.VarChar, max_length: 64 },
      { name: 'vec', data_type: DataType.FloatVector, dim: DIM },
    ],
  }));
  ok(await client.createPartition({ collection_name: 'books', partition_name: 'recent' }));
  const rows = (from: number, n: number): { id: number; title: string; vec: number[] }[] =>
    Array.from({ length: n }, (_, i) => ({ id: from + i, title: `book ${from + i}`, vec: [from + i, 1, (from + i) % 7, 0.5] }));
  ok(await client.insert({ collection_name: 'books', data: rows(0, 40) }));
  ok(await client.insert({ collection_name: 'books', partition_name: 'recent', data: rows(40, 20) }));
  ok(await client.flushSync({ collection_names: ['books'] }));
  ok(await client.createIndex({ collection_name: 'books', field_name: 'vec', index_type: 'FLAT', metric_type: 'L2' }));
  ok(await client.loadCollectionSync({ collection_name: 'books' }));
  // Full-text: a BM25 function's output, searched with text from the playground.
  ok(await client.createCollection({
    collection_name: 'notes',
    fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true },
      { name: 'doc', data_type: DataType.VarChar, max_length: 128, enable_analyzer: true },
      // A dense field first: choosing the text mode must switch the searched field to the BM25 output.
      { name: 'vec', data_type: DataType.FloatVector, dim: 2 },
      { name: 'sparse', data_type: DataType.SparseFloatVector },
    ],
    functions: [{ name: 'bm25', type: FunctionType.BM25, input_field_names: ['doc'], output_field_names: ['sparse'], params: {} }],
  }));
  ok(await client.insert({ collection_name: 'notes', data: NOTES.map((doc, id) => ({ id, doc, vec: [id, 1] })) }));
  ok(await client.createIndex({ collection_name: 'notes', field_name: 'sparse', index_type: 'SPARSE_INVERTED_INDEX', metric_type: 'BM25' }));
  ok(await client.createIndex({ collection_name: 'notes', field_name: 'vec', index_type: 'FLAT', metric_type: 'L2' }));
  ok(await client.loadCollectionSync({ collection_name: 'notes' }));
}

const NOTES = ['the quick brown fox jumps', 'lazy dogs sleep all day', 'a fox and a dog', 'vector databases search by meaning'];

/** Text search on the BM25 collection: the only documents with "fox" come back, best first. */
async function searchByText(page: Page): Promise<void> {
  await page.locator('#search-collection').selectOption('notes');
  await page.getByRole('radio', { name: 'Text (BM25)' }).check();
  await page.locator('#search-text').fill('fox');
  await page.getByLabel('Limit').fill('2');
  await page.getByLabel('Output fields').fill('doc');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.locator('#search-results tbody tr', { hasText: 'fox' }).nth(1).waitFor();
  const docs = (await page.locator('#search-results tbody tr').allTextContents()).map((t) => NOTES.find((n) => t.includes(n)));
  assert.deepEqual([...docs].sort(), [NOTES[0], NOTES[2]].sort(), 'the two documents with "fox"');
}

interface Browser { context: BrowserContext; page: Page; problems: string[]; allow: { status401: boolean }; close(): Promise<void> }

async function openBrowser(): Promise<Browser> {
  // CI installs chromium (.ci/run); a machine without it fails here rather than skipping the console's tests.
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium)`);
  const userDataDir = await mkdtemp(join(tmpdir(), 'sextant-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM, headless: true, viewport: { width: 1366, height: 768 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] ?? await context.newPage();
  const problems: string[] = [];
  const allow = { status401: false };
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('response', (r) => {
    if (r.status() < 400 || (allow.status401 && r.status() === 401)) return;
    problems.push(`HTTP ${r.status()}: ${r.request().method()} ${r.url()}`);
  });
  return {
    context, page, problems, allow,
    close: async () => { await context.close(); await rm(userDataDir, { recursive: true, force: true }); },
  };
}

async function shot(page: Page, name: string): Promise<void> {
  await mkdir(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, name) });
}

const stateCell = (page: Page, name: string) => page.locator(`#collections tr[data-collection="${name}"] td[data-state]`);

/** By keyboard alone: Tab reaches the Flush button, Enter opens its dialog with focus inside, Escape cancels. */
async function keyboardConfirm(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Release collection' }).focus();
  await page.keyboard.press('Tab');
  assert.equal(await page.locator(':focus').textContent(), 'Flush');
  await page.keyboard.press('Enter');
  await page.getByRole('dialog', { name: 'Flush books?' }).waitFor();
  assert.equal(await page.locator(':focus').textContent(), 'Cancel', 'focus moves into the dialog');
  await page.keyboard.press('Escape');
  await page.getByRole('dialog').waitFor({ state: 'hidden' });
}

/** Release through the page (button, then the confirmation dialog), create and drop an index, then load again. */
async function releaseAndLoad(page: Page, client: MilvusClient): Promise<void> {
  await page.getByRole('button', { name: 'Release collection' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: 'Release', exact: true }).click();
  await stateCell(page, 'books').filter({ hasText: 'released' }).waitFor({ timeout: 10_000 });
  assert.equal((await client.getLoadState({ collection_name: 'books' })).state, 'LoadStateNotLoad');
  await createAndDropIndex(page, client);
  await page.getByRole('button', { name: 'Load collection' }).click();
  await stateCell(page, 'books').filter({ hasText: 'loaded' }).waitFor({ timeout: 10_000 });
  assert.equal((await client.getLoadState({ collection_name: 'books' })).state, 'LoadStateLoaded');
  // One partition: released and loaded again from its row.
  const recent = page.locator('#partitions tr[data-partition="recent"]');
  await page.getByRole('button', { name: 'Release partition recent' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Release', exact: true }).click();
  await recent.locator('td[data-state="released"]').waitFor({ timeout: 10_000 });
  assert.equal((await client.getLoadState({ collection_name: 'books', partition_names: ['recent'] })).state, 'LoadStateNotLoad');
  await page.getByRole('button', { name: 'Load partition recent' }).click();
  await recent.locator('td[data-state="loaded"]').waitFor({ timeout: 10_000 });
  assert.equal((await client.getLoadState({ collection_name: 'books', partition_names: ['recent'] })).state, 'LoadStateLoaded');
}

/** A scalar index created from the form, seen through the SDK, then dropped after confirmation (the collection is released). */
async function createAndDropIndex(page: Page, client: MilvusClient): Promise<void> {
  const form = page.getByRole('form', { name: 'Create index' });
  await form.getByLabel('Field').selectOption('title');
  await form.getByLabel('Index type').selectOption('INVERTED');
  await form.getByRole('button', { name: 'Create index' }).click();
  await page.locator('#indexes tr', { hasText: 'INVERTED' }).waitFor();
  const described = await client.describeIndex({ collection_name: 'books', index_name: 'title' });
  assert.equal(described.index_descriptions[0]?.field_name, 'title', described.status.reason);
  await page.getByRole('button', { name: 'Drop index title' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Drop index' }).click();
  await page.locator('#indexes tr', { hasText: 'INVERTED' }).waitFor({ state: 'detached' });
  assert.notEqual((await client.describeIndex({ collection_name: 'books', index_name: 'title' })).status.error_code, 'Success');
}

/** Query with a filter and paging; the table's rows are read back. */
async function queryPages(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Query' }).click();
  await page.getByLabel('Filter').fill('id < 5');
  await page.getByLabel('Output fields').fill('id, title');
  await page.getByLabel('Limit').fill('3');
  await page.getByRole('button', { name: 'Run query' }).click();
  await page.locator('#query-results tbody tr').nth(2).waitFor();
  assert.equal(await page.locator('#query-results tbody tr').count(), 3);
  const first = await page.locator('#query-results tbody tr').allTextContents();
  await page.getByRole('button', { name: 'Next page' }).click();
  await page.locator('#query-page', { hasText: 'Rows 4–5' }).waitFor();
  const second = await page.locator('#query-results tbody tr').allTextContents();
  assert.equal(second.length, 2);
  const ids = [...first, ...second].map((t) => Number(/^(\d+)book/.exec(t)?.[1])).sort((a, b) => a - b);
  assert.deepEqual(ids, [0, 1, 2, 3, 4], 'the two pages hold ids 0..4 once each');
}

/** Search by the primary key of row 42 (its vector is queried, then searched): row 42 comes first at distance 0. */
async function searchByKey(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Search' }).click();
  await page.getByRole('radio', { name: 'By primary key' }).check();
  await page.locator('#search-pk').fill('42');
  await page.getByLabel('Limit').fill('5');
  await page.getByLabel('Output fields').fill('title');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.locator('#search-results tbody tr').nth(4).waitFor();
  const header = await page.locator('#search-results thead th').allTextContents();
  assert.deepEqual(header, ['rank', 'id', 'distance', 'title']);
  const cells = await page.locator('#search-results tbody tr').first().locator('td').allTextContents();
  assert.deepEqual(cells, ['1', '42', '0', 'book 42']);
  await page.getByRole('radio', { name: 'Vector (JSON)' }).check();
  await page.locator('#search-vector').fill('[10, 1, 3, 0.5]');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.locator('#search-results tbody tr td', { hasText: 'book 10' }).first().waitFor();
}

test('web console: collections with load state and memory, release and load by clicking, query, search, server charts', async () => {
  const h = await startServer();
  const client = new MilvusClient({ address: `127.0.0.1:${h.server.port}`, logLevel: 'error' });
  const b = await openBrowser();
  try {
    await seed(client);
    const { page } = b;
    await page.goto(`${h.url}/`);
    await page.getByRole('link', { name: 'Web console' }).click();
    await stateCell(page, 'books').filter({ hasText: 'loaded' }).waitFor({ timeout: 15_000 });
    const row = await page.locator('#collections tr[data-collection="books"]').innerText();
    assert.match(row, /books\s+60\s+loaded\s+\d/);
    await page.locator('#partitions tr[data-partition="recent"] td[data-state="loaded"]').waitFor();
    // Loaded memory counts what is held, the resident vectors' wasm memory whole (about 2 MiB here).
    assert.match(await page.locator('#partitions tr[data-partition="recent"]').innerText(), /recent\s+20\s+loaded\s+[1-9][\d.]* (B|KiB|MiB)/, 'memory per partition');
    assert.match(await page.locator('#indexes').innerText(), /vec\s+FLAT\s+L2/);
    await shot(page, 'console-collections.png');
    await keyboardConfirm(page);
    await releaseAndLoad(page, client);
    await queryPages(page);
    await searchByKey(page);
    await shot(page, 'console-search.png');
    await searchByText(page);
    await page.getByRole('link', { name: 'Server' }).click();
    await page.locator('#server-health', { hasText: 'OK' }).waitFor();
    assert.match(await page.locator('#server-version').innerText(), /sextant/);
    await page.locator('#chart-memory path.line').first().waitFor({ state: 'attached' });
    await page.locator('#chart-rates path.line[d*="L"]').first().waitFor({ state: 'attached', timeout: 15_000 });
    // A write while the panel watches: its WAL fsync shows up in the fsync chart.
    const inserted = await client.insert({ collection_name: 'books', data: [{ id: 1000, title: 'late', vec: [1, 2, 3, 4] }] });
    assert.equal(inserted.status.error_code, 'Success', inserted.status.reason);
    await page.locator('#chart-fsync figcaption', { hasText: /p50 \d/ }).waitFor({ timeout: 15_000 });
    await shot(page, 'console-server.png');
    assert.deepEqual(b.problems, []);
    assert.deepEqual(h.unexpected, []);
  } finally {
    await b.close();
    await client.closeConnection();
    await h.stop();
  }
});

test('web console with auth on: only the sign-in page without credentials, a wrong password refused, then the data', async () => {
  const h = await startServer({ auth: true });
  const client = new MilvusClient({ address: `127.0.0.1:${h.server.port}`, username: 'root', password: ROOT_PASSWORD, logLevel: 'error' });
  const b = await openBrowser();
  try {
    await seed(client);
    const { page } = b;
    b.allow.status401 = true;
    await page.goto(`${h.url}/webui/`);
    await page.getByRole('heading', { name: 'Sign in to Sextant' }).waitFor();
    assert.equal(await page.locator('#collections').count(), 0, 'no data before signing in');
    const denied = await page.evaluate(async () => (await fetch('/v2/vectordb/collections/list', { method: 'POST', body: '{}' })).status);
    assert.equal(denied, 401);
    const metrics = await page.evaluate(async () => (await fetch('/metrics')).status);
    assert.equal(metrics, 401, '/metrics with --metrics-auth needs credentials too');
    await shot(page, 'console-signin.png');
    await page.getByLabel('User').fill('root');
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#signin-error', { hasText: 'Wrong user name or password.' }).waitFor();
    b.allow.status401 = false;
    await page.getByLabel('Password').fill(ROOT_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await stateCell(page, 'books').filter({ hasText: 'loaded' }).waitFor({ timeout: 15_000 });
    await page.getByRole('link', { name: 'Server' }).click();
    await page.locator('#server-version', { hasText: 'sextant' }).waitFor();
    assert.deepEqual(b.problems, []);
    assert.deepEqual(h.unexpected, []);
  } finally {
    await b.close();
    await client.closeConnection();
    await h.stop();
  }
});

test('web console files: content types, cache headers, / links to it, nothing outside its directory', async () => {
  const base = await mkdtemp(join(tmpdir(), 'sextant-webui-files-'));
  const dir = join(base, 'webui');
  await mkdir(join(dir, 'assets'), { recursive: true });
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>console</title>');
  await writeFile(join(dir, 'assets', 'app-1.js'), 'console.log(1)');
  await writeFile(join(dir, 'assets', 'app-1.css'), 'body{}');
  await writeFile(join(base, 'secret.txt'), 'SECRET');
  await writeFile(join(dir, 'notes.md'), 'not a served type');
  const h = await startServer({ webuiDir: dir });
  try {
    const get = (path: string, method = 'GET') => rawRequestWithHeaders(`${h.url}${path}`, method);
    const index = await get('/webui/');
    assert.equal(index.status, 200);
    assert.equal(index.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(index.headers['cache-control'], 'no-cache');
    assert.match(index.headers['content-security-policy'] ?? '', /default-src 'none'/);
    const js = await get('/webui/assets/app-1.js');
    assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.match(js.headers['cache-control'] ?? '', /immutable/);
    assert.equal((await get('/webui/assets/app-1.css')).headers['content-type'], 'text/css; charset=utf-8');
    assert.match((await get('/')).text, /href="\/webui\/"/);
    const moved = await get('/webui');
    assert.equal(moved.status, 301);
    assert.equal(moved.headers['location'], '/webui/');
    assert.equal((await get('/webui/', 'POST')).status, 405);
    for (const path of [
      '/webui/../secret.txt', '/webui/%2e%2e/secret.txt', '/webui/..%2fsecret.txt', '/webui/assets/..%2f..%2fsecret.txt',
      '/webui/..%5csecret.txt', '/webui/assets/%2e%2e%2f%2e%2e%2fsecret.txt', '/webui/%2fetc%2fpasswd', '/webui/notes.md',
      '/webui/assets/app-1.js%00.html', '/webui/.%2e/secret.txt', '/webui//secret.txt', '/webui/missing.js', '/webui/%E0%A4%A',
      '/webui/assets', '/webui/C:%5csecret.txt',
    ]) {
      const r = await rawRequest(`${h.url}${path}`, 'GET', undefined);
      assert.equal(r.status, 404, `${path} -> ${r.status}`);
      assert.ok(!r.text.includes('SECRET'), path);
    }
    assert.equal(webuiFile('/webui/'), 'index.html');
    assert.equal(webuiFile('/webui/assets/a.js'), 'assets/a.js');
    assert.equal(webuiFile('/webui/..%2fa.js'), undefined);
    assert.equal(webuiFile('/webui/assets/.env.js'), undefined);
    assert.deepEqual(h.unexpected, []);
  } finally {
    await h.stop();
    await rm(base, { recursive: true, force: true });
  }
});

function rawRequestWithHeaders(url: string, method: string): Promise<{ status: number; text: string; headers: Record<string, string | undefined> }> {
  return fetch(url, { method, redirect: 'manual' }).then(async (res) => {
    const headers: Record<string, string | undefined> = {};
    res.headers.forEach((v, k) => { headers[k] = v; });
    return { status: res.status, text: await res.text(), headers };
  });
}
