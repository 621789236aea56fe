/**
 * `like` patterns: `%` matches any run of characters, `_` exactly one character (code point), and a
 * backslash makes the next character literal (`\%`, `\_`, `\\`). Compiled once per filter into the
 * cheapest matcher: equality, prefix, suffix, substring, or an anchored regular expression.
 */

export function likePatternProblem(pattern: string): string | undefined {
  let i = 0;
  while (i < pattern.length) {
    if (pattern[i] === '\\') {
      if (i + 1 >= pattern.length) return 'it ends with an unescaped backslash';
      i += 2;
    } else {
      i++;
    }
  }
  return undefined;
}

export type LikeMatcher =
  | { kind: 'equals'; text: string }
  | { kind: 'prefix'; text: string }
  | { kind: 'suffix'; text: string }
  | { kind: 'contains'; text: string }
  /**
   * General case without backtracking blow-up: the pattern split at `%` into segments of literals
   * and `_`; the first is anchored at the start (sticky), the middle ones are found leftmost in order,
   * the last must end at the end. Each segment regex has no quantifiers, so matching is O(n*m).
   */
  | { kind: 'segments'; first: RegExp; middle: RegExp[]; last: RegExp | null };

type Piece = { wild: '%' | '_' } | { lit: string };

function pieces(pattern: string): Piece[] {
  const out: Piece[] = [];
  let lit = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === '\\') { lit += pattern[i + 1] ?? ''; i++; continue; }
    if (ch === '%' || ch === '_') {
      if (lit !== '') { out.push({ lit }); lit = ''; }
      out.push({ wild: ch });
      continue;
    }
    lit += ch;
  }
  if (lit !== '') out.push({ lit });
  return out;
}

/** The literal runs of a pattern (between wildcards, escapes resolved): each is a substring of any match. */
export function likeLiterals(pattern: string): string[] {
  const out: string[] = [];
  for (const p of pieces(pattern)) if ('lit' in p) out.push(p.lit);
  return out;
}

function escapeRegex(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

export function compileLike(pattern: string): LikeMatcher {
  const ps = pieces(pattern);
  const lits = ps.filter((p): p is { lit: string } => 'lit' in p);
  const hasUnderscore = ps.some((p) => 'wild' in p && p.wild === '_');
  if (!hasUnderscore && lits.length <= 1) {
    const text = lits[0]?.lit ?? '';
    const first = ps[0];
    const last = ps[ps.length - 1];
    const startsWild = first !== undefined && 'wild' in first;
    const endsWild = last !== undefined && 'wild' in last;
    if (!startsWild && !endsWild) return { kind: 'equals', text };
    if (!startsWild) return { kind: 'prefix', text };
    if (!endsWild) return { kind: 'suffix', text };
    return { kind: 'contains', text };
  }
  const segs: string[] = [''];
  for (const p of ps) {
    if ('wild' in p && p.wild === '%') { segs.push(''); continue; }
    segs[segs.length - 1] += 'lit' in p ? escapeRegex(p.lit) : '.';
  }
  const firstSrc = segs[0] ?? '';
  if (segs.length === 1) return { kind: 'segments', first: new RegExp(`^(?:${firstSrc})$`, 'su'), middle: [], last: null };
  const lastSrc = segs[segs.length - 1] ?? '';
  return {
    kind: 'segments',
    first: new RegExp(firstSrc, 'suy'),
    middle: segs.slice(1, -1).filter((x) => x !== '').map((x) => new RegExp(x, 'sug')),
    last: lastSrc === '' ? null : new RegExp(`(?:${lastSrc})$`, 'sug'),
  };
}

function segmentsMatch(m: LikeMatcher & { kind: 'segments' }, s: string): boolean {
  m.first.lastIndex = 0;
  if (!m.first.test(s)) return false;
  let pos = m.first.lastIndex;
  for (const re of m.middle) {
    re.lastIndex = pos;
    if (!re.test(s)) return false;
    pos = re.lastIndex;
  }
  if (m.last === null) return true;
  m.last.lastIndex = pos;
  return m.last.test(s);
}

export function likeMatches(m: LikeMatcher, s: string): boolean {
  switch (m.kind) {
    case 'equals': return s === m.text;
    case 'prefix': return s.startsWith(m.text);
    case 'suffix': return s.endsWith(m.text);
    case 'contains': return s.includes(m.text);
    case 'segments': return segmentsMatch(m, s);
  }
}
