/**
 * Type check of the spatial operators (Milvus 2.6): `ST_X(geo_field, 'WKT')` and
 * `ST_DWITHIN(geo_field, 'POINT (lon lat)', meters)`. The first argument is a Geometry field, the
 * second a WKT string literal (or a template holding one), the distance a non-negative number.
 */
import { DataType, dataTypeName } from '../core/enums.js';
import { fieldByName, type CollectionSchema } from '../schema/types.js';
import type { Ast, SpatialFn } from './ast.js';
import { astConst, type Fail, type TemplateValues } from './consts.js';
import { candidateBox, readWkt } from './geometry.js';
import type { Node } from './plan.js';

function distanceOf(a: Ast, fail: Fail, templates: TemplateValues | undefined): number {
  const v = astConst(a, templates, fail);
  const d = typeof v === 'bigint' ? Number(v) : v;
  if (typeof d !== 'number' || !Number.isFinite(d)) return fail('ST_DWITHIN needs a numeric distance (meters) as its third argument', a.pos);
  if (d < 0) return fail(`ST_DWITHIN distance must be non-negative, got ${d}`, a.pos);
  return d;
}

export function checkSpatial(a: Ast & { k: 'call' }, fn: SpatialFn, schema: CollectionSchema, fail: Fail, templates: TemplateValues | undefined): Node {
  const upper = fn.toUpperCase();
  const want = fn === 'st_dwithin' ? 3 : 2;
  if (a.args.length !== want) return fail(`${upper} takes ${want} arguments, got ${a.args.length}`, a.pos);
  const [first, second, third] = a.args as [Ast, Ast, Ast | undefined];
  if (first.k !== 'column' || first.path.length > 0) return fail(`${upper} needs a Geometry field as its first argument`, first.pos);
  const f = fieldByName(schema, first.name);
  if (f === undefined || f.isDynamic) return fail(`field ${first.name} not exist`, first.pos);
  if (f.dataType !== DataType.Geometry) {
    return fail(`${upper} needs a Geometry field, but field ${f.name} is ${dataTypeName(f.dataType) ?? f.dataType}`, first.pos);
  }
  const wkt = astConst(second, templates, fail);
  if (typeof wkt !== 'string') return fail(`${upper} needs a WKT string as its second argument`, second.pos);
  let geometry;
  try {
    geometry = readWkt(wkt);
  } catch (e) {
    return fail(`invalid WKT ${JSON.stringify(wkt)}: ${e instanceof Error ? e.message : String(e)}`, second.pos);
  }
  let distanceM = 0;
  if (fn === 'st_dwithin') {
    if (geometry.getGeometryType() !== 'Point') return fail(`ST_DWITHIN needs a POINT as its second argument, got ${geometry.getGeometryType()}`, second.pos);
    distanceM = distanceOf(third as Ast, fail, templates);
  }
  return { op: 'spatial', type: 'bool', fn, field: f.name, wkt, geometry, box: candidateBox(fn, geometry, distanceM), distanceM };
}
