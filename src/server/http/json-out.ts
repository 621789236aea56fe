/**
 * JSON text for HTTP replies. `JSON.stringify` cannot write bigint; this writer can, either as an
 * exact number literal or as a decimal string (the REST `Accept-Type-Allow-Int64` switch). Typed
 * arrays and Buffers become number arrays; undefined members are left out, as JSON.stringify does.
 */
export interface JsonOutOptions {
  /** true: bigint -> `123`; false: bigint -> `"123"`. */
  int64AsNumber: boolean;
}

function writeValue(v: unknown, opts: JsonOutOptions, out: string[]): void {
  if (v === null || v === undefined) return void out.push('null');
  switch (typeof v) {
    case 'string': return void out.push(JSON.stringify(v));
    case 'number': return void out.push(Number.isFinite(v) ? String(v) : 'null');
    case 'boolean': return void out.push(v ? 'true' : 'false');
    case 'bigint': return void out.push(opts.int64AsNumber ? v.toString() : `"${v.toString()}"`);
    case 'object': break;
    default: return void out.push('null');
  }
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    const a = v as unknown as ArrayLike<number | bigint>;
    out.push('[');
    for (let i = 0; i < a.length; i++) {
      if (i > 0) out.push(',');
      writeValue(a[i], opts, out);
    }
    return void out.push(']');
  }
  if (Array.isArray(v)) {
    out.push('[');
    for (let i = 0; i < v.length; i++) {
      if (i > 0) out.push(',');
      writeValue(v[i] === undefined ? null : v[i], opts, out);
    }
    return void out.push(']');
  }
  writeObject(v as Record<string, unknown>, opts, out);
}

function writeObject(o: Record<string, unknown>, opts: JsonOutOptions, out: string[]): void {
  out.push('{');
  let first = true;
  for (const key of Object.keys(o)) {
    const x = o[key];
    if (x === undefined || typeof x === 'function') continue;
    if (!first) out.push(',');
    first = false;
    out.push(JSON.stringify(key), ':');
    writeValue(x, opts, out);
  }
  out.push('}');
}

export function toJsonText(v: unknown, opts: JsonOutOptions): string {
  const out: string[] = [];
  writeValue(v, opts, out);
  return out.join('');
}
