/**
 * Multi-language analyzers (`multi_analyzer_params`, Milvus 2.5.11+): several named analyzers on one
 * field, the one for a row picked by the value of another VarChar field (`by_field`), the one for a
 * query by `analyzer_name`. Names go through `alias` first; a name that is neither an analyzer nor an
 * alias (or no name) uses `default`, which must exist (MV `multi_analyzer_bm25_function.go`).
 *
 * ```json
 * {"by_field": "language", "analyzers": {"english": {"type": "english"}, "default": {"tokenizer": "icu"}},
 *  "alias": {"en": "english"}}
 * ```
 */
import { errors, type MilvusError } from '../core/errors.js';
import { buildFromParams } from './build.js';
import type { Analyzer } from './types.js';

const bad = (what: string): MilvusError => errors.invalidParameter(what);

export const DEFAULT_ANALYZER_NAME = 'default';

export class MultiAnalyzer {
  constructor(
    /** The VarChar field whose value names a row's analyzer. */
    readonly byField: string,
    private readonly analyzers: ReadonlyMap<string, Analyzer>,
    private readonly alias: ReadonlyMap<string, string>,
  ) {}

  /** Analyzer names, `default` included (not the aliases). */
  names(): string[] {
    return [...this.analyzers.keys()];
  }

  /** The analyzer a name selects: through the alias, else the name itself, else `default`. */
  select(name: string | null | undefined): Analyzer {
    if (name !== null && name !== undefined) {
      const target = this.alias.get(name) ?? name;
      const found = this.analyzers.get(target);
      if (found !== undefined) return found;
    }
    const fallback = this.analyzers.get(DEFAULT_ANALYZER_NAME);
    if (fallback === undefined) throw new Error('multi analyzer without default (checked when built)');
    return fallback;
  }
}

function object(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad(what);
  return value as Record<string, unknown>;
}

/** Build (and so validate) `multi_analyzer_params`: parsed JSON or its JSON text. */
export function buildMultiAnalyzer(params: unknown): MultiAnalyzer {
  let raw = params;
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw);
    } catch (e) {
      throw bad(`unmarshal multi analyzer params failed: ${(e as Error).message}`);
    }
  }
  const map = object(raw, 'multi analyzer params should be json map');
  if (map['analyzers'] === undefined) throw bad('bm25 function with multi analyzer must have analyzers param in multi_analyzer_params');
  const specs = object(map['analyzers'], 'multi analyzer analyzers param should be json map');
  const analyzers = new Map<string, Analyzer>();
  for (const [name, spec] of Object.entries(specs)) {
    try {
      analyzers.set(name, buildFromParams(spec));
    } catch (e) {
      throw bad(`create analyzer ${name} failed with error: ${(e as Error).message.replace(/: invalid parameter$/, '')}`);
    }
  }
  if (!analyzers.has(DEFAULT_ANALYZER_NAME)) throw bad('multi analyzer must set default analyzer for all unknown value');
  const byField = map['by_field'];
  if (byField === undefined) throw bad('bm25 function with multi analyzer must have by_field param in multi_analyzer_params');
  if (typeof byField !== 'string') throw bad(`multi analyzer by_field must be string but now: ${JSON.stringify(byField)}`);
  const alias = new Map<string, string>();
  if (map['alias'] !== undefined) {
    for (const [from, to] of Object.entries(object(map['alias'], 'multi analyzer alias should be json map'))) {
      if (typeof to !== 'string') throw bad(`multi analyzer alias ${from} must be string`);
      alias.set(from, to);
    }
  }
  for (const key of Object.keys(map)) {
    if (key !== 'analyzers' && key !== 'by_field' && key !== 'alias') throw bad(`unknown multi analyzer option key: ${key}`);
  }
  return new MultiAnalyzer(byField, analyzers, alias);
}
