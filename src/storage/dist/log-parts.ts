/**
 * Records larger than one JetStream message (the server's `max_payload`, 1 MiB by default) travel as
 * a group of parts (issue #14): the payload is cut into pieces of at most `partBytes`, each published
 * as its own message carrying the record's type and epoch plus two headers,
 * `Sextant-Group` (the record's message id) and `Sextant-Part` (`<index>/<count>`).
 *
 * The writer publishes a group's parts one after another with nothing between them, and acknowledges
 * the record only once the last part is stored; the record's LSN is the last part's sequence. A
 * reader hands the record on only when it has seen every part of one group in order, with no other
 * data record between them: a group cut short (the writer died or lost its lease between two parts;
 * a stale owner's later parts discarded behind a new owner's fence) is discarded whole, as soon as
 * anything else follows it or when the replay ends. So a group replays all or nothing.
 */

export const GROUP_HEADER = 'Sextant-Group';
export const PART_HEADER = 'Sextant-Part';

/** The pieces of `payload`, each at most `partBytes` long (views, not copies). */
export function splitPayload(payload: Uint8Array, partBytes: number): Uint8Array[] {
  const parts: Uint8Array[] = [];
  for (let at = 0; at < payload.length; at += partBytes) parts.push(payload.subarray(at, Math.min(payload.length, at + partBytes)));
  return parts;
}

/** `<index>/<count>` as published, or null when the header is absent or malformed. */
export function parsePart(value: string | undefined): { index: number; count: number } | null {
  const m = value === undefined ? null : /^([0-9]{1,6})\/([0-9]{1,6})$/.exec(value);
  if (m === null) return null;
  const index = Number(m[1]);
  const count = Number(m[2]);
  return count >= 1 && index < count ? { index, count } : null;
}

/** One data message as the reader sees it (epoch already checked). */
export interface PartMessage {
  seq: number;
  type: string | undefined;
  payload: Uint8Array;
  group: string | undefined;
  part: string | undefined;
}

interface OpenGroup {
  group: string;
  count: number;
  type: string | undefined;
  pieces: Uint8Array[];
  bytes: number;
}

/** Reassembles groups during one replay; whole records pass through unchanged. */
export class PartAssembler {
  /** Messages of groups that were cut short and thrown away. */
  discardedParts = 0;
  private open: OpenGroup | null = null;

  /** The record `m` completes (itself when it is whole), or null while a group is incomplete. */
  offer(m: PartMessage): PartMessage | null {
    const part = m.group === undefined ? null : parsePart(m.part);
    if (part === null || m.group === undefined) {
      this.drop();
      return m;
    }
    const open = this.open;
    if (part.index === 0) {
      this.drop();
      this.open = { group: m.group, count: part.count, type: m.type, pieces: [m.payload], bytes: m.payload.length };
    } else if (open !== null && open.group === m.group && open.count === part.count && open.pieces.length === part.index) {
      open.pieces.push(m.payload);
      open.bytes += m.payload.length;
    } else {
      // A part whose group did not start here (the replay began inside it, or its start was cut off).
      this.drop();
      this.discardedParts++;
      return null;
    }
    const cur = this.open;
    if (cur === null || cur.pieces.length < cur.count) return null;
    this.open = null;
    const payload = new Uint8Array(cur.bytes);
    let at = 0;
    for (const p of cur.pieces) { payload.set(p, at); at += p.length; }
    return { seq: m.seq, type: cur.type, payload, group: undefined, part: undefined };
  }

  /** Parts of a group still waiting for the rest (at the end of a replay: not handed on). */
  get pendingParts(): number {
    return this.open?.pieces.length ?? 0;
  }

  private drop(): void {
    if (this.open !== null) this.discardedParts += this.open.pieces.length;
    this.open = null;
  }
}
