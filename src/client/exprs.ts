/** Filter helpers shared by delete, query and search: `pk in [...]` for ids, template values. */
import type { CollectionSchema } from '../schema/types.js';
import { primaryField } from '../schema/types.js';
import { DataType } from '../core/enums.js';
import type { TemplateValues } from '../service/types.js';
import { clientError } from './status.js';

/** The SDK's ids expression; string ids are JSON-quoted so quotes inside them stay literal. */
export function idsFilter(schema: CollectionSchema, ids: readonly (string | number)[]): string {
  const pk = primaryField(schema);
  const list = pk.dataType === DataType.VarChar ? ids.map((id) => JSON.stringify(String(id))) : ids.map(String);
  return `${pk.name} in [${list.join(',')}]`;
}

/** The SDK's formatExprValues checks: undefined is dropped, null and plain objects are refused. */
export function templateValuesOf(values: Readonly<Record<string, unknown>> | undefined): TemplateValues | undefined {
  if (values === undefined) return undefined;
  const out: TemplateValues = {};
  for (const [key, v] of Object.entries(values)) {
    if (v === undefined) continue;
    if (v === null || (typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array))) {
      throw clientError(`Unsupported expr value type for key "${key}": ${v === null ? 'null' : typeof v}`);
    }
    out[key] = v;
  }
  return out;
}
