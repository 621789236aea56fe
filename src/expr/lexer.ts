/**
 * Lexer for the Milvus filter language (reference §6). Iterative, one pass, positions are 0-based
 * UTF-16 offsets into the text. Keywords are not decided here: the parser asks `isKeyword`.
 */
import { MilvusError } from '../core/errors.js';
import { exprError } from './error.js';

export type Punct =
  | '(' | ')' | '[' | ']' | '{' | '}' | ','
  | '+' | '-' | '*' | '/' | '%' | '**'
  | '<<' | '>>' | '&' | '|' | '^' | '~' | '!'
  | '==' | '!=' | '<' | '<=' | '>' | '>='
  | '&&' | '||' | '=~' | '!~'
  /** Only meaningful in `minimum_should_match=N`; the parser refuses it anywhere else. */
  | '=';

export type Token =
  | { kind: 'ident'; pos: number; text: string }
  | { kind: 'int'; pos: number; value: bigint }
  | { kind: 'float'; pos: number; value: number }
  | { kind: 'string'; pos: number; value: string }
  | { kind: 'punct'; pos: number; text: Punct }
  | { kind: 'eof'; pos: number }
  /** A lexical error; the parser throws it when it reaches it, so earlier checks (e.g. unsupported
   * functions) report first. */
  | { kind: 'error'; pos: number; error: MilvusError };

const TWO_CHAR_PUNCTS: ReadonlySet<string> = new Set(['**', '<<', '>>', '==', '!=', '<=', '>=', '&&', '||', '=~', '!~']);
const ONE_CHAR_PUNCTS: ReadonlySet<string> = new Set(['(', ')', '[', ']', '{', '}', ',', '+', '-', '*', '/', '%', '&', '|', '^', '~', '!', '<', '>']);
const STRING_PREFIXES: ReadonlySet<string> = new Set(['u8', 'u', 'U', 'L']);
const RAW_PREFIXES: ReadonlySet<string> = new Set(['r', 'R']);

/** Largest magnitude an integer literal may have: 2^63 (only valid right after a unary minus). */
export const INT_LITERAL_MAX = 1n << 63n;

function isDigit(c: number): boolean { return c >= 48 && c <= 57; }
function isHexDigit(c: number): boolean { return isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102); }
function isIdentStart(c: number): boolean { return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95; }
function isIdentPart(c: number): boolean { return isIdentStart(c) || isDigit(c); }
function isSpace(c: number): boolean { return c === 32 || (c >= 9 && c <= 13); }

export function tokenize(text: string): Token[] {
  const lx = new Lexer(text);
  return lx.run();
}

class Lexer {
  private i = 0;
  private readonly out: Token[] = [];
  constructor(private readonly s: string) {}

  run(): Token[] {
    const s = this.s;
    while (true) {
      while (this.i < s.length && isSpace(s.charCodeAt(this.i))) this.i++;
      if (this.i >= s.length) break;
      try {
        this.one();
      } catch (e) {
        if (!(e instanceof MilvusError)) throw e;
        this.out.push({ kind: 'error', pos: this.i, error: e });
        return this.out;
      }
    }
    this.out.push({ kind: 'eof', pos: s.length });
    return this.out;
  }

  private fail(problem: string, pos: number): never {
    throw exprError(this.s, problem, pos);
  }

  private one(): void {
    const s = this.s;
    const start = this.i;
    const c = s.charCodeAt(start);
    if (isDigit(c) || (c === 46 && isDigit(s.charCodeAt(start + 1)))) { this.number(); return; }
    if (c === 34 || c === 39) { this.string(start, start, false); return; }
    if (isIdentStart(c)) { this.identOrPrefixedString(); return; }
    if (c === 36) { // '$'
      if (s.startsWith('$meta', start) && !isIdentPart(s.charCodeAt(start + 5))) {
        this.i = start + 5;
        this.out.push({ kind: 'ident', pos: start, text: '$meta' });
        return;
      }
      if (s.charCodeAt(start + 1) === 91) { // '$[': the current struct element (inside element_filter)
        this.i = start + 1;
        this.out.push({ kind: 'ident', pos: start, text: '$' });
        return;
      }
      this.fail("unexpected character '$' (only $meta, or $[member] inside element_filter)", start);
    }
    const two = s.slice(start, start + 2);
    if (TWO_CHAR_PUNCTS.has(two)) {
      this.i = start + 2;
      this.out.push({ kind: 'punct', pos: start, text: two as Punct });
      return;
    }
    const ch = s[start] ?? '';
    if (ONE_CHAR_PUNCTS.has(ch)) {
      this.i = start + 1;
      this.out.push({ kind: 'punct', pos: start, text: ch as Punct });
      return;
    }
    if (ch === '=') {
      this.i = start + 1;
      this.out.push({ kind: 'punct', pos: start, text: '=' });
      return;
    }
    this.fail(`unexpected character ${JSON.stringify(String.fromCodePoint(s.codePointAt(start) ?? 0))}`, start);
  }

  private identOrPrefixedString(): void {
    const s = this.s;
    const start = this.i;
    let j = start + 1;
    while (j < s.length && isIdentPart(s.charCodeAt(j))) j++;
    const word = s.slice(start, j);
    const next = s.charCodeAt(j);
    if ((next === 34 || next === 39) && (STRING_PREFIXES.has(word) || RAW_PREFIXES.has(word))) {
      this.string(start, j, RAW_PREFIXES.has(word));
      return;
    }
    this.i = j;
    this.out.push({ kind: 'ident', pos: start, text: word });
  }

  /** A quoted string whose quote is at `quotePos`; the token starts at `tokPos` (before any prefix). */
  private string(tokPos: number, quotePos: number, raw: boolean): void {
    const s = this.s;
    const quote = s.charCodeAt(quotePos);
    let j = quotePos + 1;
    let value = '';
    let chunkStart = j;
    while (true) {
      if (j >= s.length) this.fail('unterminated string literal', tokPos);
      const c = s.charCodeAt(j);
      if (c === quote) break;
      if (c === 92 && !raw) { // backslash
        value += s.slice(chunkStart, j);
        const [decoded, end] = this.escape(j);
        value += decoded;
        j = end;
        chunkStart = j;
        continue;
      }
      j++;
    }
    value += s.slice(chunkStart, j);
    this.i = j + 1;
    this.out.push({ kind: 'string', pos: tokPos, value });
  }

  /** Decode the escape sequence starting at the backslash at `at`; returns [text, index after it]. */
  private escape(at: number): [string, number] {
    const s = this.s;
    const e = s[at + 1];
    if (e === undefined) this.fail('unterminated string literal', at);
    switch (e) {
      case 'a': return ['\x07', at + 2];
      case 'b': return ['\b', at + 2];
      case 'f': return ['\f', at + 2];
      case 'n': return ['\n', at + 2];
      case 'r': return ['\r', at + 2];
      case 't': return ['\t', at + 2];
      case 'v': return ['\v', at + 2];
      case '\\': case '"': case "'": case '?': return [e, at + 2];
      case 'x': return this.hexEscape(at, 2, 1, 2);
      case 'u': return this.hexEscape(at, 2, 4, 4);
      case 'U': return this.hexEscape(at, 2, 8, 8);
      default: break;
    }
    const c = e.charCodeAt(0);
    if (c >= 48 && c <= 55) { // octal \ooo
      let j = at + 1;
      let v = 0;
      while (j < at + 4 && j < s.length && s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 55) {
        v = v * 8 + (s.charCodeAt(j) - 48);
        j++;
      }
      return [String.fromCharCode(v), j];
    }
    // Unknown escapes keep their backslash, so like patterns such as "a\%" reach the pattern intact.
    return ['\\' + e, at + 2];
  }

  private hexEscape(at: number, skip: number, minDigits: number, maxDigits: number): [string, number] {
    const s = this.s;
    let j = at + skip;
    while (j < at + skip + maxDigits && j < s.length && isHexDigit(s.charCodeAt(j))) j++;
    if (j - (at + skip) < minDigits) this.fail('invalid escape sequence in string literal', at);
    const code = parseInt(s.slice(at + skip, j), 16);
    if (maxDigits === 8) {
      if (code > 0x10ffff) this.fail('invalid unicode escape in string literal', at);
      return [String.fromCodePoint(code), j];
    }
    return [String.fromCharCode(code), j];
  }

  private number(): void {
    const s = this.s;
    const start = this.i;
    const c1 = s[start + 1];
    if (s[start] === '0' && (c1 === 'x' || c1 === 'X')) this.hexNumber(start);
    else if (s[start] === '0' && (c1 === 'b' || c1 === 'B')) this.radixInt(start, 2);
    else this.decimalNumber(start);
    const after = s.charCodeAt(this.i);
    if (isIdentPart(after) || after === 46) this.fail('invalid number literal', start);
  }

  private pushInt(start: number, value: bigint): void {
    if (value > INT_LITERAL_MAX) this.fail('integer literal out of int64 range', start);
    this.out.push({ kind: 'int', pos: start, value });
  }

  private pushFloat(start: number, value: number): void {
    if (!Number.isFinite(value)) this.fail('floating-point literal out of range', start);
    this.out.push({ kind: 'float', pos: start, value });
  }

  /** Reads digits of `radix` from `j`; returns the end index. */
  private digits(j: number, radix: 2 | 8 | 10 | 16): number {
    const s = this.s;
    while (j < s.length) {
      const c = s.charCodeAt(j);
      const ok = radix === 16 ? isHexDigit(c) : radix === 10 ? isDigit(c) : radix === 8 ? c >= 48 && c <= 55 : c === 48 || c === 49;
      if (!ok) break;
      j++;
    }
    return j;
  }

  private bigFromDigits(start: number, digits: string, radix: 2 | 8 | 16 | 10): bigint {
    const trimmed = digits.replace(/^0+/, '');
    const maxDigits = radix === 2 ? 64 : radix === 8 ? 22 : radix === 16 ? 16 : 19;
    if (trimmed.length > maxDigits) this.fail('integer literal out of int64 range', start);
    if (trimmed === '') return 0n;
    const prefix = radix === 2 ? '0b' : radix === 8 ? '0o' : radix === 16 ? '0x' : '';
    return BigInt(prefix + trimmed);
  }

  private radixInt(start: number, radix: 2): void {
    const end = this.digits(start + 2, radix);
    if (end === start + 2) this.fail('invalid binary literal', start);
    this.i = end;
    this.pushInt(start, this.bigFromDigits(start, this.s.slice(start + 2, end), radix));
  }

  private hexNumber(start: number): void {
    const s = this.s;
    const intEnd = this.digits(start + 2, 16);
    let j = intEnd;
    let fracEnd = intEnd;
    if (s[j] === '.') { fracEnd = this.digits(j + 1, 16); j = fracEnd; }
    const hasP = s[j] === 'p' || s[j] === 'P';
    if (!hasP) {
      if (fracEnd !== intEnd) this.fail('hexadecimal floating literal needs a p exponent', start);
      if (intEnd === start + 2) this.fail('invalid hexadecimal literal', start);
      this.i = intEnd;
      this.pushInt(start, this.bigFromDigits(start, s.slice(start + 2, intEnd), 16));
      return;
    }
    const intDigits = s.slice(start + 2, intEnd);
    const fracDigits = fracEnd > intEnd ? s.slice(intEnd + 1, fracEnd) : '';
    if (intDigits === '' && fracDigits === '') this.fail('invalid hexadecimal floating literal', start);
    let k = j + 1;
    if (s[k] === '+' || s[k] === '-') k++;
    const expEnd = this.digits(k, 10);
    if (expEnd === k) this.fail('invalid hexadecimal floating literal exponent', start);
    const exp = Number(s.slice(j + 1, expEnd)) - 4 * fracDigits.length;
    const mantissaDigits = (intDigits + fracDigits).replace(/^0+/, '');
    const mantissa = mantissaDigits === '' ? 0 : Number(BigInt('0x' + mantissaDigits));
    this.i = expEnd;
    this.pushFloat(start, mantissa === 0 ? 0 : mantissa * Math.pow(2, exp));
  }

  private decimalNumber(start: number): void {
    const s = this.s;
    const intEnd = this.digits(start, 10);
    let j = intEnd;
    let isFloat = false;
    if (s[j] === '.') { isFloat = true; j = this.digits(j + 1, 10); }
    if (s[j] === 'e' || s[j] === 'E') {
      let k = j + 1;
      if (s[k] === '+' || s[k] === '-') k++;
      const expEnd = this.digits(k, 10);
      if (expEnd === k) this.fail('invalid floating literal exponent', start);
      isFloat = true;
      j = expEnd;
    }
    this.i = j;
    const text = s.slice(start, j);
    if (isFloat) { this.pushFloat(start, Number(text)); return; }
    if (text.length > 1 && text[0] === '0') {
      if (this.digits(start + 1, 8) !== j) this.fail('invalid octal literal', start);
      this.pushInt(start, this.bigFromDigits(start, text.slice(1), 8));
      return;
    }
    this.pushInt(start, this.bigFromDigits(start, text, 10));
  }
}
