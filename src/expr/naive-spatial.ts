/**
 * The reference evaluator's spatial operators: no bounding boxes, and the predicates taken from
 * their OGC DE-9IM definitions (pattern strings matched against jsts's relate matrix) rather than
 * from jsts's named predicates that the vectorised evaluator uses.
 */
import { distanceToPointM, readWkt, relate } from './geometry.js';
import type { Node } from './plan.js';

type Tri = boolean | null;

function patterns(fn: string, da: number, db: number): string[] {
  switch (fn) {
    case 'st_equals': return da === db ? ['T*F**FFF*'] : [];
    case 'st_touches': return da === 0 && db === 0 ? [] : ['FT*******', 'F**T*****', 'F***T****'];
    case 'st_overlaps':
      if (da !== db) return [];
      return da === 1 ? ['1*T***T**'] : ['T*T***T**'];
    case 'st_crosses':
      if (da < db) return ['T*T******'];
      if (da > db) return ['T*****T**'];
      return da === 1 ? ['0********'] : [];
    case 'st_contains': return ['T*****FF*'];
    case 'st_within': return ['T*F**F***'];
    default: return [];
  }
}

export function naiveSpatial(node: Node & { op: 'spatial' }, text: unknown): Tri {
  if (typeof text !== 'string') return null;
  let row;
  try {
    row = readWkt(text);
  } catch {
    return null;
  }
  const lit = readWkt(node.wkt);
  if (node.fn === 'st_dwithin') return distanceToPointM(row, lit) <= node.distanceM;
  if (row.isEmpty() || lit.isEmpty()) return false;
  const m = relate(row, lit);
  if (node.fn === 'st_intersects') return !m.matches('FF*FF****');
  return patterns(node.fn, row.getDimension(), lit.getDimension()).some((p) => m.matches(p));
}
