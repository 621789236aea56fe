/** `enable_match` / `enable_analyzer` type params: parsed as Go's ParseBool, only on VarChar, match needs the analyzer. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCollectionSchema, type FieldSpec } from '../../src/schema/build.js';
import { DataType } from '../../src/core/enums.js';
import { fieldEnablesMatch } from '../../src/schema/text.js';
import { expectMilvusError } from './helpers.js';

const pk: FieldSpec = { name: 'id', dataType: DataType.Int64, isPrimaryKey: true };
const vec: FieldSpec = { name: 'v', dataType: DataType.FloatVector, dim: 8 };
const build = (f: FieldSpec) => () => buildCollectionSchema({ name: 'c', fields: [pk, vec, f] });

test('enable_match is accepted on VarChar with enable_analyzer, in every ParseBool spelling', () => {
  for (const yes of ['true', 'True', 'TRUE', '1', 't', 'T']) {
    const s = buildCollectionSchema({ name: 'c', fields: [pk, vec, { name: 't', dataType: DataType.VarChar, maxLength: 64, typeParams: { enable_match: yes, enable_analyzer: 'true' } }] });
    assert.equal(fieldEnablesMatch(s.fields[2]!), true, yes);
  }
  const off = buildCollectionSchema({ name: 'c', fields: [pk, vec, { name: 't', dataType: DataType.VarChar, maxLength: 64, typeParams: { enable_match: 'false' } }] });
  assert.equal(fieldEnablesMatch(off.fields[2]!), false);
});

test('enable_match is refused without enable_analyzer, on other types, and with a non-bool value', () => {
  expectMilvusError(build({ name: 't', dataType: DataType.VarChar, maxLength: 64, typeParams: { enable_match: 'true' } }), 1100,
    'field t is set to enable match but not enable analyzer');
  expectMilvusError(build({ name: 'n', dataType: DataType.Int64, typeParams: { enable_match: 'true', enable_analyzer: 'true' } }), 1100,
    'enable_analyzer and enable_match are only supported on VarChar fields, field n is not VarChar');
  expectMilvusError(build({ name: 't', dataType: DataType.VarChar, maxLength: 64, typeParams: { enable_match: 'yes' } }), 1100,
    'type param enable_match of field t must be a boolean, got "yes"');
});
