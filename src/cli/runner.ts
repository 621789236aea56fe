/** Run one command line: resolve, run, print; map failures to one `error:` line and an exit code. */
import { AccessError, MilvusError } from '../core/errors.js';
import { UsageError } from './args.js';
import { Cancelled } from './cancel.js';
import type { Context } from './context.js';
import { render } from './output.js';
import { resolve } from './registry.js';

export const EXIT = { ok: 0, milvus: 1, usage: 2, cancelled: 130 } as const;

export interface Io { out(text: string): void; err(text: string): void }

export const processIo: Io = {
  out: (t) => { process.stdout.write(`${t}\n`); },
  err: (t) => { process.stderr.write(`${t}\n`); },
};

const oneLine = (s: string): string => s.replace(/\s*\n\s*/g, ' ');

export function exitCodeOf(e: unknown): number {
  if (e instanceof Cancelled) return EXIT.cancelled;
  if (e instanceof UsageError) return EXIT.usage;
  return EXIT.milvus;
}

const GRPC_STATUS = { 7: 'PERMISSION_DENIED', 16: 'UNAUTHENTICATED' } as const;
const NO_TOKEN_HINT = ' (give -t user:password; for a server, SEXTANT_TOKEN works too)';

/**
 * A refusal prints its gRPC status as the SDKs show it (`16 UNAUTHENTICATED: <Milvus' message>`),
 * the same from both backends; a missing token adds how to give one.
 */
function accessLine(e: AccessError): string {
  const hint = e.grpcCode === 16 && e.message === 'missing authorization in header' ? NO_TOKEN_HINT : '';
  return `error: ${e.grpcCode} ${GRPC_STATUS[e.grpcCode]}: ${oneLine(e.message)}${hint}`;
}

export function errorLine(e: unknown): string {
  if (e instanceof Cancelled) return oneLine(e.message);
  if (e instanceof AccessError) return accessLine(e);
  if (e instanceof MilvusError) return `error: ${oneLine(e.message)}`;
  if (e instanceof UsageError) return `usage error: ${oneLine(e.message)}`;
  if (e instanceof Error) return `error: ${oneLine(e.message)}`;
  return `error: ${String(e)}`;
}

export async function runTokens(ctx: Context, tokens: readonly string[], io: Io): Promise<number> {
  try {
    const { command, args } = resolve(tokens);
    const text = render(await command.run(ctx, args), ctx.output);
    if (text !== null) io.out(text);
    return EXIT.ok;
  } catch (e) {
    io.err(errorLine(e));
    return exitCodeOf(e);
  }
}
