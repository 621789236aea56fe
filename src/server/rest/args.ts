/**
 * Narrowing of decoded JSON request bodies. A body starts as `unknown`; `Args` reads one member at
 * a time: a missing required member is 1802, a member of the wrong JSON type 1801 (Milvus' binding
 * errors), so handlers only ever see typed values.
 */
import { restErrors } from './errors.js';

export type JsonObject = Record<string, unknown>;

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  return Array.isArray(v) ? 'array' : typeof v;
}

export class Args {
  constructor(readonly body: JsonObject, private readonly prefix = '') {}

  static of(v: unknown): Args {
    if (v === undefined) return new Args({});
    if (!isJsonObject(v)) throw restErrors.notJson(`the request body must be a JSON object, got ${typeName(v)}`);
    return new Args(v);
  }

  private name(key: string): string {
    return this.prefix === '' ? key : `${this.prefix}.${key}`;
  }

  private wrongType(key: string, expected: string, v: unknown): Error {
    return restErrors.notJson(`${this.name(key)}: expected ${expected}, got ${typeName(v)}`);
  }

  has(key: string): boolean {
    const v = this.body[key];
    return v !== undefined && v !== null;
  }

  raw(key: string): unknown {
    return this.body[key];
  }

  /** A required non-empty string. */
  str(key: string): string {
    const v = this.optStr(key);
    if (v === undefined || v === '') throw restErrors.missingRequired(this.name(key));
    return v;
  }

  optStr(key: string): string | undefined {
    const v = this.body[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw this.wrongType(key, 'a string', v);
    return v;
  }

  optNum(key: string): number | undefined {
    const v = this.body[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw this.wrongType(key, 'a number', v);
    return v;
  }

  optInt(key: string): number | undefined {
    const v = this.optNum(key);
    if (v !== undefined && !Number.isInteger(v)) throw this.wrongType(key, 'an integer', v);
    return v;
  }

  num(key: string): number {
    const v = this.optNum(key);
    if (v === undefined) throw restErrors.missingRequired(this.name(key));
    return v;
  }

  optBool(key: string): boolean | undefined {
    const v = this.body[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') throw this.wrongType(key, 'a boolean', v);
    return v;
  }

  /** A list of strings; absent gives []. */
  strList(key: string): string[] {
    const v = this.body[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || !v.every((x): x is string => typeof x === 'string')) throw this.wrongType(key, 'a list of strings', v);
    return v;
  }

  /** A required non-empty list of strings. */
  requiredStrList(key: string): string[] {
    const v = this.strList(key);
    if (v.length === 0) throw restErrors.missingRequired(this.name(key));
    return v;
  }

  optList(key: string): unknown[] | undefined {
    const v = this.body[key];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) throw this.wrongType(key, 'a list', v);
    return v;
  }

  list(key: string): unknown[] {
    const v = this.optList(key);
    if (v === undefined) throw restErrors.missingRequired(this.name(key));
    return v;
  }

  optObject(key: string): Args | undefined {
    const v = this.body[key];
    if (v === undefined || v === null) return undefined;
    if (!isJsonObject(v)) throw this.wrongType(key, 'an object', v);
    return new Args(v, this.name(key));
  }

  object(key: string): Args {
    const v = this.optObject(key);
    if (v === undefined) throw restErrors.missingRequired(this.name(key));
    return v;
  }

  /** Each element of a list of objects. */
  objects(key: string, required: boolean): Args[] {
    const v = required ? this.list(key) : this.optList(key) ?? [];
    return v.map((x, i) => {
      if (!isJsonObject(x)) throw restErrors.notJson(`${this.name(key)}[${i}]: expected an object, got ${typeName(x)}`);
      return new Args(x, `${this.name(key)}[${i}]`);
    });
  }

  /** `{key: value}` with scalar values, stringified the way Milvus stores properties. */
  stringRecord(key: string): Record<string, string> {
    const o = this.optObject(key);
    const out: Record<string, string> = {};
    if (o === undefined) return out;
    for (const [k, v] of Object.entries(o.body)) out[k] = v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v);
    return out;
  }
}
