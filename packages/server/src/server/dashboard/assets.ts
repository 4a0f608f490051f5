/**
 * Where the dashboard's files are: our own (`packages/server/public/admin/`, shipped in the npm
 * package) and the two browser libraries, served straight from their installed packages so there is
 * no bundling or copy step and no CDN.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `public/admin/` of this package: the same relative place from `src/server/dashboard/` and `dist/server/dashboard/`. */
export const PUBLIC_DIR = fileURLToPath(new URL('../../../public/admin/', import.meta.url));

const require = createRequire(import.meta.url);

/** A file served under `/admin/assets/vendor/<name>`. */
export interface VendorFile {
  dir: string;
  file: string;
}

/**
 * Preact + hooks + htm in one 13 kB ES module (no build step: htm parses tagged templates at run time,
 * without eval, so a strict CSP holds), and uPlot, a small canvas chart, as a classic minified script.
 */
export function vendorFiles(): Record<string, VendorFile> {
  // htm's exports map hides its files; its main entry sits in dist/, beside the preact/ folder.
  const htmRoot = dirname(dirname(require.resolve('htm')));
  const uplotDist = dirname(require.resolve('uplot/dist/uPlot.iife.min.js'));
  return {
    'preact-htm.js': { dir: join(htmRoot, 'preact'), file: 'standalone.module.js' },
    'uplot.js': { dir: uplotDist, file: 'uPlot.iife.min.js' },
    'uplot.css': { dir: uplotDist, file: 'uPlot.min.css' },
  };
}
