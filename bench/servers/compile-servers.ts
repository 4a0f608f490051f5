/**
 * Transpiles the baseline servers to plain `.mjs` before they run, so they start as bare `node` processes:
 * running them under the tsx loader would add its hooks thread to their RSS and make the baselines look
 * heavier than the code users actually deploy.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** Inside node_modules so `import 'express'` resolves from the project, and git ignores the output. */
const OUT_DIR = fileURLToPath(new URL('../../node_modules/.cache/persona-webhooks-bench/', import.meta.url));

/** Paths of the runnable baseline servers. */
export interface BaselineServers {
  bareNode: string;
  expressCopy: string;
}

/**
 * Writes `bare-node.mjs` and `express-copy.mjs` and returns their paths.
 *
 * @example
 * const { bareNode } = compileBaselineServers();
 * spawn(process.execPath, [bareNode]);
 */
export function compileBaselineServers(): BaselineServers {
  mkdirSync(OUT_DIR, { recursive: true });
  const compile = (name: string): string => {
    const source = readFileSync(fileURLToPath(new URL(`./${name}.ts`, import.meta.url)), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
      },
    });
    const out = `${OUT_DIR}${name}.mjs`;
    writeFileSync(out, outputText);
    return out;
  };
  return { bareNode: compile('bare-node'), expressCopy: compile('express-copy') };
}
