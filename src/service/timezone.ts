/**
 * Time zones (Milvus 2.6): a database may carry a `timezone` property; a new collection copies it
 * (or UTC) into its own `timezone` property; a query or search may name one for itself. Every name
 * is an IANA zone, checked with Milvus's message. Timestamptz values are stored in UTC; the zone
 * decides how naive input is read and how values are written out.
 */
import { errors } from '../core/errors.js';
import type { CollectionRuntime } from '../engine/collection.js';
import { DEFAULT_TIMEZONE, isTimezoneValid } from '../schema/temporal.js';
import type { Properties } from './types.js';

export const TIMEZONE_KEY = 'timezone';

/** Refuse a `timezone` property that names no IANA zone. */
export function checkTimezoneProperty(props: Properties | undefined): void {
  const tz = props?.[TIMEZONE_KEY];
  if (tz !== undefined) checkTimezone(tz);
}

export function checkTimezone(tz: string): void {
  if (!isTimezoneValid(tz)) throw errors.parameterInvalidMsg(`unknown or invalid IANA Time Zone ID: ${tz}`);
}

/** A new collection's properties: its own zone when given, else its database's, else UTC. */
export function withTimezone(props: Properties, dbProps: Properties | undefined): Properties {
  if (props[TIMEZONE_KEY] !== undefined) return props;
  return { ...props, [TIMEZONE_KEY]: dbProps?.[TIMEZONE_KEY] ?? DEFAULT_TIMEZONE };
}

/** The zone a read answers in: the request's, else the collection's, else UTC. */
export function readTimezone(c: CollectionRuntime, requested: string | undefined): string {
  if (requested !== undefined && requested !== '') {
    checkTimezone(requested);
    return requested;
  }
  return c.meta.properties[TIMEZONE_KEY] ?? DEFAULT_TIMEZONE;
}
