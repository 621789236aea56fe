/**
 * The house rules, checked (in the spirit of TigerBeetle's tidy.zig): imports point downward in the
 * layer order of ARCHITECTURE.md, no import cycles between files (type-only imports, re-exports,
 * dynamic import() and `new URL('./x.js', import.meta.url)` worker entry points included), no
 * `process.env` reads in src/ outside the process entry points, files <= 500 lines, functions <= 70
 * lines, no `any`. Sources are parsed with the TypeScript compiler API; nothing here is a regex over
 * code. The checker works on in-memory files so it can be tested on synthetic violations.
 */
import ts from 'typescript';
import { posix } from 'node:path';

export interface SourceText {
  /** Repository-relative posix path, e.g. `src/engine/pk.ts`. */
  path: string;
  text: string;
}

export interface Layer {
  name: string;
  /** Repository-relative folder, e.g. `src/engine`. */
  folder: string;
}

export type ViolationKind = 'layer' | 'cycle' | 'env' | 'file-length' | 'function-length' | 'any' | 'unknown-layer';

export interface Violation {
  kind: ViolationKind;
  path: string;
  message: string;
}

/**
 * A rule broken on purpose, with the reason. `name` is the function's name for 'function-length', the
 * enclosing declaration's name (type, interface, function, variable) for 'any'. A waiver that waives
 * nothing is itself reported, so the list only shrinks.
 */
export interface Waiver {
  kind: 'file-length' | 'function-length' | 'any';
  path: string;
  name?: string;
  reason: string;
}

export interface TidyRules {
  layers: Layer[];
  maxFileLines: number;
  maxFunctionLines: number;
  /** Files allowed to read process.env (the process entry points). */
  envReaders: (path: string) => boolean;
  /** Files whose imports must follow the layer order and be acyclic. */
  layered: (path: string) => boolean;
  waivers: Waiver[];
}

/**
 * The layers block of ARCHITECTURE.md: the first fenced block after the "Layers" heading, one layer
 * per line that starts in column 0 as `name  src/folder  description`; indented lines continue the
 * description. Top of the block is the top layer.
 */
export function parseLayers(markdown: string): Layer[] {
  const lines = markdown.split('\n');
  const heading = lines.findIndex((l) => /^#+ .*Layers/.test(l));
  if (heading < 0) throw new Error('ARCHITECTURE.md has no "Layers" heading');
  const open = lines.findIndex((l, i) => i > heading && l.startsWith('```'));
  const close = lines.findIndex((l, i) => i > open && l.startsWith('```'));
  if (open < 0 || close < 0) throw new Error('ARCHITECTURE.md has no fenced layers block after its "Layers" heading');
  const layers: Layer[] = [];
  for (const line of lines.slice(open + 1, close)) {
    if (line.length === 0 || line.startsWith(' ')) continue;
    const [name, folder] = line.split(/\s+/);
    if (name === undefined || folder === undefined || !folder.startsWith('src/')) {
      throw new Error(`ARCHITECTURE.md layers block: cannot read "${line}" (expected "name  src/folder  what")`);
    }
    layers.push({ name, folder: folder.replace(/\/$/, '') });
  }
  if (layers.length === 0) throw new Error('ARCHITECTURE.md layers block lists no layers');
  return layers;
}

interface Edge {
  from: string;
  to: string;
  line: number;
}

function lineOf(sf: ts.SourceFile, node: ts.Node): number {
  return sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
}

function isImportMetaUrl(node: ts.Expression): boolean {
  return ts.isPropertyAccessExpression(node) && node.name.text === 'url' &&
    ts.isMetaProperty(node.expression) && node.expression.keywordToken === ts.SyntaxKind.ImportKeyword;
}

/** Module specifiers of every import-like edge: static, type-only, re-export, import(), new URL(..., import.meta.url). */
function specifiers(sf: ts.SourceFile): { spec: string; line: number }[] {
  const out: { spec: string; line: number }[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier !== undefined &&
      ts.isStringLiteral(node.moduleSpecifier)) {
      out.push({ spec: node.moduleSpecifier.text, line: lineOf(sf, node) });
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)) {
      out.push({ spec: node.moduleReference.expression.text, line: lineOf(sf, node) });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      if (arg !== undefined && ts.isStringLiteralLike(arg)) out.push({ spec: arg.text, line: lineOf(sf, node) });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      out.push({ spec: node.argument.literal.text, line: lineOf(sf, node) });
    } else if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'URL') {
      const [arg, base] = node.arguments ?? [];
      if (arg !== undefined && base !== undefined && ts.isStringLiteralLike(arg) && isImportMetaUrl(base)) {
        out.push({ spec: arg.text, line: lineOf(sf, node) });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** A relative specifier resolved against the file set (`./x.js` -> `x.ts`, `./dir` -> `dir/index.ts`). */
function resolve(from: string, spec: string, known: Set<string>): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = posix.normalize(posix.join(posix.dirname(from), spec));
  const stem = base.replace(/\.(js|ts|mjs|cjs)$/, '');
  for (const candidate of [`${stem}.ts`, base, `${base}/index.ts`]) {
    if (known.has(candidate)) return candidate;
  }
  return undefined;
}

function layerOf(path: string, layers: Layer[]): number {
  return layers.findIndex((l) => path.startsWith(`${l.folder}/`));
}

function checkLayers(edges: Edge[], rules: TidyRules, out: Violation[]): void {
  const { layers } = rules;
  for (const e of edges) {
    const from = layerOf(e.from, layers);
    const to = layerOf(e.to, layers);
    if (from < 0 || to < 0) continue;
    if (to < from) {
      out.push({
        kind: 'layer',
        path: e.from,
        message: `${e.from}:${e.line} imports ${e.to}: ${layers[from]!.name} may not import from ${layers[to]!.name}, which is above it`,
      });
    }
  }
}

/** Tarjan's strongly connected components; every component of more than one file (or a self-import) is a cycle. */
function checkCycles(files: string[], edges: Edge[], out: Violation[]): void {
  const next = new Map<string, string[]>();
  for (const f of files) next.set(f, []);
  for (const e of edges) next.get(e.from)?.push(e.to);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  let counter = 0;
  const connect = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    for (;;) {
      const w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
      if (w === v) break;
    }
    const selfLoop = component.length === 1 && (next.get(v) ?? []).includes(v);
    if (component.length > 1 || selfLoop) {
      component.sort();
      out.push({ kind: 'cycle', path: component[0]!, message: `import cycle between ${component.join(', ')}` });
    }
  };
  for (const f of files) if (!index.has(f)) connect(f);
}

function functionName(node: ts.Node, sf: ts.SourceFile): string {
  const named = node as ts.Node & { name?: ts.Node };
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  if (named.name !== undefined && (ts.isIdentifier(named.name) || ts.isPrivateIdentifier(named.name) || ts.isStringLiteral(named.name))) {
    return named.name.text;
  }
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (ts.isPropertyDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  return `<anonymous at line ${lineOf(sf, node)}>`;
}

function isFunctionLike(node: ts.Node): boolean {
  return ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isArrowFunction(node) ||
    ts.isFunctionExpression(node) || ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node) ||
    ts.isConstructorDeclaration(node);
}

function isWaived(rules: TidyRules, used: Set<Waiver>, kind: Waiver['kind'], path: string, name?: string): boolean {
  const waiver = rules.waivers.find((w) => w.kind === kind && w.path === path && w.name === name && w.reason.trim().length > 0);
  if (waiver !== undefined) used.add(waiver);
  return waiver !== undefined;
}

/** The name of the nearest enclosing named declaration, for waivers of `any`. */
function enclosingName(node: ts.Node): string | undefined {
  for (let n: ts.Node | undefined = node.parent; n !== undefined; n = n.parent) {
    const named = n as ts.Node & { name?: ts.Node };
    if (ts.isSourceFile(n)) return undefined;
    if (named.name !== undefined && ts.isIdentifier(named.name) && !ts.isParameter(n) && !ts.isPropertySignature(n)) return named.name.text;
  }
  return undefined;
}

function checkShape(sf: ts.SourceFile, path: string, rules: TidyRules, used: Set<Waiver>, out: Violation[]): void {
  const lines = sf.getLineAndCharacterOfPosition(sf.getEnd()).line + (sf.text.endsWith('\n') ? 0 : 1);
  if (lines > rules.maxFileLines && !isWaived(rules, used, 'file-length', path)) {
    out.push({ kind: 'file-length', path, message: `${path} has ${lines} lines (at most ${rules.maxFileLines})` });
  }
  const visit = (node: ts.Node): void => {
    if (isFunctionLike(node) && (node as ts.FunctionLikeDeclaration).body !== undefined) {
      const first = lineOf(sf, node);
      const last = sf.getLineAndCharacterOfPosition(node.getEnd()).line + 1;
      const name = functionName(node, sf);
      if (last - first + 1 > rules.maxFunctionLines && !isWaived(rules, used, 'function-length', path, name)) {
        out.push({
          kind: 'function-length',
          path,
          message: `${path}:${first} function ${name} has ${last - first + 1} lines (at most ${rules.maxFunctionLines})`,
        });
      }
    }
    if (node.kind === ts.SyntaxKind.AnyKeyword && !isWaived(rules, used, 'any', path, enclosingName(node))) {
      out.push({ kind: 'any', path, message: `${path}:${lineOf(sf, node)} uses \`any\` (narrow from unknown instead)` });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
}

function isProcessEnv(node: ts.Node): boolean {
  if (ts.isPropertyAccessExpression(node)) {
    return node.name.text === 'env' && ts.isIdentifier(node.expression) && node.expression.text === 'process';
  }
  if (ts.isElementAccessExpression(node) && ts.isStringLiteral(node.argumentExpression)) {
    return node.argumentExpression.text === 'env' && ts.isIdentifier(node.expression) && node.expression.text === 'process';
  }
  return false;
}

function checkEnv(sf: ts.SourceFile, path: string, out: Violation[]): void {
  const visit = (node: ts.Node): void => {
    if (isProcessEnv(node)) {
      out.push({ kind: 'env', path, message: `${path}:${lineOf(sf, node)} reads process.env (thread the setting through options)` });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
}

/** Every rule over the given files; layered files also get the import, cycle and env rules. */
export function checkTidy(files: SourceText[], rules: TidyRules): Violation[] {
  const out: Violation[] = [];
  const parsed = files.map((f) => ({ path: f.path, sf: ts.createSourceFile(f.path, f.text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS) }));
  const layered = parsed.filter((f) => rules.layered(f.path));
  const known = new Set(layered.map((f) => f.path));
  const edges: Edge[] = [];
  const used = new Set<Waiver>();
  for (const { path, sf } of parsed) {
    checkShape(sf, path, rules, used, out);
    if (!rules.layered(path)) continue;
    if (layerOf(path, rules.layers) < 0) {
      out.push({ kind: 'unknown-layer', path, message: `${path} is in no layer of ARCHITECTURE.md` });
    }
    if (!rules.envReaders(path)) checkEnv(sf, path, out);
    for (const { spec, line } of specifiers(sf)) {
      const to = resolve(path, spec, known);
      if (to !== undefined) edges.push({ from: path, to, line });
    }
  }
  checkLayers(edges, rules, out);
  checkCycles(layered.map((f) => f.path), edges, out);
  for (const w of rules.waivers) {
    if (w.reason.trim().length === 0) out.push({ kind: w.kind, path: w.path, message: `waiver for ${w.path} gives no reason` });
    else if (!used.has(w)) out.push({ kind: w.kind, path: w.path, message: `waiver for ${w.path} ${w.name ?? ''} waives nothing: remove it` });
  }
  return out;
}
