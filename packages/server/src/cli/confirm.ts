/**
 * Asking before a command does something that cannot be taken back (removing an endpoint, replaying an
 * event that was already processed): on a terminal it asks; elsewhere (a script, CI) it needs `--yes`,
 * so nothing irreversible happens because stdin happened to be empty.
 */
import { createInterface } from 'node:readline/promises';
import { InvalidArgumentError } from 'commander';

/** The `--yes` option of the commands that ask. */
export const YES_OPTION = ['-y, --yes', 'do it without asking'] as const;

/**
 * Resolves true when confirmed (`--yes`, or "y" typed at the prompt); false when declined. Throws
 * InvalidArgumentError when it cannot ask (stdin is not a terminal) and `--yes` was not given.
 */
export async function confirm(question: string, yes: boolean | undefined): Promise<boolean> {
  if (yes) return true;
  if (!process.stdin.isTTY) {
    throw new InvalidArgumentError(
      `${question} Not a terminal, so nothing was asked: add --yes to go ahead.`,
    );
  }
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await prompt.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}
