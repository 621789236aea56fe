/**
 * The interactive shell: `sextant > ` prompt, history in ~/.sextant_history (env SEXTANT_HISTORY
 * overrides), tab completion of verbs, objects and collection names. Ctrl-C cancels a running
 * command (between batches) or clears the line. Lines read from a pipe run like a script: the
 * first failing line stops it, and its exit code is returned.
 */
import { appendFile, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Completer } from 'node:readline';
import { tokenize } from './args.js';
import type { Context } from './context.js';
import { normalizeVerb, objectsOf, redact, VERBS } from './registry.js';
import { EXIT, errorLine, exitCodeOf, runTokens, type Io } from './runner.js';

const HISTORY_MAX = 1000;

export function historyPath(): string {
  return process.env['SEXTANT_HISTORY'] ?? join(homedir(), '.sextant_history');
}

async function loadHistory(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.split('\n').filter((l) => l.trim() !== '').slice(-HISTORY_MAX).reverse();
}

/** A word as the tokenizer reads it back: bare when safe, else double-quoted with escapes. */
function quoteWord(w: string): string {
  return /^[\w.,:/@%+=*[\]{}-]+$/.test(w) ? w : `"${w.replace(/["\\]/g, '\\$&')}"`;
}

/** The line as history keeps it: unchanged, or with passwords and tokens masked (never kept). */
export function historyLine(line: string): string {
  let tokens: string[];
  try { tokens = tokenize(line); } catch { return redact(line.split(/\s+/)).join(' '); }
  const masked = redact(tokens);
  return masked.every((w, i) => w === tokens[i]) ? line : masked.map(quoteWord).join(' ');
}

const COLLECTION_FLAGS = new Set(['-c', '--collection', '-old', '--old']);

/** Completion candidates for the word being typed, given the words before it. */
export async function completions(ctx: Context, before: string[], word: string): Promise<string[]> {
  let pool: string[];
  if (before.length === 0) pool = [...VERBS];
  else if (COLLECTION_FLAGS.has(before[before.length - 1] ?? '')) pool = ctx.connected ? await ctx.backend.listCollections().catch(() => []) : [];
  else if (before.length === 1) pool = objectsOf(normalizeVerb(before[0] ?? ''));
  else pool = [];
  return pool.filter((p) => p.startsWith(word)).sort();
}

function completer(ctx: Context): Completer {
  return ((line: string, cb: (err: null, result: [string[], string]) => void) => {
    const words = line.split(/\s+/);
    const word = words.pop() ?? '';
    const before = words.filter((w) => w !== '');
    completions(ctx, before, word).then((hits) => cb(null, [hits.map((h) => `${h} `), word]), () => cb(null, [[], word]));
  }) as unknown as Completer;
}

export async function runShell(ctx: Context, io: Io): Promise<number> {
  const interactive = process.stdin.isTTY === true;
  const histFile = historyPath();
  const rl = createInterface({
    input: process.stdin, output: process.stdout, terminal: interactive, prompt: 'sextant > ',
    ...(interactive ? { history: await loadHistory(histFile), historySize: HISTORY_MAX, completer: completer(ctx) } : {}),
  });
  // readline's own history (Up arrow) gets the masked line too.
  rl.on('history', (h: string[]) => { if (h[0] !== undefined) h[0] = historyLine(h[0]); });
  let running = false;
  rl.on('SIGINT', () => {
    if (running) { ctx.cancel.cancel(); return; }
    rl.write(null, { ctrl: true, name: 'u' });
    io.out('');
    rl.prompt();
  });
  let code: number = EXIT.ok;
  if (interactive) rl.prompt();
  for await (const line of rl) {
    const trimmed = line.trim();
    if (trimmed !== '' && !trimmed.startsWith('#')) {
      if (interactive) await appendFile(histFile, `${historyLine(trimmed)}\n`).catch(() => undefined);
      let tokens: string[] = [];
      try { tokens = tokenize(trimmed); } catch (e) { io.err(errorLine(e)); code = exitCodeOf(e); }
      if (tokens.length > 0) {
        running = true;
        ctx.cancel.reset();
        code = await runTokens(ctx, tokens, io);
        running = false;
      }
      if (ctx.exitRequested || (!interactive && code !== EXIT.ok)) break;
    }
    if (interactive) rl.prompt();
  }
  rl.close();
  return code;
}
