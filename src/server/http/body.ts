/**
 * Read a request body up to a byte limit. Past the limit the rest is read and thrown away (nothing
 * is buffered), so the client still gets a proper JSON answer on a healthy connection.
 */
import type { IncomingMessage } from 'node:http';

export type BodyResult = { kind: 'ok'; bytes: Buffer } | { kind: 'tooLarge'; sizeBytes: number } | { kind: 'aborted' };

export function readBody(req: IncomingMessage, limitBytes: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limitBytes) chunks.push(chunk);
      else chunks.length = 0;
    });
    req.on('end', () => resolve(size > limitBytes ? { kind: 'tooLarge', sizeBytes: size } : { kind: 'ok', bytes: Buffer.concat(chunks, size) }));
    req.on('error', () => resolve({ kind: 'aborted' }));
    req.on('aborted', () => resolve({ kind: 'aborted' }));
  });
}
