import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cosineF32, ipF32, l2SqF32, normSqF32 } from '../../src/index/kernels/dense.js';
import { hammingBytes, hammingWords, jaccardBytes, jaccardWords, popcount32 } from '../../src/index/kernels/binary.js';
import { sparseIp } from '../../src/index/kernels/sparse.js';
import { decodeBfloat16Into, decodeFloat16Into, decodeInt8Into, encodeFloat16, float32ToBfloat16 } from '../../src/index/kernels/half.js';
import {
  makeSparse, randInt, refCosine, refDecodeBf16, refDecodeF16, refHamming, refIp, refJaccard, refL2, refSparseIp, rng,
} from './helpers.js';

const DIMS = [1, 2, 3, 4, 5, 6, 7, 8, 13, 64, 127, 128, 130, 131];

function close(actual: number, expected: number, what: string): void {
  const tol = 1e-9 * Math.max(1, Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected}`);
}

/** Two rows at non-zero offsets inside bigger arrays, so offset handling is exercised too. */
function pair(r: () => number, dim: number, fill: (x: number) => number): { buf: Float32Array; a: number[]; b: number[] } {
  const buf = new Float32Array(3 * dim + 5);
  for (let i = 0; i < buf.length; i++) buf[i] = fill(r());
  return { buf, a: Array.from(buf.subarray(1, 1 + dim)), b: Array.from(buf.subarray(2 * dim + 3, 3 * dim + 3)) };
}

test('float32 L2 / IP / COSINE match a float64 reference for every dim incl. 1-3 leftover lanes', () => {
  const r = rng(1);
  for (const dim of DIMS) {
    for (let trial = 0; trial < 20; trial++) {
      const { buf, a, b } = pair(r, dim, (x) => (x * 2 - 1) * 10);
      const aOff = 1, bOff = 2 * dim + 3;
      close(l2SqF32(buf, aOff, buf, bOff, dim), refL2(a, b), `l2 dim=${dim}`);
      close(ipF32(buf, aOff, buf, bOff, dim), refIp(a, b), `ip dim=${dim}`);
      close(normSqF32(buf, aOff, dim), refIp(a, a), `norm dim=${dim}`);
      const aNorm = Math.sqrt(refIp(a, a));
      close(cosineF32(buf, aOff, aNorm, buf, bOff, dim), refCosine(a, b), `cos dim=${dim}`);
    }
  }
});

test('cosine is 1 for parallel vectors, -1 for opposite, 0 against a zero vector', () => {
  const a = Float32Array.from([1, 2, 3, 4, 5]);
  const twice = Float32Array.from([2, 4, 6, 8, 10]);
  const neg = Float32Array.from([-1, -2, -3, -4, -5]);
  const zero = new Float32Array(5);
  const n = Math.sqrt(normSqF32(a, 0, 5));
  close(cosineF32(a, 0, n, twice, 0, 5), 1, 'parallel');
  close(cosineF32(a, 0, n, neg, 0, 5), -1, 'opposite');
  assert.equal(cosineF32(a, 0, n, zero, 0, 5), 0);
  assert.equal(cosineF32(zero, 0, 0, a, 0, 5), 0);
});

test('float16 / bfloat16 / int8 blocks decode to the values an independent decoder gives', () => {
  const r = rng(2);
  for (const dim of DIMS) {
    const n = dim * 3;
    const f16 = new Uint16Array(n), bf16 = new Uint16Array(n), i8 = new Int8Array(n);
    for (let i = 0; i < n; i++) {
      f16[i] = encodeFloat16((r() * 2 - 1) * 100);
      bf16[i] = float32ToBfloat16((r() * 2 - 1) * 1e6);
      i8[i] = randInt(r, -128, 127);
    }
    const out = new Float32Array(n + 2);
    decodeFloat16Into(f16, dim, out, 2, dim);
    for (let i = 0; i < dim; i++) assert.equal(out[2 + i], refDecodeF16(f16[dim + i]!));
    decodeBfloat16Into(bf16, dim, out, 1, 2 * dim);
    for (let i = 0; i < 2 * dim; i++) assert.equal(out[1 + i], refDecodeBf16(bf16[dim + i]!));
    decodeInt8Into(i8, 0, out, 0, n);
    for (let i = 0; i < n; i++) assert.equal(out[i], i8[i]);
  }
});

test('int8 vectors: L2 / IP / COSINE over decoded rows equal the integer reference exactly', () => {
  const r = rng(3);
  for (const dim of DIMS) {
    const i8 = new Int8Array(2 * dim);
    for (let i = 0; i < i8.length; i++) i8[i] = randInt(r, -128, 127);
    const f = new Float32Array(2 * dim);
    decodeInt8Into(i8, 0, f, 0, 2 * dim);
    const a = Array.from(i8.subarray(0, dim)), b = Array.from(i8.subarray(dim));
    assert.equal(l2SqF32(f, 0, f, dim, dim), refL2(a, b));
    assert.equal(ipF32(f, 0, f, dim, dim), refIp(a, b));
    close(cosineF32(f, 0, Math.sqrt(refIp(a, a)), f, dim, dim), refCosine(a, b), 'int8 cosine');
  }
});

test('popcount32 counts bits of every tested word', () => {
  const r = rng(4);
  for (let t = 0; t < 2000; t++) {
    const x = Math.floor(r() * 2 ** 32);
    let ref = 0;
    for (let i = 0; i < 32; i++) ref += Math.floor(x / 2 ** i) % 2;
    assert.equal(popcount32(x), ref, `x=${x}`);
  }
  assert.equal(popcount32(0xffffffff), 32);
  assert.equal(popcount32(0), 0);
});

test('binary HAMMING / JACCARD (byte and word kernels) match a bit-by-bit reference', () => {
  const r = rng(5);
  for (const nBytes of [1, 2, 3, 4, 5, 7, 8, 12, 13, 16, 33, 64]) {
    for (let trial = 0; trial < 30; trial++) {
      const buf = new Uint8Array(2 * nBytes + 8);
      const density = r();
      for (let i = 0; i < buf.length; i++) {
        let v = 0;
        for (let bit = 0; bit < 8; bit++) if (r() < density) v |= 1 << bit;
        buf[i] = v;
      }
      const bOff = nBytes + 3;
      const bits = nBytes * 8;
      assert.equal(hammingBytes(buf, 1, buf, bOff, nBytes), refHamming(buf, 1, buf, bOff, bits));
      close(jaccardBytes(buf, 1, buf, bOff, nBytes), refJaccard(buf, 1, buf, bOff, bits), "jaccard bytes");
      if (nBytes % 4 === 0) {
        const a = new Uint8Array(buf.subarray(1, 1 + nBytes)), b = new Uint8Array(buf.subarray(bOff, bOff + nBytes));
        const aw = new Uint32Array(a.buffer), bw = new Uint32Array(b.buffer);
        assert.equal(hammingWords(aw, 0, bw, 0, nBytes / 4), refHamming(a, 0, b, 0, bits));
        close(jaccardWords(aw, 0, bw, 0, nBytes / 4), refJaccard(a, 0, b, 0, bits), "jaccard words");
      }
    }
  }
});

test('JACCARD of two all-zero vectors is 1 (knowhere convention), of identical non-zero vectors 0', () => {
  const z = new Uint8Array(8);
  assert.equal(jaccardBytes(z, 0, z, 0, 8), 1);
  assert.equal(jaccardWords(new Uint32Array(2), 0, new Uint32Array(2), 0, 2), 1);
  const x = Uint8Array.from([1, 0, 255, 3, 0, 0, 0, 9]);
  assert.equal(jaccardBytes(x, 0, x, 0, 8), 0);
  assert.equal(hammingBytes(x, 0, z, 0, 8), 1 + 8 + 2 + 2);
});

test('sparse IP by merge equals a map-based reference, including disjoint and empty vectors', () => {
  const r = rng(6);
  for (let t = 0; t < 300; t++) {
    const a = makeSparse(r, randInt(r, 0, 60), randInt(r, 0, 20), false);
    const b = makeSparse(r, randInt(r, 20, 80), randInt(r, 0, 20), false);
    close(sparseIp(a, b), refSparseIp(a, b), 'sparse ip');
    close(sparseIp(b, a), refSparseIp(a, b), 'sparse ip symmetric');
  }
  const empty = { indices: new Uint32Array(0), values: new Float32Array(0) };
  const one = { indices: Uint32Array.from([4_000_000_000]), values: Float32Array.from([2]) };
  assert.equal(sparseIp(empty, one), 0);
  assert.equal(sparseIp(one, one), 4);
});
