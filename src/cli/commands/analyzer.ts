/** show analyzer: the tokens an analyzer makes of some texts (RunAnalyzer), ad hoc or a collection field's. */
import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import { F } from '../command.js';
import { table } from '../output.js';

export const analyzerCommands: Command[] = [
  {
    verb: 'show', object: 'analyzer',
    usage: "show analyzer -x TEXT [-x TEXT...] [--params '{\"tokenizer\":\"standard\"}' | -c COLL -f FIELD [-n ANALYZER]]",
    summary: 'show the tokens an analyzer makes (offsets in UTF-8 bytes, position, hash)',
    flags: [
      F.multi(['-x', '--text'], 'texts', 'text to analyze (repeatable)'),
      F.value(['--params', '--analyzer-params'], 'params', 'analyzer_params JSON (default: the standard analyzer)'),
      F.collection,
      F.value(['-f', '--field'], 'field', 'field whose analyzer to use (with -c)'),
      F.multi(['-n', '--analyzer-name'], 'analyzerNames', 'analyzer name of a multi-language field (repeatable)'),
    ],
    run: async (ctx, a) => {
      const texts = a.raw('texts');
      if (texts.length === 0) throw new UsageError('give at least one text with -x TEXT');
      const collection = a.opt('collection');
      if (collection !== undefined && a.opt('field') === undefined) throw new UsageError('-c COLLECTION needs -f FIELD');
      const results = await ctx.backend.runAnalyzer({
        texts, params: a.opt('params'), collection, field: a.opt('field'), analyzerNames: a.list('analyzerNames'),
      });
      const rows: unknown[][] = [];
      results.forEach((tokens, i) => {
        for (const t of tokens) rows.push([i, t.token, t.startOffset, t.endOffset, t.position, t.positionLength, t.hash]);
      });
      return table(['text', 'token', 'start_offset', 'end_offset', 'position', 'position_length', 'hash'], rows);
    },
  },
];
