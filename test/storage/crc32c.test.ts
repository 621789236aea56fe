import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32c } from '../../src/core/crc32c.js';
import { rng } from './helpers.js';

const ascii = (s: string) => new TextEncoder().encode(s);

/** Bit-at-a-time reference implementation, independent of the table code. */
function crcSlow(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

test('CRC-32C check value and published vectors', () => {
  assert.equal(crc32c(ascii('123456789')), 0xe3069283);
  assert.equal(crc32c(new Uint8Array(0)), 0);
  assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa); // RFC 3720 B.4: 32 bytes of zeros
  assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43); // RFC 3720 B.4: 32 bytes of 0xff
  const inc = new Uint8Array(32);
  for (let i = 0; i < 32; i++) inc[i] = i;
  assert.equal(crc32c(inc), 0x46dd794e); // RFC 3720 B.4: incrementing
});

test('slicing-by-8 matches the bitwise reference at every length and alignment', () => {
  const next = rng(7);
  const buf = new Uint8Array(300);
  for (let i = 0; i < buf.length; i++) buf[i] = Math.floor(next() * 256);
  for (let start = 0; start < 9; start++) {
    for (let len = 0; len + start <= buf.length; len += 7) {
      const part = buf.subarray(start, start + len);
      assert.equal(crc32c(part), crcSlow(part), `start ${start} len ${len}`);
    }
  }
});

test('the seed continues a checksum over several pieces', () => {
  const all = ascii('the quick brown fox jumps over the lazy dog');
  for (const cut of [0, 1, 8, 13, all.length]) {
    assert.equal(crc32c(all.subarray(cut), crc32c(all.subarray(0, cut))), crc32c(all));
  }
});
