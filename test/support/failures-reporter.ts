/**
 * A second `npm test` reporter: after the whole run, every test that did not pass, with its error (a
 * failed `before` hook's cause included), repeated at the very end of the output. CI keeps only the
 * tail of what a run printed; a suite whose hook failed otherwise shows there as nothing but
 * "# cancelled 25" in the totals (session 16's landing was refused on exactly that, with no way to
 * see which hook failed or why).
 */
interface FailEvent {
  type: string;
  /** `todo`: a todo test, whose failure is expected (the runner counts it as todo, not as failed). */
  data: { name?: string; file?: string; todo?: string | boolean; details?: { error?: unknown } };
}

const MAX_ERROR_CHARS = 3000;

/** The error's text and its causes', as the runner wraps them (hookFailed, testCodeFailure, cancelledByParent). */
function describeError(e: unknown): { kind: string; text: string } {
  if (!(e instanceof Error)) return { kind: 'error', text: String(e) };
  const kind = (e as { failureType?: unknown }).failureType;
  const parts: string[] = [];
  let cur: unknown = e;
  for (let depth = 0; depth < 4 && cur !== undefined && cur !== null; depth++) {
    parts.push(cur instanceof Error ? (cur.stack ?? `${cur.name}: ${cur.message}`) : String(cur));
    cur = cur instanceof Error ? (cur as { cause?: unknown }).cause : undefined;
  }
  return { kind: typeof kind === 'string' ? kind : 'error', text: parts.join('\n  caused by: ') };
}

export default async function* failuresReporter(source: AsyncIterable<FailEvent>): AsyncGenerator<string> {
  const failed: string[] = [];
  let cancelledByParent = 0;
  for await (const event of source) {
    if (event.type !== 'test:fail') continue;
    const { name = '?', file, todo, details } = event.data;
    if (todo !== undefined && todo !== false) continue;
    const { kind, text } = describeError(details?.error);
    if (kind === 'cancelledByParent') {
      cancelledByParent++;
      continue;
    }
    const where = file !== undefined ? ` (${file})` : '';
    failed.push(`- ${name}${where}: ${kind}\n  ${text.slice(0, MAX_ERROR_CHARS).replace(/\n/g, '\n  ')}`);
  }
  if (failed.length === 0 && cancelledByParent === 0) return;
  yield `\n# Not passed (repeated from above): ${failed.length}, and ${cancelledByParent} cancelled with their parent\n`;
  for (const f of failed) yield `${f.split('\n').map((l) => `# ${l}`).join('\n')}\n`;
}
