/** Every failure of the filter compiler is a code-1100 MilvusError that names the position. */
import { errors, type MilvusError } from '../core/errors.js';

const SNIPPET_MAX_CHARS = 120;

function snippet(text: string): string {
  return text.length <= SNIPPET_MAX_CHARS ? text : `${text.slice(0, SNIPPET_MAX_CHARS)}…`;
}

/** `cannot parse expression: <text> : <problem> at position <pos>` (pos is a 0-based UTF-16 offset). */
export function exprError(text: string, problem: string, pos: number): MilvusError {
  return errors.invalidParameter(`cannot parse expression: ${snippet(text)} : ${problem} at position ${pos}`);
}
