/**
 * Geometry for the spatial filters (Milvus 2.6's ST_* operators) over the jsts package (a port of
 * JTS): WKT reading, the DE-9IM predicates, bounding boxes. A Geometry field's rows are WKT text; a
 * filter names the field first and a WKT literal second, `ST_CONTAINS(geo, 'POLYGON (...)')` asking
 * whether the row's geometry contains the literal's (OGC argument order, A = the row).
 *
 * ST_DWITHIN(geo, 'POINT (lon lat)', meters): Milvus takes coordinates as longitude / latitude in
 * degrees and the distance in meters, and only a point as the literal. The distance is the
 * great-circle (haversine, mean Earth radius) distance from the literal point to the nearest point
 * of the row's geometry (nearest in the degree plane, then measured on the sphere; 0 when the row's
 * geometry covers the point).
 */
import { createRequire } from 'node:module';
import type WKTReader from 'jsts/org/locationtech/jts/io/WKTReader.js';
import type GeometryFactory from 'jsts/org/locationtech/jts/geom/GeometryFactory.js';
import type RelateOp from 'jsts/org/locationtech/jts/operation/relate/RelateOp.js';
import type DistanceOp from 'jsts/org/locationtech/jts/operation/distance/DistanceOp.js';
import type STRtree from 'jsts/org/locationtech/jts/index/strtree/STRtree.js';
import type JstsEnvelope from 'jsts/org/locationtech/jts/geom/Envelope.js';
import { errors } from '../core/errors.js';
import type { SpatialFn } from './ast.js';

/** The jsts classes used here and by the RTREE index. */
export interface Jsts {
  WKTReader: typeof WKTReader;
  GeometryFactory: typeof GeometryFactory;
  RelateOp: typeof RelateOp;
  DistanceOp: typeof DistanceOp;
  STRtree: typeof STRtree;
  Envelope: typeof JstsEnvelope;
}

const requireModule = createRequire(import.meta.url);
let lib: Jsts | null = null;

/**
 * jsts, loaded on first use: importing its hundreds of ES modules at start-up cost every server
 * start 0.3-0.7 s whether or not a Geometry field exists. `require` of ES modules needs Node >= 20.19.
 */
export function jsts(): Jsts {
  if (lib !== null) return lib;
  const load = <T>(path: string): T => {
    try {
      return (requireModule(`jsts/org/locationtech/jts/${path}.js`) as { default: T }).default;
    } catch (e) {
      throw errors.internal(`spatial functions need the jsts package (Node >= 20.19 to load it): ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  lib = {
    WKTReader: load<typeof WKTReader>('io/WKTReader'),
    GeometryFactory: load<typeof GeometryFactory>('geom/GeometryFactory'),
    RelateOp: load<typeof RelateOp>('operation/relate/RelateOp'),
    DistanceOp: load<typeof DistanceOp>('operation/distance/DistanceOp'),
    STRtree: load<typeof STRtree>('index/strtree/STRtree'),
    Envelope: load<typeof JstsEnvelope>('geom/Envelope'),
  };
  return lib;
}

/** The parts of a jsts Geometry used here (jsts's own typings leave most of them untyped). */
export interface Geometry {
  getDimension(): number;
  isEmpty(): boolean;
  getGeometryType(): string;
  getEnvelopeInternal(): Envelope;
}
interface Envelope {
  isNull(): boolean;
  getMinX(): number;
  getMinY(): number;
  getMaxX(): number;
  getMaxY(): number;
}
interface Matrix {
  isEquals(da: number, db: number): boolean;
  isTouches(da: number, db: number): boolean;
  isOverlaps(da: number, db: number): boolean;
  isCrosses(da: number, db: number): boolean;
  isContains(): boolean;
  isIntersects(): boolean;
  isWithin(): boolean;
  matches(pattern: string): boolean;
}
interface Coord { x: number; y: number }

/** A bounding box [minX, minY, maxX, maxY]; null for an empty geometry. */
export type Box = readonly [number, number, number, number];

/** Mean Earth radius (meters) for ST_DWITHIN. */
export const EARTH_RADIUS_M = 6371008.8;

let reader: WKTReader | null = null;

/** The geometry of WKT text; throws the parser's message on bad text. */
export function readWkt(wkt: string): Geometry {
  if (reader === null) {
    const j = jsts();
    reader = new j.WKTReader(new j.GeometryFactory());
  }
  return reader.read(wkt) as unknown as Geometry;
}

/** The geometry of WKT text, or null when the text does not parse (a row that matches nothing). */
export function tryReadWkt(wkt: string): Geometry | null {
  try {
    return readWkt(wkt);
  } catch {
    return null;
  }
}

export function boxOf(g: Geometry): Box | null {
  const e = g.getEnvelopeInternal();
  if (e.isNull()) return null;
  return [e.getMinX(), e.getMinY(), e.getMaxX(), e.getMaxY()];
}

/** The DE-9IM matrix of (a, b). */
export function relate(a: Geometry, b: Geometry): Matrix {
  return jsts().RelateOp.relate(a, b) as Matrix;
}

/** Great-circle distance in meters between two (lon, lat) points in degrees. */
export function haversineM(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Meters from the point `p` to the nearest point of `g` (see the file comment). */
export function distanceToPointM(g: Geometry, p: Geometry): number {
  if (g.isEmpty() || p.isEmpty()) return Infinity;
  const pts = jsts().DistanceOp.nearestPoints(g, p) as Coord[];
  const a = pts[0], b = pts[1];
  if (a === undefined || b === undefined) return Infinity;
  if (a.x === b.x && a.y === b.y) return 0;
  return haversineM(a.x, a.y, b.x, b.y);
}

/** Whether the row geometry `a` and the literal `b` satisfy `fn` (the distance only for st_dwithin). */
export function spatialTest(fn: SpatialFn, a: Geometry, b: Geometry, distanceM: number): boolean {
  if (fn === 'st_dwithin') return distanceToPointM(a, b) <= distanceM;
  if (a.isEmpty() || b.isEmpty()) return false;
  const m = relate(a, b);
  const da = a.getDimension(), db = b.getDimension();
  switch (fn) {
    case 'st_equals': return m.isEquals(da, db);
    case 'st_touches': return m.isTouches(da, db);
    case 'st_overlaps': return m.isOverlaps(da, db);
    case 'st_crosses': return m.isCrosses(da, db);
    case 'st_contains': return m.isContains();
    case 'st_intersects': return m.isIntersects();
    case 'st_within': return m.isWithin();
  }
}

/**
 * The box a row's bounding box must intersect to possibly satisfy `fn` with the literal: the
 * literal's own box (every predicate but ST_DWITHIN needs a common point), or for ST_DWITHIN the
 * box of the spherical cap of that radius around the point: latitude +- d/R, longitude +-
 * asin(sin(d/R) / cos(lat)) (every longitude when the cap reaches a pole or the antimeridian), a
 * little wider so rounding never drops a row.
 */
export function candidateBox(fn: SpatialFn, literal: Geometry, distanceM: number): Box | null {
  const b = boxOf(literal);
  if (b === null || fn !== 'st_dwithin') return b;
  if (!(distanceM >= 0)) return null;
  const rad = Math.PI / 180;
  const ang = (distanceM / EARTH_RADIUS_M) * (1 + 1e-9) + 1e-12;
  const dLatDeg = ang / rad;
  const lat = b[1];
  const lat0 = lat - dLatDeg, lat1 = lat + dLatDeg;
  const sinAng = Math.sin(Math.min(ang, Math.PI / 2));
  const cosLat = Math.cos(lat * rad);
  if (ang >= Math.PI / 2 || lat0 <= -90 || lat1 >= 90 || sinAng >= cosLat) return [-Infinity, lat0, Infinity, lat1];
  const dLonDeg = Math.asin(sinAng / cosLat) / rad;
  const lon0 = b[0] - dLonDeg, lon1 = b[0] + dLonDeg;
  if (lon0 < -180 || lon1 > 180) return [-Infinity, lat0, Infinity, lat1];
  return [lon0, lat0, lon1, lat1];
}

export function boxesIntersect(a: Box, b: Box): boolean {
  return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
}
