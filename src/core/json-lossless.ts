/**
 * JSON request bodies without silent int64 loss. `JSON.parse` turns 9007199254740993 into
 * 9007199254740992; Milvus (Go, json.Number) keeps it. Bodies that contain an integer literal of
 * 16 or more digits are parsed by a small recursive-descent parser that returns such integers as
 * bigint when they are beyond 2^53; all other bodies go through the native `JSON.parse`.
 * Throws SyntaxError on malformed input, like JSON.parse. Used for REST bodies and bulk import JSON files.
 */
const LONG_INTEGER = /(?<![\d.eE])-?\d{16,}(?![\d.eE])/;
const MAX_DEPTH = 512;

export function parseJsonBody(text: string): unknown {
  return LONG_INTEGER.test(text) ? new LosslessParser(text).parseDocument() : JSON.parse(text);
}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

class LosslessParser {
  private at = 0;

  constructor(private readonly text: string) {}

  parseDocument(): unknown {
    const v = this.value(0);
    this.skipSpace();
    if (this.at !== this.text.length) this.fail('unexpected text after the JSON value');
    return v;
  }

  private fail(what: string): never {
    throw new SyntaxError(`${what} at position ${this.at}`);
  }

  private skipSpace(): void {
    const t = this.text;
    while (this.at < t.length) {
      const c = t.charCodeAt(this.at);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.at++;
    }
  }

  private value(depth: number): unknown {
    if (depth > MAX_DEPTH) this.fail('JSON nested too deeply');
    this.skipSpace();
    const c = this.text[this.at];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return this.string();
    if (this.text.startsWith('true', this.at)) { this.at += 4; return true; }
    if (this.text.startsWith('false', this.at)) { this.at += 5; return false; }
    if (this.text.startsWith('null', this.at)) { this.at += 4; return null; }
    return this.number();
  }

  private number(): number | bigint {
    NUMBER.lastIndex = this.at;
    const m = NUMBER.exec(this.text);
    if (m === null) this.fail('unexpected token');
    this.at += m[0].length;
    const n = Number(m[0]);
    if (m[1] === undefined && m[2] === undefined && !Number.isSafeInteger(n)) return BigInt(m[0]);
    return n;
  }

  private string(): string {
    const start = this.at;
    this.at++;
    const t = this.text;
    while (this.at < t.length) {
      const c = t[this.at];
      if (c === '"') {
        this.at++;
        return JSON.parse(t.slice(start, this.at)) as string;
      }
      this.at += c === '\\' ? 2 : 1;
    }
    return this.fail('unterminated string');
  }

  private expect(c: string): void {
    this.skipSpace();
    if (this.text[this.at] !== c) this.fail(`expected '${c}'`);
    this.at++;
  }

  private array(depth: number): unknown[] {
    this.at++;
    const out: unknown[] = [];
    this.skipSpace();
    if (this.text[this.at] === ']') { this.at++; return out; }
    for (;;) {
      out.push(this.value(depth + 1));
      this.skipSpace();
      if (this.text[this.at] === ']') { this.at++; return out; }
      this.expect(',');
    }
  }

  private object(depth: number): Record<string, unknown> {
    this.at++;
    const out: Record<string, unknown> = {};
    this.skipSpace();
    if (this.text[this.at] === '}') { this.at++; return out; }
    for (;;) {
      this.skipSpace();
      if (this.text[this.at] !== '"') this.fail('expected a property name');
      const key = this.string();
      this.expect(':');
      Object.defineProperty(out, key, { value: this.value(depth + 1), enumerable: true, writable: true, configurable: true });
      this.skipSpace();
      if (this.text[this.at] === '}') { this.at++; return out; }
      this.expect(',');
    }
  }
}
