import readline from 'node:readline/promises';

/** Plain readline questions (no dependency); only used when stdin is a terminal and --yes is not given. */
export class Prompter {
  private readonly rl = readline.createInterface({ input: process.stdin, output: process.stdout });

  /** Asks until `check` accepts the answer (an empty answer takes the default). */
  async ask<T>(question: string, fallback: string, check: (answer: string) => T): Promise<T> {
    for (;;) {
      const raw = (await this.rl.question(`${question}${fallback === '' ? '' : ` (${fallback})`}: `)).trim();
      try {
        return check(raw === '' ? fallback : raw);
      } catch (error) {
        process.stdout.write(`  ${(error as Error).message}\n`);
      }
    }
  }

  close(): void {
    this.rl.close();
  }
}
