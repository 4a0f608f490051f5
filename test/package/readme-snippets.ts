import { readFileSync } from 'node:fs';

/** A README code block whose first line names the file it is (`// file: express.ts`). */
export interface ReadmeSnippet {
  file: string;
  source: string;
}

const BLOCK = /```ts\n\/\/ file: (\S+)\n([\s\S]*?)```/g;

/** The runnable snippets of a README, in order: blocks without a `// file:` line are left out. */
export function readmeSnippets(readmePath: string): ReadmeSnippet[] {
  const readme = readFileSync(readmePath, 'utf8');
  return [...readme.matchAll(BLOCK)].map((match) => ({ file: match[1] ?? '', source: match[2] ?? '' }));
}

/**
 * The README's `jsonc` block that names itself `// file: <name>` (the tsconfig.json the snippets are
 * compiled with), so the test compiles them with the very configuration users are told to copy.
 */
export function readmeConfigFile(readmePath: string, name: string): string {
  const readme = readFileSync(readmePath, 'utf8');
  const block = [...readme.matchAll(/```jsonc\n\/\/ file: (\S+)\n([\s\S]*?)```/g)].find((m) => m[1] === name);
  if (!block) throw new Error(`${readmePath} has no \`// file: ${name}\` block`);
  return block[2] ?? '';
}
