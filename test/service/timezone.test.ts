/**
 * Time zones (Milvus 2.6): a new collection copies its database's `timezone` property (or UTC) into
 * its own properties; zone names are checked with Milvus's message at every door that sets one;
 * Timestamptz values are written out in the request's zone, else the collection's, with the zone's
 * offset at that instant (DST included), and naive text is read as wall-clock time in a zone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { DataType } from '../../src/core/enums.js';
import { fieldDataToWire } from '../../src/server/grpc/codec/field-data-encode.js';
import { formatTimestamptzIn, isTimezoneValid, parseTimestamptz, parseTimestamptzIn } from '../../src/schema/temporal.js';
import type { Column } from '../../src/schema/column.js';
import { insertOptions, rowsToBatch } from '../../src/schema/rows.js';
import { SextantService } from '../../src/service/service.js';
import { refusal } from '../support/fixtures.js';
import { makeTempDir } from '../support/tmp.js';


const at = (iso: string): bigint => parseTimestamptz(iso)!;

test('zone formatting and naive parsing follow the IANA rules at each instant', () => {
  assert.equal(isTimezoneValid('Asia/Shanghai'), true);
  assert.equal(isTimezoneValid('UTC'), true);
  assert.equal(isTimezoneValid('error'), false);
  assert.equal(isTimezoneValid(''), false);
  assert.equal(formatTimestamptzIn(at('2025-01-01T00:00:00Z'), 'UTC'), '2025-01-01T00:00:00Z');
  assert.equal(formatTimestamptzIn(at('2025-01-01T00:00:00Z'), 'Asia/Shanghai'), '2025-01-01T08:00:00+08:00');
  assert.equal(formatTimestamptzIn(at('2025-01-01T12:00:00.25Z'), 'America/New_York'), '2025-01-01T07:00:00.25-05:00');
  assert.equal(formatTimestamptzIn(at('2025-07-01T12:00:00Z'), 'America/New_York'), '2025-07-01T08:00:00-04:00');
  assert.equal(formatTimestamptzIn(at('2025-07-01T12:00:00Z'), 'Asia/Kolkata'), '2025-07-01T17:30:00+05:30');
  assert.equal(formatTimestamptzIn(at('1969-12-31T23:59:59.999999Z'), 'Asia/Tokyo'), '1970-01-01T08:59:59.999999+09:00');
  assert.equal(parseTimestamptzIn('2025-01-01T08:00:00', 'Asia/Shanghai'), at('2025-01-01T00:00:00Z'));
  assert.equal(parseTimestamptzIn('2025-07-01T08:00:00', 'America/New_York'), at('2025-07-01T12:00:00Z'));
  assert.equal(parseTimestamptzIn('2025-07-01T08:00:00+00:00', 'America/New_York'), at('2025-07-01T08:00:00Z'), 'an explicit offset wins');
  for (let i = 0; i < 200; i++) {
    const us = BigInt(Math.floor(Math.sin(i) * 2e15));
    for (const tz of ['Europe/London', 'America/Havana', 'Australia/Lord_Howe', 'Asia/Shanghai']) {
      assert.equal(parseTimestamptz(formatTimestamptzIn(us, tz)), us, `${us} in ${tz} round-trips`);
    }
  }
});

test('collections copy the database zone (or UTC), zones are checked, reads write Timestamptz in the zone', { timeout: 60_000 }, async () => {
  const dir = await makeTempDir();
  try {
    const svc = await SextantService.open({ dataDir: dir, autoCompaction: false });
    const fields = [
      { name: 'id', dataType: DataType.Int64, isPrimaryKey: true },
      { name: 'ts', dataType: DataType.Timestamptz, nullable: true },
      { name: 'vec', dataType: DataType.FloatVector, dim: 2 },
    ];
    await svc.createCollection({ collectionName: 'plain', fields });
    assert.deepEqual((await svc.describeCollection({ collectionName: 'plain' })).properties, { timezone: 'UTC' });

    const bad = await refusal(svc.createDatabase({ dbName: 'cn', properties: { timezone: 'Mars/Olympus' } }));
    assert.equal(bad.code, 1100);
    assert.match(bad.message, /^unknown or invalid IANA Time Zone ID: Mars\/Olympus/);
    await svc.createDatabase({ dbName: 'cn', properties: { timezone: 'Asia/Shanghai' } });
    await svc.createCollection({ dbName: 'cn', collectionName: 'c', fields });
    assert.deepEqual((await svc.describeCollection({ dbName: 'cn', collectionName: 'c' })).properties, { timezone: 'Asia/Shanghai' });
    await svc.createCollection({ dbName: 'cn', collectionName: 'own', fields, properties: { timezone: 'Europe/London' } });
    assert.equal((await svc.describeCollection({ dbName: 'cn', collectionName: 'own' })).properties['timezone'], 'Europe/London');
    assert.match((await refusal(svc.alterCollection({ dbName: 'cn', collectionName: 'c', properties: { timezone: 'error' } }))).message, /unknown or invalid IANA Time Zone ID: error/);
    assert.match((await refusal(svc.alterDatabase({ dbName: 'cn', properties: { timezone: 'error' } }))).message, /unknown or invalid IANA Time Zone ID: error/);
    assert.match((await refusal(svc.createCollection({ collectionName: 'x', fields, properties: { timezone: 'nowhere' } }))).message, /IANA Time Zone ID: nowhere/);

    await svc.insert({
      dbName: 'cn', collectionName: 'c', numRows: 2, columns: new Map([
        ['id', { kind: 'int64', data: BigInt64Array.of(1n, 2n), valid: null }],
        ['ts', { kind: 'int64', data: BigInt64Array.of(at('2025-01-01T00:00:00Z'), 0n), valid: Uint8Array.of(1, 0) }],
        ['vec', { kind: 'floatVector', dim: 2, data: Float32Array.of(0, 1, 1, 0), valid: null }],
      ]),
    });
    await svc.createIndex({ dbName: 'cn', collectionName: 'c', fieldName: 'vec', params: { index_type: 'FLAT', metric_type: 'L2' } });
    await svc.loadCollection({ dbName: 'cn', collectionName: 'c' });
    const strings = (r: { columns: { field: { name: string } }[] }): unknown =>
      (fieldDataToWire(r.columns.find((c) => c.field.name === 'ts') as never)['scalars'] as { string_data: { data: string[] } }).string_data.data;
    const q = await svc.query({ dbName: 'cn', collectionName: 'c', filter: 'id > 0', outputFields: ['ts'] });
    assert.deepEqual(strings(q), ['2025-01-01T08:00:00+08:00', '']);
    const qNy = await svc.query({ dbName: 'cn', collectionName: 'c', filter: 'id > 0', outputFields: ['ts'], timezone: 'America/New_York' });
    assert.deepEqual(strings(qNy), ['2024-12-31T19:00:00-05:00', '']);
    await refusal(svc.query({ dbName: 'cn', collectionName: 'c', filter: 'id > 0', outputFields: ['ts'], timezone: 'nowhere' }));
    const s = await svc.search({ dbName: 'cn', collectionName: 'c', nq: 1, topK: 1, outputFields: ['ts'], vectors: { kind: 'floatVector', dim: 2, data: Float32Array.of(0, 1), valid: null } });
    assert.deepEqual(strings(s), ['2025-01-01T08:00:00+08:00']);
    await svc.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('Timestamptz text without an offset is read in the collection zone at every door (wire text, rows)', { timeout: 60_000 }, async () => {
  const dir = await makeTempDir();
  try {
    const svc = await SextantService.open({ dataDir: dir, autoCompaction: false });
    const fields = [
      { name: 'id', dataType: DataType.Int64, isPrimaryKey: true },
      { name: 'ts', dataType: DataType.Timestamptz, nullable: true },
      { name: 'vec', dataType: DataType.FloatVector, dim: 2 },
    ];
    await svc.createCollection({ collectionName: 'sh', fields, properties: { timezone: 'Asia/Shanghai' } });
    await svc.createCollection({ collectionName: 'utc', fields });
    const vec = { kind: 'floatVector' as const, dim: 2, data: Float32Array.of(0, 1, 1, 0, 1, 1), valid: null };
    // The gRPC codec hands ISO text over as text; the service reads it in the collection's zone.
    const wireText = ['2025-01-01T08:00:00', '2025-01-01 08:00:00', '2025-01-01T08:00:00Z'];
    for (const name of ['sh', 'utc']) {
      await svc.insert({
        collectionName: name, numRows: 3, columns: new Map<string, Column>([
          ['id', { kind: 'int64', data: BigInt64Array.of(1n, 2n, 3n), valid: null }],
          ['ts', { kind: 'varchar', data: wireText, valid: null }],
          ['vec', vec],
        ]),
      });
      // Rows (the embedded client, REST v2 / v1, bulk import) take the same options from the properties.
      const desc = await svc.describeCollection({ collectionName: name });
      const batch = rowsToBatch(desc.schema, [{ id: 4, ts: '2025-07-01T08:00:00', vec: [0, 0] }], insertOptions(desc.properties, false));
      await svc.insert({ collectionName: name, numRows: batch.numRows, columns: batch.columns });
      await svc.createIndex({ collectionName: name, fieldName: 'vec', params: { index_type: 'FLAT', metric_type: 'L2' } });
      await svc.loadCollection({ collectionName: name });
    }
    const stored = async (name: string): Promise<bigint[]> => {
      const q = await svc.query({ collectionName: name, filter: 'id > 0', outputFields: ['id', 'ts'], orderBy: 'id:asc' });
      const col = q.columns.find((c) => c.field.name === 'ts')!.column as { data: BigInt64Array };
      return [...col.data];
    };
    assert.deepEqual(await stored('sh'), [at('2025-01-01T00:00:00Z'), at('2025-01-01T00:00:00Z'), at('2025-01-01T08:00:00Z'), at('2025-07-01T00:00:00Z')]);
    assert.deepEqual(await stored('utc'), [at('2025-01-01T08:00:00Z'), at('2025-01-01T08:00:00Z'), at('2025-01-01T08:00:00Z'), at('2025-07-01T08:00:00Z')]);
    const bad = await refusal(svc.insert({
      collectionName: 'sh', numRows: 1, columns: new Map([
        ['id', { kind: 'int64', data: BigInt64Array.of(9n), valid: null }],
        ['ts', { kind: 'varchar', data: ['yesterday'], valid: null }],
        ['vec', { kind: 'floatVector', dim: 2, data: Float32Array.of(0, 1), valid: null }],
      ]),
    }));
    assert.equal(bad.code, 1100);
    assert.match(bad.message, /invalid timestamptz/);
    await svc.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
