/**
 * The legacy `CalcDistance` RPC (Milvus 2.0-2.2): distances between every left and every right
 * vector, given directly as `data_array` float or binary vectors. The metric comes from the `metric`
 * param (case-insensitive): L2 (squared, as Milvus), IP, COSINE for float vectors; HAMMING (answered
 * as `int_dist`) and JACCARD for binary ones. The answer is row-major: left i, right j at
 * i * numRight + j. Vectors named by ids (`id_array`) answer 3000. The math is the index kernels'.
 */
import { errors } from '../../core/errors.js';
import { cosineF32, hammingBytes, ipF32, jaccardBytes, l2SqF32, normSqF32 } from '../../index/kernels/index.js';
import { bytes, keyValues, list, msg, num, oneofCase, type Wire } from './codec/wire.js';

type Vectors =
  | { kind: 'float'; dim: number; rows: number; data: Float32Array }
  | { kind: 'binary'; dim: number; rows: number; data: Uint8Array };

const FLOAT_METRICS = ['L2', 'IP', 'COSINE'];
const BINARY_METRICS = ['HAMMING', 'JACCARD'];

function vectorsOf(v: unknown, side: string): Vectors {
  const arr = msg(v, side);
  const which = oneofCase(arr, 'array');
  if (which === 'id_array') throw errors.unsupported(`CalcDistance with vectors given by id (${side}.id_array)`);
  if (which !== 'data_array') throw errors.missingParameter(`${side}.data_array`);
  const field = msg(arr['data_array'], `${side}.data_array`);
  const dim = num(field['dim'], `${side}.data_array.dim`);
  if (!Number.isInteger(dim) || dim <= 0) throw errors.invalidParameter(`${side} dim`, { expected: 'a positive integer', actual: dim });
  const member = oneofCase(field, 'data');
  if (member === 'float_vector') {
    const values = list(msg(field['float_vector'], 'float_vector')['data'], `${side}.float_vector`);
    const data = new Float32Array(values.length);
    for (let i = 0; i < values.length; i++) data[i] = num(values[i], `${side}.float_vector`);
    if (data.length % dim !== 0) throw errors.invalidParameter(`${side} float vectors`, { expected: `a multiple of dim ${dim}`, actual: data.length });
    return { kind: 'float', dim, rows: data.length / dim, data };
  }
  if (member === 'binary_vector') {
    if (dim % 8 !== 0) throw errors.invalidParameter(`${side} binary dim`, { expected: 'a multiple of 8', actual: dim });
    const data = bytes(field['binary_vector'], `${side}.binary_vector`);
    if (data.length % (dim / 8) !== 0) throw errors.invalidParameter(`${side} binary vectors`, { expected: `a multiple of ${dim / 8} bytes`, actual: data.length });
    return { kind: 'binary', dim, rows: data.length / (dim / 8), data };
  }
  throw errors.unsupported(`CalcDistance over ${member ?? 'empty'} vectors`);
}

function floatDistances(l: Float32Array, r: Float32Array, nl: number, nr: number, dim: number, metric: string): Float32Array {
  const out = new Float32Array(nl * nr);
  for (let i = 0; i < nl; i++) {
    const lOff = i * dim;
    const lNorm = metric === 'COSINE' ? Math.sqrt(normSqF32(l, lOff, dim)) : 0;
    for (let j = 0; j < nr; j++) {
      const rOff = j * dim;
      out[i * nr + j] = metric === 'L2' ? l2SqF32(l, lOff, r, rOff, dim)
        : metric === 'IP' ? ipF32(l, lOff, r, rOff, dim)
          : cosineF32(l, lOff, lNorm, r, rOff, dim);
    }
  }
  return out;
}

function binaryDistances(l: Uint8Array, r: Uint8Array, nl: number, nr: number, nBytes: number, metric: string): Int32Array | Float32Array {
  const out = metric === 'HAMMING' ? new Int32Array(nl * nr) : new Float32Array(nl * nr);
  for (let i = 0; i < nl; i++) {
    for (let j = 0; j < nr; j++) {
      out[i * nr + j] = metric === 'HAMMING'
        ? hammingBytes(l, i * nBytes, r, j * nBytes, nBytes)
        : jaccardBytes(l, i * nBytes, r, j * nBytes, nBytes);
    }
  }
  return out;
}

export async function calcDistance(req: Wire): Promise<Wire> {
  const left = vectorsOf(req['op_left'], 'op_left');
  const right = vectorsOf(req['op_right'], 'op_right');
  const metric = (keyValues(req['params'], 'params')['metric'] ?? '').toUpperCase();
  if (metric === '') throw errors.missingParameter('metric');
  if (left.kind !== right.kind) throw errors.invalidParameter('vector types of op_left and op_right differ', { expected: left.kind, actual: right.kind });
  if (left.dim !== right.dim) throw errors.invalidParameter('vector dimension mismatch', { expected: left.dim, actual: right.dim });
  if (left.kind === 'float' && right.kind === 'float') {
    if (!FLOAT_METRICS.includes(metric)) throw errors.invalidParameter('metric for float vectors', { expected: FLOAT_METRICS.join('|'), actual: metric });
    return { float_dist: { data: Array.from(floatDistances(left.data, right.data, left.rows, right.rows, left.dim, metric)) } };
  }
  if (left.kind === 'binary' && right.kind === 'binary') {
    if (!BINARY_METRICS.includes(metric)) throw errors.invalidParameter('metric for binary vectors', { expected: BINARY_METRICS.join('|'), actual: metric });
    const d = Array.from(binaryDistances(left.data, right.data, left.rows, right.rows, left.dim / 8, metric));
    return metric === 'HAMMING' ? { int_dist: { data: d } } : { float_dist: { data: d } };
  }
  throw errors.invalidParameter('vector types of op_left and op_right differ');
}
