/** A single progress line, rewritten in place on a TTY, printed as lines elsewhere. */
export class Progress {
  private readonly tty = Boolean(process.stderr.isTTY);
  private last = '';

  update(text: string): void {
    if (text === this.last) return;
    this.last = text;
    if (this.tty) process.stderr.write(`\r\x1b[2K${text}`);
    else process.stderr.write(`${text}\n`);
  }

  done(): void {
    if (this.tty && this.last) process.stderr.write('\r\x1b[2K');
    this.last = '';
  }
}
