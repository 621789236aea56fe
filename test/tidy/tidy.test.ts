/**
 * The tidy test: the house rules of PREAMBLE/STYLE, checked over the real sources (src/ and asm/),
 * and the checker itself checked on synthetic files with one violation of each kind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, relative, sep } from 'node:path';
import { checkTidy, parseLayers, type SourceText, type TidyRules, type Waiver, type Violation } from './check.js';

/** The repository root (this file runs from dist/test/tidy/). */
const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Rules broken on purpose. Keep this list short: prefer splitting. */
const waivers: Waiver[] = [
  {
    kind: 'any',
    path: 'src/client/types.ts',
    name: 'RowResult',
    reason: 'the Node SDK declares result rows Record<string, any>; the same type lets SDK user code compile unchanged against the embedded client',
  },
];

function tsFiles(dir: string, recursive: boolean): SourceText[] {
  const out: SourceText[] = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const full = join(root, dir, entry.name);
    if (entry.isDirectory()) {
      if (recursive) out.push(...tsFiles(relative(root, full), true));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
      out.push({ path: relative(root, full).split(sep).join('/'), text: readFileSync(full, 'utf8') });
    }
  }
  return out;
}

function rulesWith(layers: TidyRules['layers'], extraWaivers: Waiver[]): TidyRules {
  return {
    layers,
    maxFileLines: 500,
    maxFunctionLines: 70,
    envReaders: (p) => p === 'src/server/main.ts' || p.startsWith('src/cli/'),
    layered: (p) => p.startsWith('src/'),
    waivers: extraWaivers,
  };
}

function show(violations: Violation[]): string {
  return violations.map((v) => `  [${v.kind}] ${v.message}`).join('\n');
}

test('tidy: src/ and asm/ follow the house rules (layers and cycles of ARCHITECTURE.md, no process.env below main, lengths, no any)', () => {
  const layers = parseLayers(readFileSync(join(root, 'ARCHITECTURE.md'), 'utf8'));
  const files = [...tsFiles('src', true), ...tsFiles('asm', false)];
  assert.ok(files.length > 100, `expected the sources, found ${files.length} files under ${root}`);
  const violations = checkTidy(files, rulesWith(layers, waivers));
  assert.equal(violations.length, 0, `tidy found ${violations.length} violation(s):\n${show(violations)}`);
});

test('tidy: the layers block of ARCHITECTURE.md reads top to bottom, cli on top, core at the bottom', () => {
  const layers = parseLayers(readFileSync(join(root, 'ARCHITECTURE.md'), 'utf8'));
  assert.deepEqual(layers.map((l) => l.name),
    ['cli', 'client', 'server', 'service', 'engine', 'storage', 'index', 'expr', 'schema', 'analyzer', 'core']);
  for (const l of layers) assert.equal(l.folder, `src/${l.name}`);
});

const synthLayers = parseLayers([
  '# Doc', '## Layers', '```',
  'top      src/top      the top',
  '                      continued description',
  'mid      src/mid      the middle',
  'low      src/low      the bottom',
  '```', '',
].join('\n'));

function kinds(files: SourceText[], extraWaivers: Waiver[] = []): string[] {
  return checkTidy(files, rulesWith(synthLayers, extraWaivers)).map((v) => `${v.kind} ${v.path}`).sort();
}

const body = (n: number): string => Array.from({ length: n }, (_, i) => `  const v${i} = ${i};`).join('\n');

test('tidy checker: a clean synthetic tree passes; the layers block is parsed', () => {
  assert.deepEqual(synthLayers.map((l) => l.name), ['top', 'mid', 'low']);
  assert.deepEqual(kinds([
    { path: 'src/top/a.ts', text: "import { b } from '../mid/b.js';\nexport const a = b;\n" },
    { path: 'src/mid/b.ts', text: "import type { C } from '../low/c.js';\nexport const b: C = 1;\n" },
    { path: 'src/low/c.ts', text: 'export type C = number;\n' },
  ]), []);
});

test('tidy checker: an upward import is reported, whether static, type-only, re-export, import() or a worker URL', () => {
  const low = (text: string): SourceText[] => [
    { path: 'src/top/t.ts', text: 'export type T = number;\nexport const t = 1;\n' },
    { path: 'src/low/l.ts', text },
  ];
  for (const text of [
    "import { t } from '../top/t.js';\nexport const l = t;\n",
    "import type { T } from '../top/t.js';\nexport const l: T = 1;\n",
    "export { t } from '../top/t.js';\n",
    "export * from '../top/t.js';\n",
    "export async function l(): Promise<unknown> { return import('../top/t.js'); }\n",
    "export const l = new URL('../top/t.js', import.meta.url);\n",
    "export type L = import('../top/t.js').T;\n",
  ]) {
    assert.deepEqual(kinds(low(text)), ['layer src/low/l.ts'], text);
  }
  assert.deepEqual(kinds([{ path: 'src/elsewhere/x.ts', text: 'export const x = 1;\n' }]), ['unknown-layer src/elsewhere/x.ts']);
});

test('tidy checker: import cycles are reported, type-only ones included; same-layer acyclic imports pass', () => {
  assert.deepEqual(kinds([
    { path: 'src/mid/a.ts', text: "import type { B } from './b.js';\nexport type A = B;\n" },
    { path: 'src/mid/b.ts', text: "import type { C } from './c.js';\nexport type B = C;\n" },
    { path: 'src/mid/c.ts', text: "import type { A } from './a.js';\nexport type C = A | 1;\n" },
    { path: 'src/mid/d.ts', text: "import type { A } from './a.js';\nexport type D = A;\n" },
  ]), ['cycle src/mid/a.ts']);
  assert.deepEqual(kinds([{ path: 'src/mid/self.ts', text: "export * from './self.js';\n" }]), ['cycle src/mid/self.ts']);
});

test('tidy checker: process.env read outside the entry points is reported', () => {
  assert.deepEqual(kinds([
    { path: 'src/mid/e.ts', text: "export const e = process.env['X'];\n" },
    { path: 'src/low/f.ts', text: "export const f = process['env'].Y;\n" },
    { path: 'src/server/main.ts', text: "export const ok = process.env['X'];\n" },
    { path: 'src/cli/x.ts', text: "export const ok = process.env['X'];\n" },
  ]).filter((k) => k.startsWith('env')), ['env src/low/f.ts', 'env src/mid/e.ts']);
});

test('tidy checker: long files and long functions of every kind are reported unless waived with a reason', () => {
  const long = [
    `export function f(): void {\n${body(70)}\n}\n`,
    `export const g = (): void => {\n${body(70)}\n};\n`,
    `export const h = function (): void {\n${body(70)}\n};\n`,
    `export class K {\n  m(): void {\n${body(70)}\n  }\n}\n`,
    `export class K {\n  get v(): number {\n${body(70)}\n    return 1;\n  }\n}\n`,
    `export class K {\n  constructor() {\n${body(70)}\n  }\n}\n`,
  ];
  for (const text of long) assert.deepEqual(kinds([{ path: 'src/low/f.ts', text }]), ['function-length src/low/f.ts'], text);
  assert.deepEqual(kinds([{ path: 'src/low/f.ts', text: `export function f(): void {\n${body(68)}\n}\n` }]), []);
  assert.deepEqual(kinds([{ path: 'asm/k.ts', text: `${body(501)}\n` }]), ['file-length asm/k.ts']);
  assert.deepEqual(kinds([{ path: 'asm/k.ts', text: `${body(500)}\n` }]), []);
  const waived: Waiver[] = [
    { kind: 'file-length', path: 'asm/k.ts', reason: 'a test waiver' },
    { kind: 'function-length', path: 'src/low/f.ts', name: 'f', reason: 'a test waiver' },
  ];
  assert.deepEqual(kinds([
    { path: 'asm/k.ts', text: `${body(501)}\n` },
    { path: 'src/low/f.ts', text: long[0]! },
  ], waived), []);
  assert.deepEqual(kinds([{ path: 'src/low/f.ts', text: long[0]! }], [{ kind: 'function-length', path: 'src/low/f.ts', name: 'f', reason: ' ' }]),
    ['function-length src/low/f.ts', 'function-length src/low/f.ts'], 'a waiver without a reason waives nothing and is reported');
  assert.deepEqual(kinds([{ path: 'src/low/f.ts', text: 'export const f = 1;\n' }], waived), ['file-length asm/k.ts', 'function-length src/low/f.ts'],
    'stale waivers are reported');
});

test('tidy checker: every spelling of any is reported (annotation, as any, <any>, any[], generic argument)', () => {
  for (const text of [
    'export let a: any;\n',
    'export const a = 1 as any;\n',
    'export const a = <any>1;\n',
    'export const a: any[] = [];\n',
    'export const a = new Map<string, any>();\n',
    'export function a(x: unknown): void { const y = x as Array<any>; void y; }\n',
  ]) {
    assert.deepEqual(kinds([{ path: 'asm/a.ts', text }]), ['any asm/a.ts'], text);
  }
  assert.deepEqual(kinds([{ path: 'asm/a.ts', text: "export const anyThing = 'any';\n" }]), []);
  const typeWaiver: Waiver[] = [{ kind: 'any', path: 'asm/a.ts', name: 'Row', reason: 'a test waiver' }];
  assert.deepEqual(kinds([{ path: 'asm/a.ts', text: 'export type Row = Record<string, any>;\n' }], typeWaiver), []);
  assert.deepEqual(kinds([{ path: 'asm/a.ts', text: 'export type Row = Record<string, any>;\nexport let b: any;\n' }], typeWaiver), ['any asm/a.ts']);
});
