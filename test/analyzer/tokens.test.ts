/**
 * Analyzer token tables: the reference note's examples (Milvus docs, the SDK spec's counts, Tantivy's
 * SimpleTokenizer quirks) and every filter with the quirk Milvus has. Offsets are UTF-8 bytes.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import { buildAnalyzer, tokenHash } from '../../src/analyzer/analyzer.js';

const texts = (params: unknown, text: string): string[] => buildAnalyzer(params).tokens(text);
/** [token, startOffset, endOffset, position] rows. */
const rows = (params: unknown, text: string): [string, number, number, number][] =>
  buildAnalyzer(params).analyze(text).map((t) => [t.token, t.startOffset, t.endOffset, t.position]);

describe('built-in analyzers', () => {
  it('standard: the SDK spec counts (7 and 3) and Tantivy SimpleTokenizer splits', () => {
    assert.equal(texts({ tokenizer: 'standard', filter: ['lowercase'] }, 'Would you like to eat an apple?').length, 7);
    assert.equal(texts({ tokenizer: 'standard', filter: ['lowercase'] }, 'I like apple').length, 3);
    assert.deepEqual(texts(undefined, 'Pi is 32.3, dog\'s TOY'), ['pi', 'is', '32', '3', 'dog', 's', 'toy']);
    assert.deepEqual(texts({}, 'Milvus 是一个高性能向量数据库'), ['milvus', '是一个高性能向量数据库']);
    assert.deepEqual(texts('', 'The stop words stay'), ['the', 'stop', 'words', 'stay'], 'standard has no stop filter unless stop_words');
    assert.deepEqual(texts({ type: 'standard', stop_words: ['the'] }, 'The end'), ['end']);
  });

  it('standard: UTF-8 byte offsets and ordinal positions', () => {
    assert.deepEqual(rows(undefined, 'Crème brûlée 😀 x2'), [['crème', 0, 6, 0], ['brûlée', 7, 15, 1], ['x2', 21, 23, 2]]);
  });

  it('english: the docs example, stemmer before stop, positions keep the gap', () => {
    assert.deepEqual(texts({ type: 'english' }, 'Milvus simplifies text analysis for search.'), ['milvus', 'simplifi', 'text', 'analysi', 'search']);
    assert.deepEqual(rows({ type: 'english' }, 'the running dogs').map((r) => [r[0], r[3]]), [['run', 1], ['dog', 2]]);
    // a user stop word is compared after stemming, so "running" never matches (Milvus's order)
    assert.deepEqual(texts({ type: 'english', stop_words: ['running'] }, 'running'), ['run']);
  });

  it('chinese: jieba search mode, no lowercase, cnalphanumonly drops spaces and punctuation', () => {
    assert.deepEqual(rows({ type: 'chinese' }, 'Milvus 是一个高性能向量数据库。'), [
      ['Milvus', 0, 6, 0], ['是', 7, 10, 7], ['一个', 10, 16, 8], ['高性', 16, 22, 10], ['性能', 19, 25, 11],
      ['高性能', 16, 25, 10], ['向量', 25, 31, 13], ['数据', 31, 37, 15], ['据库', 34, 40, 16], ['数据库', 31, 40, 15],
    ]);
  });
});

describe('tokenizers', () => {
  it('jieba: exact mode, whitespace and punctuation tokens kept, char positions and lengths', () => {
    const t = buildAnalyzer({ tokenizer: { type: 'jieba', mode: 'exact', dict: ['_default_'], hmm: true } }).analyze('释放集合, 减少内存');
    assert.deepEqual(t.map((x) => x.token), ['释放', '集合', ',', ' ', '减少', '内存']);
    assert.deepEqual(t.map((x) => [x.startOffset, x.endOffset, x.position, x.positionLength]),
      [[0, 6, 0, 2], [6, 12, 2, 2], [12, 13, 4, 1], [13, 14, 5, 1], [14, 20, 6, 2], [20, 26, 8, 2]]);
    assert.deepEqual(texts({ tokenizer: 'jieba' }, '数据库'), ['数据', '据库', '数据库']);
  });

  it('jieba: chars outside the BMP count one char for positions and four bytes for offsets', () => {
    assert.deepEqual(rows({ tokenizer: 'jieba' }, '😀中国'), [['😀', 0, 4, 0], ['中国', 4, 10, 1]]);
  });

  it('icu: every segment is a token (spaces and punctuation too), position = char index', () => {
    assert.deepEqual(rows({ tokenizer: 'icu' }, 'Hi, 😀 北京大学'), [
      ['Hi', 0, 2, 0], [',', 2, 3, 2], [' ', 3, 4, 3], ['😀', 4, 8, 4], [' ', 8, 9, 5], ['北京', 9, 15, 6], ['大学', 15, 21, 8],
    ]);
  });

  it('whitespace: splits on ASCII whitespace only, punctuation stays', () => {
    assert.deepEqual(rows({ tokenizer: 'whitespace' }, "Hello,  world!\tdog's"), [['Hello,', 0, 6, 0], ['world!', 8, 14, 1], ["dog's", 15, 20, 2]]);
  });
});

describe('filters', () => {
  const ws = (filter: unknown[], text: string): string[] => texts({ tokenizer: 'whitespace', filter }, text);

  it('lowercase and asciifolding (unmapped chars kept)', () => {
    assert.deepEqual(ws(['lowercase'], 'ÉCOLE ΣΊΣΥΦΟΣ'), ['école', 'σίσυφος']);
    assert.deepEqual(ws(['asciifolding'], 'Crème brûlée Æsir ﬁx 北京'), ['Creme', 'brulee', 'AEsir', 'fix', '北京']);
  });

  it('alphanumonly keeps all-ASCII-alphanumeric tokens only', () => {
    assert.deepEqual(ws(['alphanumonly'], 'abc café a1 北京 x-y'), ['abc', 'a1']);
  });

  it('cnalphanumonly and cncharonly match unanchored (a token containing one matching char stays)', () => {
    assert.deepEqual(ws(['cnalphanumonly'], 'café 北京! ... , ÿ'), ['café', '北京!']);
    assert.deepEqual(ws(['cncharonly'], 'café 北京! a1 x北'), ['北京!', 'x北']);
  });

  it('removepunct drops a token that contains punctuation anywhere', () => {
    assert.deepEqual(ws(['removepunct'], "dog's life , ok 北京。"), ['life', 'ok']);
  });

  it('length counts UTF-8 bytes, not chars', () => {
    assert.deepEqual(ws([{ type: 'length', max: 3 }], 'ab abc abcd é éé 北'), ['ab', 'abc', 'é', '北']);
  });

  it('stop: language lists, custom words, exact and case-sensitive, positions keep gaps', () => {
    assert.deepEqual(rows({ tokenizer: 'standard', filter: [{ type: 'stop', stop_words: ['_english_', 'foo'] }] }, 'The foo is a bar')
      .map((r) => [r[0], r[3]]), [['The', 0], ['bar', 4]]);
    assert.deepEqual(ws([{ type: 'stop', stop_words: ['_french_', '_nope_'] }], 'le chat _nope_ et'), ['chat']);
    assert.deepEqual(ws([{ type: 'stop', stop_words: ['_chinese_'] }], '我 的 数据'), ['数据']);
  });

  it('decompounder splits only fully covered tokens, each part keeping offsets and position', () => {
    assert.deepEqual(rows({ tokenizer: 'standard', filter: [{ type: 'decompounder', word_list: ['dampf', 'schiff', 'fahrt', 'brot'] }] },
      'Dampfschifffahrt dampfschifffahrt brotxyz'), [
      ['Dampfschifffahrt', 0, 16, 0], ['dampf', 17, 33, 1], ['schiff', 17, 33, 1], ['fahrt', 17, 33, 1], ['brotxyz', 34, 41, 2],
    ]);
  });

  it('stemmer for every Milvus language (case-insensitive name, arabig typo accepted)', () => {
    const stem = (language: string, word: string): string | undefined => ws([{ type: 'stemmer', language }], word)[0];
    assert.equal(stem('English', 'running'), 'run');
    assert.equal(stem('french', 'continuellement'), 'continuel');
    assert.equal(stem('german', 'aufeinanderfolgenden'), 'aufeinanderfolg');
    assert.equal(stem('greek', 'καλημέρα'), 'καλημερ');
    assert.equal(stem('norwegian', 'havnedistriktene'), 'havnedistrikt');
    assert.equal(stem('arabig', 'الكتاب'), stem('arabic', 'الكتاب'));
    for (const l of ['danish', 'dutch', 'finnish', 'hungarian', 'italian', 'portuguese', 'romanian', 'russian', 'spanish', 'swedish', 'tamil', 'turkish']) {
      assert.equal(typeof stem(l, 'abc'), 'string', l);
    }
  });

  it('regex keeps tokens with an unanchored match (lookaround allowed)', () => {
    assert.deepEqual(ws([{ type: 'regex', expr: '^[a-z]+$' }], 'abc Abc a1 xyz'), ['abc', 'xyz']);
    assert.deepEqual(ws([{ type: 'regex', expr: 'b(?!c)' }], 'abc abd bb'), ['abd', 'bb']);
  });

  it('filters run in the order given', () => {
    assert.deepEqual(ws(['lowercase', { type: 'stop', stop_words: ['the'] }], 'The cat'), ['cat']);
    assert.deepEqual(ws([{ type: 'stop', stop_words: ['the'] }, 'lowercase'], 'The cat'), ['the', 'cat']);
  });
});

describe('token hash', () => {
  it('is crc32 of the first 100 UTF-8 bytes modulo 2^32 - 1', () => {
    assert.equal(tokenHash('apple'), 2838417488);
    const long = 'é'.repeat(60);
    assert.equal(tokenHash(long), tokenHash(long + 'tail'), 'bytes past 100 are not hashed');
    assert.notEqual(tokenHash('é'.repeat(49)), tokenHash('é'.repeat(50)));
  });

  // Known values from Milvus's own test of the same function (milvus-io/milvus pkg/util/typeutil/hash_test.go,
  // TestHashString2Uint32: crc32.ChecksumIEEE of the first 100 bytes; HashString2LessUint32 in hash.go is that
  // value % math.MaxUint32, which the BM25 function and RunAnalyzer use).
  it('is bit-exact with the values in Milvus\'s hash_test.go', () => {
    assert.equal(tokenHash('abcdef'), 1267612143);
    // Milvus's long text hashes to 2922592797; only its first 100 bytes count, so any text with the same
    // first 100 bytes must give the same value.
    const first100 = 'Milvus was created in 2019 with a singular goal: store, index, and manage massive embedding vectors ';
    assert.equal(Buffer.byteLength(first100), 100);
    assert.equal(tokenHash(`${first100}generated by deep neural networks and other machine learning (ML) models.`), 2922592797);
    assert.equal(tokenHash(`${first100}-- any other tail`), 2922592797);
  });

  it('cuts at byte 100 even inside a character, as Go\'s v[:100] does', () => {
    // 'a' + 60 x 'é' (2 bytes each): byte 100 is the first byte of an 'é'. Hashing the re-decoded string
    // (U+FFFD for the cut character) would give 277551513 instead.
    assert.equal(tokenHash(`a${'é'.repeat(60)}`), 3942126338);
  });

  it('maps a crc32 of 0xFFFFFFFF to 0 (% math.MaxUint32), so no hash is 2^32 - 1', () => {
    // 'milvus25qP,w' was forged to have crc32 0xFFFFFFFF (4 bytes appended to 'milvus25').
    assert.equal(crc32(Buffer.from('milvus25qP,w')), 0xffffffff);
    assert.equal(tokenHash('milvus25qP,w'), 0);
  });
});
