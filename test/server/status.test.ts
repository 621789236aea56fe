import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errors, LegacyErrorCode, MilvusError } from '../../src/core/errors.js';
import { statusFrom, successStatus } from '../../src/server/grpc/codec/status.js';
import { milvusRoot } from '../../src/server/grpc/proto.js';
import { roundTrip } from './wire-helpers.js';

test('legacy error codes are the numbers of the proto ErrorCode enum', () => {
  const e = milvusRoot.lookupEnum('milvus.proto.common.ErrorCode');
  for (const [name, n] of Object.entries(LegacyErrorCode)) assert.equal(e.values[name], n, name);
});

test('collection not found: code 100, legacy CollectionNotExists, input error', () => {
  const s = statusFrom(errors.collectionNotFound('books'));
  assert.equal(s.code, 100);
  assert.equal(s.error_code, 4);
  assert.equal(s.reason, 'collection not found[database=default][collection=books]');
  assert.equal(s.extra_info['is_input_error'], 'true');
  assert.equal(s.retriable, false);
});

test("describe's can't-find variant keeps legacy UnexpectedError", () => {
  const s = statusFrom(errors.cantFindCollection('x'));
  assert.equal(s.code, 100);
  assert.equal(s.error_code, 1);
  assert.match(s.reason, /^can't find collection/);
});

test('not loaded is not an input error; retriable flag passes through', () => {
  const s = statusFrom(errors.collectionNotLoaded('c'));
  assert.equal(s.code, 101);
  assert.equal(s.error_code, 1);
  assert.equal(s.extra_info['is_input_error'], undefined);
  assert.equal(statusFrom(new MilvusError(1, 'busy', { retriable: true })).retriable, true);
});

test('plain errors and non-errors become 65535 unexpected', () => {
  assert.equal(statusFrom(new Error('boom')).code, 65535);
  assert.equal(statusFrom(new Error('boom')).reason, 'boom');
  assert.equal(statusFrom('weird').code, 65535);
});

test('statuses survive the protobuf codec; success is all zero', () => {
  const back = roundTrip('milvus.proto.common.Status', statusFrom(errors.indexNotFound({ collection: 'c' })));
  assert.equal(back['error_code'], 25);
  assert.equal(back['code'], 700);
  const ok = roundTrip('milvus.proto.common.Status', successStatus());
  assert.equal(ok['error_code'], 0);
  assert.equal(ok['code'], 0);
});
