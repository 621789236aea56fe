/**
 * milvus_cli-style arguments: a shell-like tokenizer for the interactive prompt, and a flag parser
 * driven by a per-command spec (flags are short words like `-c`, `-in`, `-uri`; the same letter can
 * mean different things in different commands, as in milvus_cli).
 */

/** A mistake in how a command was typed: exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Split a line into words: whitespace separates, '...' and "..." quote, backslash escapes. */
export function tokenize(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] ?? '';
    if (quote !== null) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && quote === '"' && i + 1 < line.length) cur += line[++i];
      else cur += ch;
      continue;
    }
    if (ch === '"' || ch === "'") { quote = ch; inWord = true; continue; }
    if (ch === '\\' && i + 1 < line.length) { cur += line[++i]; inWord = true; continue; }
    if (/\s/.test(ch)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
      continue;
    }
    cur += ch;
    inWord = true;
  }
  if (quote !== null) throw new UsageError(`unterminated ${quote} quote`);
  if (inWord) out.push(cur);
  return out;
}

export type FlagKind = 'value' | 'multi' | 'bool';
export interface FlagSpec {
  /** Every spelling, e.g. ['-c', '--collection']. */
  names: string[];
  key: string;
  kind: FlagKind;
  help: string;
  /** A password or token: masked wherever a command line is kept (shell history). */
  secret?: boolean;
}

export interface ParsedArgs {
  values: Map<string, string[]>;
  bools: Set<string>;
  positionals: string[];
}

/** Parse flags after the command words. Unknown flags and missing values are UsageErrors. */
export function parseFlags(tokens: readonly string[], specs: readonly FlagSpec[]): ParsedArgs {
  const byName = new Map<string, FlagSpec>();
  for (const s of specs) for (const n of s.names) byName.set(n, s);
  const values = new Map<string, string[]>();
  const bools = new Set<string>();
  const positionals: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i] ?? '';
    if (!tok.startsWith('-') || tok === '-' || /^-\d/.test(tok)) { positionals.push(tok); continue; }
    const eq = tok.indexOf('=');
    const name = eq > 0 ? tok.slice(0, eq) : tok;
    const spec = byName.get(name);
    if (spec === undefined) throw new UsageError(`unknown option ${name}`);
    if (spec.kind === 'bool') {
      if (eq > 0) throw new UsageError(`option ${name} takes no value`);
      bools.add(spec.key);
      continue;
    }
    let v: string | undefined = eq > 0 ? tok.slice(eq + 1) : tokens[++i];
    if (v === undefined) throw new UsageError(`option ${name} needs a value`);
    const list = values.get(spec.key) ?? [];
    if (spec.kind === 'value' && list.length > 0) throw new UsageError(`option ${name} given twice`);
    list.push(v);
    values.set(spec.key, list);
    v = undefined;
  }
  return { values, bools, positionals };
}

/** Accessors over ParsedArgs that turn absences and bad numbers into UsageErrors. */
export class Args {
  constructor(readonly parsed: ParsedArgs, private readonly command: string) {}

  opt(key: string): string | undefined {
    return this.parsed.values.get(key)?.[0];
  }
  req(key: string, flag: string): string {
    const v = this.opt(key);
    if (v === undefined || v === '') throw new UsageError(`${this.command}: missing ${flag}`);
    return v;
  }
  list(key: string): string[] {
    const out: string[] = [];
    for (const v of this.parsed.values.get(key) ?? []) for (const part of v.split(',')) if (part.trim() !== '') out.push(part.trim());
    return out;
  }
  raw(key: string): string[] {
    return this.parsed.values.get(key) ?? [];
  }
  flag(key: string): boolean {
    return this.parsed.bools.has(key);
  }
  int(key: string, flag: string, fallback?: number): number | undefined {
    const v = this.opt(key);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n)) throw new UsageError(`${this.command}: ${flag} expects an integer, got "${v}"`);
    return n;
  }
  get positionals(): string[] {
    return this.parsed.positionals;
  }
}
