/**
 * `expr_template_values` (map<string, TemplateValue>) -> plain JS values for `{name}` placeholders
 * in filters: booleans, numbers, bigint for int64, strings, nested arrays, parsed JSON and raw bytes.
 */
import { errors } from '../../../core/errors.js';
import type { TemplateValues } from '../../../service/types.js';
import { bool, bytes, int64, list, msg, num, oneofCase, str, type Wire } from './wire.js';

function arrayValueFrom(v: unknown, depth: number): unknown[] {
  if (depth > 32) throw errors.invalidParameter('template array nesting too deep', { expected: '<= 32' });
  const m = msg(v, 'array_val');
  const data = (key: string): unknown[] => list(msg(m[key], key)['data'], key);
  switch (oneofCase(m, 'data')) {
    case 'bool_data': return data('bool_data').map(bool);
    case 'long_data': return data('long_data').map((x) => int64(x, 'template long_data'));
    case 'double_data': return data('double_data').map((x) => num(x, 'template double_data'));
    case 'string_data': return data('string_data').map((x) => str(x, 'template string_data'));
    case 'array_data': return data('array_data').map((x) => arrayValueFrom(x, depth + 1));
    case 'json_data': return data('json_data').map((x) => parseJson(bytes(x, 'template json_data')));
    default: return [];
  }
}

function parseJson(b: Uint8Array): unknown {
  const text = Buffer.from(b).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw errors.invalidParameter('template JSON value', { expected: 'valid JSON', actual: text.slice(0, 64) });
  }
}

export function templateValueFrom(v: unknown): unknown {
  const m: Wire = msg(v, 'template value');
  switch (oneofCase(m, 'val')) {
    case 'bool_val': return bool(m['bool_val']);
    case 'int64_val': return int64(m['int64_val'], 'int64_val');
    case 'float_val': return num(m['float_val'], 'float_val');
    case 'string_val': return str(m['string_val'], 'string_val');
    case 'array_val': return arrayValueFrom(m['array_val'], 0);
    case 'bytes_val': return Uint8Array.from(bytes(m['bytes_val'], 'bytes_val')); // raw blob (e.g. a bloom filter)
    default: throw errors.invalidParameter('template value', { expected: 'a value', actual: 'none' });
  }
}

export function templateValuesFromWire(v: unknown): TemplateValues {
  const out: TemplateValues = {};
  for (const [k, x] of Object.entries(msg(v, 'expr_template_values'))) out[k] = templateValueFrom(x);
  return out;
}
