/**
 * Bad analyzer params are refused with code 1100 and Milvus's (tantivy-binding's) message, both when
 * an analyzer is built directly and when CreateCollection validates a text field's type params.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildAnalyzer, buildMultiAnalyzer } from '../../src/analyzer/analyzer.js';
import { MilvusError } from '../../src/core/errors.js';
import { DataType } from '../../src/core/enums.js';
import { buildCollectionSchema, type FieldSpec } from '../../src/schema/build.js';
import { enableMatch, fieldAnalyzer } from '../../src/schema/text.js';

function refused(run: () => unknown, message: string): void {
  assert.throws(run, (e: unknown) => {
    assert.ok(e instanceof MilvusError, String(e));
    assert.equal(e.code, 1100);
    assert.equal(e.message, `${message}: invalid parameter`);
    return true;
  });
}

describe('analyzer params messages', () => {
  const cases: [unknown, string][] = [
    ['not json', 'analyzer params should be json map: Unexpected token \'o\', "not json" is not valid JSON'],
    [[1], 'analyzer params should be a json map'],
    [{ type: 1 }, 'analyzer type shoud be string'],
    [{ type: 'klingon' }, 'unknown build-in analyzer type: klingon'],
    [{ type: 'standard', stop_words: 'the' }, 'filter stop_words should be array'],
    [{ filter: ['lowercase'] }, 'tokenizer name or type must be set'],
    [{ tokenizer: 3 }, 'tokenizer name should be string or dict'],
    [{ tokenizer: {} }, 'costum tokenizer must set type'],
    [{ tokenizer: { type: 2 } }, 'tokenizer type should be string'],
    [{ tokenizer: 'nope' }, 'unsupported tokenizer: nope'],
    [{ tokenizer: 'lindera' }, 'lindera tokenizer must be costum'],
    [{ tokenizer: { type: 'lindera', dict_kind: 'ipadic' } }, 'unsupported tokenizer: lindera (Sextant has no Japanese/Korean dictionary tokenizer; use icu)'],
    [{ tokenizer: 'standard', filters: [] }, 'unknown analyzer option key: filters'],
    [{ tokenizer: 'standard', filter: 'lowercase' }, 'filter params should be array'],
    [{ tokenizer: 'standard', filter: ['nope'] }, 'build analyzer failed, filter not found :nope'],
    [{ tokenizer: 'standard', filter: [{ max: 3 }] }, 'no type field in filter params'],
    [{ tokenizer: 'standard', filter: [{ type: 'lowercase' }] }, 'unsupport filter type: lowercase'],
    [{ tokenizer: 'standard', filter: [{ type: 'length' }] }, 'lenth max param was none or not uint'],
    [{ tokenizer: 'standard', filter: [{ type: 'length', max: -1 }] }, 'lenth max param was none or not uint'],
    [{ tokenizer: 'standard', filter: [{ type: 'stop' }] }, 'stop filter stop_words can\'t be empty'],
    [{ tokenizer: 'standard', filter: [{ type: 'stop', stop_words: [1] }] }, 'stop_words filter list item should be string'],
    [{ tokenizer: 'standard', filter: [{ type: 'stemmer' }] }, 'stemmer language field should be string'],
    [{ tokenizer: 'standard', filter: [{ type: 'stemmer', language: 'Klingon' }] }, 'create stemmer failed : unsupport language: klingon'],
    [{ tokenizer: 'standard', filter: [{ type: 'decompounder' }] }, 'decompounder word list should be array'],
    [{ tokenizer: 'standard', filter: [{ type: 'regex', expr: '(' }] }, 'regex filter build regex failed: Invalid regular expression: /(/u: Unterminated group'],
    [{ tokenizer: { type: 'jieba', mode: 'all' } }, 'jieba tokenizer mode must be "exact" or "search"'],
    [{ tokenizer: { type: 'jieba', hmm: 'yes' } }, 'jieba tokenizer mode must be boolean'],
    [{ tokenizer: { type: 'jieba', dict: '_default_' } }, 'jieba tokenizer dict must be array'],
    [{ tokenizer: { type: 'jieba', dict: ['_default_', '结巴分词器'] } },
      'jieba tokenizer custom dict is not supported by Sextant (one process-wide jieba dictionary; only ["_default_"] is accepted), got ["_default_","结巴分词器"]'],
  ];
  for (const [params, message] of cases) {
    it(`${JSON.stringify(params)} -> ${message}`, () => refused(() => buildAnalyzer(params), message));
  }

  it('accepts the documented shapes', () => {
    for (const p of [undefined, '', '{}', {}, { type: 'english', stop_words: ['_english_'] }, { type: 'chinese' },
      { tokenizer: { type: 'jieba', dict: ['_default_'], mode: 'exact', hmm: false } },
      { tokenizer: 'icu', filter: ['lowercase', 7, { type: 'length', max: 10 }] }]) {
      buildAnalyzer(p);
    }
  });

  it('multi_analyzer_params: default required, by_field a string, analyzer errors named', () => {
    refused(() => buildMultiAnalyzer({ by_field: 'lang', analyzers: { en: { type: 'english' } } }), 'multi analyzer must set default analyzer for all unknown value');
    refused(() => buildMultiAnalyzer({ analyzers: { default: {} } }), 'bm25 function with multi analyzer must have by_field param in multi_analyzer_params');
    refused(() => buildMultiAnalyzer({ by_field: 3, analyzers: { default: {} } }), 'multi analyzer by_field must be string but now: 3');
    refused(() => buildMultiAnalyzer({ by_field: 'lang' }), 'bm25 function with multi analyzer must have analyzers param in multi_analyzer_params');
    refused(() => buildMultiAnalyzer({ by_field: 'lang', analyzers: { default: {}, x: { type: 'nope' } } }),
      'create analyzer x failed with error: unknown build-in analyzer type: nope');
    const m = buildMultiAnalyzer(JSON.stringify({
      by_field: 'lang', analyzers: { english: { type: 'english' }, default: { tokenizer: 'whitespace' } }, alias: { en: 'english' },
    }));
    assert.deepEqual(m.select('en').tokens('Running dogs'), ['run', 'dog']);
    assert.deepEqual(m.select('english').tokens('Running dogs'), ['run', 'dog']);
    assert.deepEqual(m.select('fr').tokens('Running dogs'), ['Running', 'dogs']);
    assert.deepEqual(m.select(null).tokens('Running dogs'), ['Running', 'dogs']);
  });
});

describe('CreateCollection validates text fields', () => {
  const pk: FieldSpec = { name: 'id', dataType: DataType.Int64, isPrimaryKey: true };
  const vec: FieldSpec = { name: 'v', dataType: DataType.FloatVector, dim: 2 };
  const text = (typeParams: Record<string, string>, name = 'text'): FieldSpec => ({ name, dataType: DataType.VarChar, maxLength: 64, typeParams });
  const create = (...fields: FieldSpec[]) => buildCollectionSchema({ name: 'c', fields: [pk, vec, ...fields] });

  it('builds the analyzer so bad params fail at create with the analyzer message', () => {
    refused(() => create(text({ enable_analyzer: 'true', analyzer_params: '{"tokenizer":"nope"}' })), 'unsupported tokenizer: nope');
    refused(() => create(text({ enable_analyzer: 'True', enable_match: '1', analyzer_params: '{"type":"english","filter":[]}x' })),
      'analyzer params should be json map: Unexpected non-whitespace character after JSON at position 30');
    const schema = create(text({ enable_analyzer: 'true', enable_match: 'true', analyzer_params: '{"type":"english"}' }));
    const f = schema.fields.find((x) => x.name === 'text');
    assert.ok(f !== undefined && enableMatch(f));
    const a = fieldAnalyzer(f);
    assert.ok(a.kind === 'single');
    assert.deepEqual(a.analyzer.tokens('The runners'), ['runner']);
  });

  it('enable_match needs enable_analyzer; both need VarChar; booleans parse like Go', () => {
    refused(() => create(text({ enable_match: 'true' })), 'field text is set to enable match but not enable analyzer');
    refused(() => create({ name: 'n', dataType: DataType.Int64, typeParams: { enable_analyzer: 'true' } }),
      'enable_analyzer and enable_match are only supported on VarChar fields, field n is not VarChar');
    refused(() => create(text({ enable_analyzer: 'yes' })), 'type param enable_analyzer of field text must be a boolean, got "yes"');
    create(text({ enable_analyzer: 'false', analyzer_params: '{"tokenizer":"nope"}' }));
  });

  it('multi_analyzer_params: by_field must be another VarChar field; not with analyzer_params or enable_match', () => {
    const multi = JSON.stringify({ by_field: 'lang', analyzers: { default: {} } });
    create(text({ enable_analyzer: 'true', multi_analyzer_params: multi }), text({}, 'lang'));
    refused(() => create(text({ enable_analyzer: 'true', multi_analyzer_params: multi })), 'multi analyzer by_field lang of field text not found in collection schema');
    refused(() => create(text({ enable_analyzer: 'true', multi_analyzer_params: multi }), { name: 'lang', dataType: DataType.Int64 }),
      'multi analyzer by_field lang of field text must be a VarChar field');
    refused(() => create(text({ enable_analyzer: 'true', multi_analyzer_params: multi, analyzer_params: '{}' }), text({}, 'lang')),
      'field text can not set both analyzer_params and multi_analyzer_params');
    refused(() => create(text({ enable_analyzer: 'true', enable_match: 'true', multi_analyzer_params: multi }), text({}, 'lang')),
      'multi analyzer now only support for bm25, but now field text enable match');
  });
});
