/**
 * The `stemmer` filter's languages, as Milvus accepts them (tantivy-binding `filter/stemmer_filter.rs`,
 * rust-stemmers underneath). rust-stemmers itself runs here: `multilingual-stemmer` is rust-stemmers
 * compiled to wasm; it lacks Norwegian, which comes from `snowball-stemmers` (the same Snowball
 * algorithm, checked against rust-stemmers' test data). Stemmers are stateless and loaded on first use.
 */
import { createRequire } from 'node:module';
import { errors } from '../core/errors.js';

interface WordStemmer { stem(word: string): string }

/** Milvus's names (case-insensitive; `arabig` is its typo for arabic) -> multilingual-stemmer's enum name. */
const LANGUAGES: Readonly<Record<string, string>> = {
  arabic: 'Arabic', arabig: 'Arabic', danish: 'Danish', dutch: 'Dutch', english: 'English', finnish: 'Finnish',
  french: 'French', german: 'German', greek: 'Greek', hungarian: 'Hungarian', italian: 'Italian',
  norwegian: 'Norwegian', portuguese: 'Portuguese', romanian: 'Romanian', russian: 'Russian',
  spanish: 'Spanish', swedish: 'Swedish', tamil: 'Tamil', turkish: 'Turkish',
};

export const STEMMER_LANGUAGES: readonly string[] = Object.keys(LANGUAGES).filter((l) => l !== 'arabig');

const loaded = new Map<string, WordStemmer>();
const require = createRequire(import.meta.url);

/** The stemmer of a language Milvus names; an unknown one is refused as Milvus words it. */
export function stemmerFor(language: string): WordStemmer {
  const lower = language.toLowerCase();
  const name = LANGUAGES[lower];
  if (name === undefined) throw errors.invalidParameter(`create stemmer failed : unsupport language: ${lower}`);
  let stemmer = loaded.get(name);
  if (stemmer === undefined) {
    stemmer = name === 'Norwegian' ? snowballStemmer('norwegian') : rustStemmer(name);
    loaded.set(name, stemmer);
  }
  return stemmer;
}

function rustStemmer(name: string): WordStemmer {
  const mod = require('multilingual-stemmer') as {
    Languages: Readonly<Record<string, number>>;
    Stemmer: new (language: number) => WordStemmer;
  };
  const id = mod.Languages[name];
  if (id === undefined) throw new Error(`multilingual-stemmer has no ${name}`);
  return new mod.Stemmer(id);
}

function snowballStemmer(name: string): WordStemmer {
  const mod = require('snowball-stemmers') as { newStemmer(language: string): WordStemmer };
  return mod.newStemmer(name);
}
