#!/usr/bin/env node
/**
 * `sextant`: the command-line client. Global options first, then a command (one-shot) or nothing
 * (interactive shell):
 *   sextant --data DIR [-t user:password] [--output table|json|csv] [COMMAND ...]
 *   sextant --uri http://host:19530 [-t user:password] [-d DB] [COMMAND ...]
 * `-t` (`--token`) is never echoed; a remote target without it reads SEXTANT_TOKEN.
 * Exit codes: 0 success, 1 Milvus error (or bad data), 2 usage error, 130 cancelled by Ctrl-C.
 */
import { UsageError } from './args.js';
import { CancelToken } from './cancel.js';
import { outputFormatOf, CLI_VERSION } from './commands/session.js';
import { openBackend, type Target } from './connect.js';
import { Context } from './context.js';
import { helpText } from './registry.js';
import { EXIT, errorLine, exitCodeOf, processIo, runTokens } from './runner.js';
import { runShell } from './shell.js';

interface Globals { target: Target | null; output: string | undefined; rest: string[]; help: boolean; version: boolean }

const USAGE = `usage: sextant [--data DIR | --uri URI] [-t user:password] [-d DB] [--output table|json|csv] [COMMAND ...]
Without a command, starts the interactive shell. --uri without -t takes the token from SEXTANT_TOKEN;
--data with -t acts as that user (authorization on). Commands:`;

function parseGlobals(argv: readonly string[]): Globals {
  let data: string | undefined; let uri: string | undefined; let token: string | undefined; let db: string | undefined;
  let output: string | undefined;
  let help = false; let version = false;
  let i = 0;
  const value = (name: string): string => {
    const v = argv[++i];
    if (v === undefined) throw new UsageError(`option ${name} needs a value`);
    return v;
  };
  for (; i < argv.length; i++) {
    const a = argv[i] ?? '';
    const eq = a.indexOf('=');
    const name = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    const inline = a.startsWith('--') && eq > 0 ? a.slice(eq + 1) : undefined;
    const val = (): string => inline ?? value(name);
    if (name === '--data') data = val();
    else if (name === '--uri' || name === '-uri') uri = val();
    else if (name === '--token' || name === '-t') token = val();
    else if (name === '--db' || name === '--database' || name === '-d') db = val();
    else if (name === '--output') output = val();
    else if (name === '--help' || name === '-h') help = true;
    else if (name === '--version') version = true;
    else if (name.startsWith('-')) throw new UsageError(`unknown option ${name} (global options come before the command)`);
    else break;
  }
  if (data !== undefined && uri !== undefined) throw new UsageError('give either --data or --uri, not both');
  if (token !== undefined && data === undefined && uri === undefined) throw new UsageError('-t goes with --data or --uri (in the shell: connect -uri URI -t TOKEN)');
  const target: Target | null = data !== undefined ? { kind: 'embedded', dataDir: data, token, database: db }
    : uri !== undefined ? { kind: 'remote', uri, token, database: db } : null;
  return { target, output, rest: argv.slice(i), help, version };
}

async function main(argv: readonly string[]): Promise<number> {
  const cancel = new CancelToken();
  const ctx = new Context(cancel, process.stdout.isTTY === true);
  let g: Globals;
  try {
    g = parseGlobals(argv);
    if (g.output !== undefined) ctx.output = outputFormatOf(g.output);
  } catch (e) {
    processIo.err(errorLine(e));
    return EXIT.usage;
  }
  if (g.help) { processIo.out(`${USAGE}\n${helpText()}`); return EXIT.ok; }
  if (g.version) { processIo.out(`sextant cli ${CLI_VERSION}`); return EXIT.ok; }
  const oneShot = g.rest.length > 0;
  if (oneShot) {
    process.on('SIGINT', () => {
      if (cancel.isCancelled) process.exit(EXIT.cancelled);
      cancel.cancel();
    });
  }
  try {
    if (g.target !== null) await ctx.setBackend(await openBackend(g.target));
    return oneShot ? await runTokens(ctx, g.rest, processIo) : await runShell(ctx, processIo);
  } catch (e) {
    processIo.err(errorLine(e));
    return exitCodeOf(e);
  } finally {
    await ctx.setBackend(null).catch((e: unknown) => processIo.err(errorLine(e)));
  }
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e: unknown) => {
  processIo.err(errorLine(e));
  process.exitCode = EXIT.milvus;
});
