import assert from 'node:assert/strict';
import { MilvusError } from '../../src/core/errors.js';

/** Run `fn`, expect a MilvusError with `code` whose message contains every `parts` string. */
export function expectMilvusError(fn: () => unknown, code: number, ...parts: string[]): MilvusError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof MilvusError, `expected a MilvusError, got ${String(caught)}`);
  assert.equal(caught.code, code, `code of: ${caught.message}`);
  for (const p of parts) assert.ok(caught.message.includes(p), `message ${JSON.stringify(caught.message)} lacks ${JSON.stringify(p)}`);
  return caught;
}
