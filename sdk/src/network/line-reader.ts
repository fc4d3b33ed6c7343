/**
 * Splits a byte stream into lines, keeping at most `maxLineBytes` of a line:
 * a longer line is cut there (the rest up to its newline is dropped), so a
 * child that prints without newlines cannot grow the buffer without bound.
 */
export class LineReader {
  private pending = '';
  private dropping = false;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLineBytes = 16 * 1024,
  ) {}

  push(chunk: Buffer | string): void {
    let text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    for (;;) {
      const newline = text.indexOf('\n');
      if (newline < 0) break;
      const head = text.slice(0, newline);
      text = text.slice(newline + 1);
      if (this.dropping) this.dropping = false;
      else this.emit(this.pending + head);
      this.pending = '';
    }
    if (this.dropping) return;
    this.pending += text;
    if (this.pending.length > this.maxLineBytes) {
      this.emit(this.pending.slice(0, this.maxLineBytes));
      this.pending = '';
      this.dropping = true;
    }
  }

  /** Emits what is left without a final newline (at the end of the stream). */
  end(): void {
    if (!this.dropping && this.pending !== '') this.emit(this.pending);
    this.pending = '';
    this.dropping = false;
  }

  private emit(line: string): void {
    this.onLine(line.length > this.maxLineBytes ? line.slice(0, this.maxLineBytes) : line.replace(/\r$/, ''));
  }
}
