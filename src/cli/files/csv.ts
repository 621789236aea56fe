/**
 * A streaming RFC 4180 CSV parser: quoted cells may hold commas, quotes ("") and newlines. Each
 * record carries the line it starts on, so errors can name it.
 */
export interface CsvRecord { line: number; cells: string[] }

export class CsvParser {
  private cell = '';
  private cells: string[] = [];
  private quoted = false;
  /** A quote just closed inside a quoted cell: the next char decides ("" or end of quoting). */
  private quoteSeen = false;
  private line = 1;
  private recordLine = 1;
  private pendingCR = false;

  /** Feed a chunk; returns the records it completed. */
  push(chunk: string): CsvRecord[] {
    const out: CsvRecord[] = [];
    for (let i = 0; i < chunk.length; i++) {
      const ch = chunk[i] ?? '';
      if (this.pendingCR) {
        this.pendingCR = false;
        if (ch === '\n') continue;
      }
      if (this.quoted) {
        if (this.quoteSeen) {
          this.quoteSeen = false;
          if (ch === '"') { this.cell += '"'; continue; }
          this.quoted = false;
        } else {
          if (ch === '"') { this.quoteSeen = true; continue; }
          if (ch === '\n') this.line++;
          this.cell += ch;
          continue;
        }
      }
      if (ch === '"' && this.cell === '') { this.quoted = true; continue; }
      if (ch === ',') { this.cells.push(this.cell); this.cell = ''; continue; }
      if (ch === '\n' || ch === '\r') {
        if (ch === '\r') this.pendingCR = true;
        this.endRecord(out);
        this.line++;
        this.recordLine = this.line;
        continue;
      }
      this.cell += ch;
    }
    return out;
  }

  private endRecord(out: CsvRecord[]): void {
    this.cells.push(this.cell);
    this.cell = '';
    const cells = this.cells;
    this.cells = [];
    if (cells.length === 1 && cells[0] === '') return; // blank line
    out.push({ line: this.recordLine, cells });
  }

  /** End of input: the last record, if the file does not end with a newline. */
  end(): CsvRecord[] {
    const out: CsvRecord[] = [];
    if (this.quoted && !this.quoteSeen) {
      throw new Error(`unterminated quoted cell starting on line ${this.recordLine}`);
    }
    this.quoted = false;
    this.quoteSeen = false;
    if (this.cell !== '' || this.cells.length > 0) this.endRecord(out);
    return out;
  }
}
