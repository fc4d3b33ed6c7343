import readline from 'node:readline/promises';

/** Plain readline questions (no dependency); only used when stdin is a terminal and --yes is not given. */
export class Prompter {
  private readonly rl: readline.Interface;

  constructor(
    input: NodeJS.ReadableStream = process.stdin,
    private readonly output: NodeJS.WritableStream = process.stdout,
  ) {
    this.rl = readline.createInterface({ input, output });
  }

  /** Asks until `check` accepts the answer (an empty answer takes the default). */
  async ask<T>(question: string, fallback: string, check: (answer: string) => T): Promise<T> {
    for (;;) {
      const raw = (await this.rl.question(`${question}${fallback === '' ? '' : ` (${fallback})`}: `)).trim();
      try {
        return check(raw === '' ? fallback : raw);
      } catch (error) {
        this.output.write(`  ${(error as Error).message}\n`);
      }
    }
  }

  close(): void {
    this.rl.close();
  }
}
