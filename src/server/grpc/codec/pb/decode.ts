/**
 * Bytes -> the plain object proto-loader gives for LOADER_OPTIONS (proto names, defaults filled in,
 * int64 as decimal strings, enums as numbers, bytes as Buffer views, oneof discriminators), in one
 * pass over the wire, driven by the same protobufjs descriptor: no intermediate message object and no
 * second `toObject` walk. Field order, last-one-wins, packed and unpacked repeated numbers, maps and
 * unknown fields behave as protobufjs's decoder does (test/server/pb-codec.test.ts checks field for
 * field against `type.toObject(type.decode(bytes), LOADER_OPTIONS)`).
 *
 * One deliberate difference, asked for per decoder: with `typed`, a `repeated float` becomes a
 * Float32Array (vectors arrive that way; a number[] of 128k values is most of an insert's cost) and a
 * `repeated int64` a BigInt64Array (primary keys arrive that way: a decimal string and then a BigInt
 * per row were 40% of what an insert of 1,000 rows allocated on V8's heap). Both are the decoder's own
 * memory, never views of the request; packed runs and single values may interleave, and unpacked values
 * are appended to a buffer grown by doubling (they were copied whole per value: 2.6 s for 100k floats).
 */
import protobuf from 'protobufjs';
import { PbReader } from './reader.js';

type Scalar = 'double' | 'float' | 'int32' | 'uint32' | 'sint32' | 'fixed32' | 'sfixed32' | 'int64' | 'uint64' | 'sint64'
  | 'fixed64' | 'sfixed64' | 'bool' | 'string' | 'bytes';

interface FieldPlan {
  name: string;
  /** A scalar type name, 'enum', or 'message'. */
  kind: Scalar | 'enum' | 'message';
  repeated: boolean;
  map: { keyKind: Scalar; valueKind: Scalar | 'enum' | 'message'; valueType: TypePlan | null } | null;
  message: TypePlan | null;
  /** The oneof this field belongs to (synthetic `_x` oneofs of proto3 optionals included). */
  oneof: string | null;
  /** Decoded into a typed array (`typed` decoders: repeated float and int64). */
  typed: 'float' | 'int64' | null;
}

interface TypePlan {
  type: protobuf.Type;
  /** Indexed by field id. */
  byId: (FieldPlan | undefined)[];
  /** Fields in id order. */
  sorted: FieldPlan[];
  /** Non-oneof fields and their defaults: a constant, or a fresh [] / {} / empty Buffer per message. */
  defaults: [string, unknown, Fresh][];
  /** A new object holding every default (see `defaultsFactory`). */
  make: () => Record<string, unknown>;
  ready: boolean;
}

const MAX_DEPTH = 100;
const SCALARS: ReadonlySet<string> = new Set(['double', 'float', 'int32', 'uint32', 'sint32', 'fixed32', 'sfixed32', 'int64', 'uint64', 'sint64', 'fixed64', 'sfixed64', 'bool', 'string', 'bytes']);
const PACKABLE: ReadonlySet<string> = new Set(['double', 'float', 'int32', 'uint32', 'sint32', 'fixed32', 'sfixed32', 'int64', 'uint64', 'sint64', 'fixed64', 'sfixed64', 'bool', 'enum']);

function scalarOf(t: string, what: string): Scalar {
  if (!SCALARS.has(t)) throw new Error(`unsupported protobuf type ${t} of ${what}`);
  return t as Scalar;
}

const enum Fresh { No, List, Map, Bytes }

function defaultOf(f: FieldPlan): [unknown, Fresh] {
  if (f.map !== null) return [null, Fresh.Map];
  if (f.repeated) return [null, Fresh.List];
  return valueDefault(f.kind);
}

function valueDefault(kind: FieldPlan['kind']): [unknown, Fresh] {
  switch (kind) {
    case 'message': return [null, Fresh.No];
    case 'string': return ['', Fresh.No];
    case 'bool': return [false, Fresh.No];
    case 'bytes': return [null, Fresh.Bytes];
    case 'int64': case 'uint64': case 'sint64': case 'fixed64': case 'sfixed64': return ['0', Fresh.No];
    default: return [0, Fresh.No];
  }
}

/**
 * A function returning one object literal with every default, keys in id order. Built with
 * `new Function` (as protobufjs builds its codecs): a literal with constant keys gets its final shape
 * at once, where adding ~30 properties by computed names costs more than the rest of a decode.
 */
function defaultsFactory(defaults: readonly [string, unknown, Fresh][]): () => Record<string, unknown> {
  const members = defaults.map(([name, value, kind]) => {
    const v = kind === Fresh.List ? '[]' : kind === Fresh.Map ? '{}' : kind === Fresh.Bytes ? 'emptyBuffer()' : JSON.stringify(value);
    return `${JSON.stringify(name)}: ${v}`;
  });
  const emptyBuffer = (): Buffer => Buffer.alloc(0);
  const factory: unknown = new Function('emptyBuffer', `return function () { return { ${members.join(', ')} }; };`)(emptyBuffer);
  if (typeof factory !== 'function') throw new Error('defaults factory');
  return factory as () => Record<string, unknown>;
}

function fresh(value: unknown, kind: Fresh): unknown {
  switch (kind) {
    case Fresh.No: return value;
    case Fresh.List: return [];
    case Fresh.Map: return {};
    case Fresh.Bytes: return Buffer.alloc(0);
  }
}

export class PbDecoder {
  private readonly plans = new Map<protobuf.Type, TypePlan>();

  /** `typed`: repeated floats as Float32Array and repeated int64 as BigInt64Array (see the file comment). */
  constructor(private readonly typed = false) {}

  decode(type: protobuf.Type, bytes: Buffer): Record<string, unknown> {
    return this.message(this.plan(type), new PbReader(bytes), bytes.length, 0);
  }

  private plan(type: protobuf.Type): TypePlan {
    let p = this.plans.get(type);
    if (p === undefined) {
      p = { type, byId: [], sorted: [], defaults: [], make: () => ({}), ready: false };
      this.plans.set(type, p);
    }
    if (!p.ready) this.fill(p);
    return p;
  }

  private fill(p: TypePlan): void {
    p.ready = true;
    for (const f of [...p.type.fieldsArray].sort((a, b) => a.id - b.id)) {
      f.resolve();
      const what = `${p.type.name}.${f.name}`;
      const resolved = f.resolvedType;
      const kind: FieldPlan['kind'] = resolved instanceof protobuf.Enum ? 'enum' : resolved instanceof protobuf.Type ? 'message' : scalarOf(f.type, what);
      let map: FieldPlan['map'] = null;
      if (f instanceof protobuf.MapField) {
        map = { keyKind: scalarOf(f.keyType, what), valueKind: kind, valueType: kind === 'message' ? this.lazy(resolved as protobuf.Type) : null };
      }
      const plan: FieldPlan = {
        name: f.name, kind, repeated: f.repeated && map === null, map,
        message: kind === 'message' && map === null ? this.lazy(resolved as protobuf.Type) : null,
        oneof: f.partOf?.name ?? null,
        typed: this.typed && f.repeated && map === null && (kind === 'float' || kind === 'int64') ? kind : null,
      };
      p.byId[f.id] = plan;
      p.sorted.push(plan);
      if (plan.oneof === null) p.defaults.push([plan.name, ...defaultOf(plan)]);
    }
    p.make = defaultsFactory(p.defaults);
  }

  /** A plan filled on first use (message types may refer to themselves). */
  private lazy(type: protobuf.Type): TypePlan {
    let p = this.plans.get(type);
    if (p === undefined) {
      p = { type, byId: [], sorted: [], defaults: [], make: () => ({}), ready: false };
      this.plans.set(type, p);
    }
    return p;
  }

  private message(plan: TypePlan, r: PbReader, end: number, depth: number): Record<string, unknown> {
    if (depth > MAX_DEPTH) throw new Error('max depth exceeded');
    if (!plan.ready) this.fill(plan);
    // Defaults first, always in id order: every object of a type gets the same shape (as toObject's do).
    const out = plan.make();
    let seenOneof = false, seenTyped = false;
    while (r.pos < end) {
      const tag = r.uint32();
      const f = plan.byId[tag >>> 3];
      if (f === undefined) {
        r.skip(tag & 7);
        continue;
      }
      if (f.map !== null) this.mapEntry(f, r, out, depth);
      else if (f.typed !== null) {
        typedRuns(out, f).read(r, tag & 7);
        seenTyped = true;
      } else if (f.repeated) this.repeated(f, r, tag & 7, out, depth);
      else {
        out[f.name] = this.value(f.kind, f.message, r, depth);
        if (f.oneof !== null) seenOneof = true;
      }
    }
    if (r.pos > end) throw new RangeError(`index out of range: ${r.pos} > ${end}`);
    if (seenOneof) for (const f of plan.sorted) if (f.oneof !== null && out[f.name] !== undefined) out[f.oneof] = f.name;
    if (seenTyped) for (const f of plan.sorted) if (f.typed !== null && out[f.name] instanceof TypedRuns) out[f.name] = (out[f.name] as TypedRuns).join();
    return out;
  }

  private value(kind: FieldPlan['kind'], message: TypePlan | null, r: PbReader, depth: number): unknown {
    switch (kind) {
      case 'message': {
        const end = r.delimitedEnd();
        const m = this.message(message!, r, end, depth + 1);
        r.pos = end;
        return m;
      }
      case 'string': return r.string();
      case 'bytes': return r.bytes();
      case 'bool': return r.bool();
      case 'int32': case 'enum': return r.int32();
      case 'uint32': return r.uint32();
      case 'sint32': return r.sint32();
      case 'fixed32': return r.fixed32();
      case 'sfixed32': return r.sfixed32();
      case 'int64': case 'uint64': case 'sint64': return r.long(kind);
      case 'fixed64': return r.fixed64(false);
      case 'sfixed64': return r.fixed64(true);
      case 'float': return r.float();
      case 'double': return r.double();
    }
  }

  private repeated(f: FieldPlan, r: PbReader, wireType: number, out: Record<string, unknown>, depth: number): void {
    const list = out[f.name] as unknown[];
    if (wireType === 2 && PACKABLE.has(f.kind)) {
      const end = r.delimitedEnd();
      while (r.pos < end) list.push(this.value(f.kind, null, r, depth));
      return;
    }
    list.push(this.value(f.kind, f.message, r, depth));
  }

  private mapEntry(f: FieldPlan, r: PbReader, out: Record<string, unknown>, depth: number): void {
    const m = f.map!;
    const end = r.delimitedEnd();
    let key: unknown = m.keyKind === 'string' ? '' : 0;
    let value: unknown = fresh(...valueDefault(m.valueKind));
    while (r.pos < end) {
      const tag = r.uint32();
      if (tag >>> 3 === 1) key = this.value(m.keyKind, null, r, depth);
      else if (tag >>> 3 === 2) value = this.value(m.valueKind, m.valueType, r, depth);
      else r.skip(tag & 7);
    }
    const target = out[f.name] as Record<string, unknown>;
    const k = String(key);
    if (k === '__proto__') Object.defineProperty(target, k, { value, enumerable: true, writable: true, configurable: true });
    else target[k] = value;
  }
}

type TypedArray = Float32Array | BigInt64Array;

/**
 * A typed field's values while its message is decoded: packed runs and single values appended to one
 * buffer grown by doubling (the first packed run is taken as it is), cut to its length at the end.
 */
class TypedRuns {
  private buf: TypedArray | null = null;
  private words: Int32Array | null = null;
  private length = 0;
  constructor(private readonly kind: 'float' | 'int64') {}

  /** Reads one packed run (wire type 2) or one value from `r`. */
  read(r: PbReader, wireType: number): void {
    if (wireType === 2) {
      const run = this.kind === 'float' ? floatRun(r) : int64Run(r);
      if (this.buf === null) {
        this.buf = run;
        this.length = run.length;
        return;
      }
      this.reserve(this.length + run.length);
      (this.buf as Float32Array).set(run as Float32Array, this.length);
      this.length += run.length;
      return;
    }
    this.reserve(this.length + 1);
    if (this.kind === 'float') (this.buf as Float32Array)[this.length++] = r.float();
    else r.int64Into(this.words ??= new Int32Array(this.buf!.buffer, this.buf!.byteOffset, this.buf!.length * 2), this.length++);
  }

  private reserve(n: number): void {
    const have = this.buf?.length ?? 0;
    if (have >= n) return;
    const next = this.kind === 'float' ? new Float32Array(Math.max(n, 2 * have, 16)) : new BigInt64Array(Math.max(n, 2 * have, 16));
    if (this.buf !== null) (next as Float32Array).set(this.buf.subarray(0, this.length) as Float32Array);
    this.buf = next;
    this.words = null;
  }

  join(): TypedArray {
    const buf = this.buf!;
    return buf.length === this.length ? buf : buf.slice(0, this.length);
  }
}

function typedRuns(out: Record<string, unknown>, f: FieldPlan): TypedRuns {
  const v = out[f.name];
  if (v instanceof TypedRuns) return v;
  const runs = new TypedRuns(f.typed!);
  out[f.name] = runs;
  return runs;
}

/** A packed run of float32, copied out of the request. */
function floatRun(r: PbReader): Float32Array {
  const end = r.delimitedEnd();
  const start = r.pos;
  const count = (end - start) >>> 2;
  r.pos = start + count * 4;
  if (r.pos !== end) throw new RangeError('packed float field with a partial value');
  const out = new Float32Array(count);
  new Uint8Array(out.buffer).set(r.buf.subarray(start, start + count * 4));
  return out;
}

/** A packed run of int64 varints. */
function int64Run(r: PbReader): BigInt64Array {
  const end = r.delimitedEnd();
  const buf = r.buf;
  // Every varint ends with the one byte of its own below 0x80.
  let count = 0;
  for (let i = r.pos; i < end; i++) if (buf[i]! < 0x80) count++;
  const out = new BigInt64Array(count);
  const words = new Int32Array(out.buffer);
  for (let k = 0; k < count; k++) r.int64Into(words, k);
  if (r.pos !== end) throw new RangeError('packed int64 field with a partial value');
  return out;
}
