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
