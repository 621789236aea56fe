/**
 * The reference TEXT_MATCH / PHRASE_MATCH for naive.ts: analyse the row's text on the spot and
 * search it directly (a set for TEXT_MATCH, a backtracking search over placements for PHRASE_MATCH),
 * sharing nothing with the positional index of text-index.ts.
 */
import type { Node } from './plan.js';

export function naiveTextMatch(node: Node & { op: 'textMatch' }, text: string): boolean {
  const present = new Set(node.analyzer.tokens(text));
  let hits = 0;
  for (const t of node.tokens) if (present.has(t)) hits++;
  return node.tokens.length > 0 && hits >= node.minShouldMatch;
}

/**
 * Some placement of query term i (query position q_i) on a row token with the same text, each row
 * token used once, with max(p_i - q_i) - min(p_i - q_i) <= slop.
 */
export function naivePhraseMatch(node: Node & { op: 'phraseMatch' }, text: string): boolean {
  const terms = node.terms;
  if (terms.length === 0) return false;
  const doc = node.analyzer.analyze(text);
  const used = new Array<boolean>(doc.length).fill(false);
  const place = (i: number, lo: number, hi: number): boolean => {
    if (i === terms.length) return true;
    const term = terms[i]!;
    for (let d = 0; d < doc.length; d++) {
      const t = doc[d]!;
      if (used[d] === true || t.token !== term.token) continue;
      const shift = t.position - term.position;
      const nlo = Math.min(lo, shift);
      const nhi = Math.max(hi, shift);
      if (nhi - nlo > node.slop) continue;
      used[d] = true;
      const ok = place(i + 1, nlo, nhi);
      used[d] = false;
      if (ok) return true;
    }
    return false;
  };
  return place(0, Infinity, -Infinity);
}
