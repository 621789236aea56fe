/** Filter helpers shared by delete, query and search: `pk in [...]` for ids, template values. */
import type { TemplateValues } from '../service/types.js';
import { clientError } from './status.js';

export { idsFilter } from '../service/sdk-values.js';

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
