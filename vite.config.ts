import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * taskcluster-client-web signs requests with `hawk`, whose current major is Node-only (it needs `crypto`,
 * `url`, `stream` and `Buffer`; webpack 4 used to polyfill them). Hawk's own browser client (`lib/browser.js`,
 * shipped until hawk 7, on crypto-js) has the same `client.header` API, so the browser build uses it. It comes
 * with taskcluster-client, which depends on hawk 7.
 */
const hawkBrowser = createRequire(createRequire(import.meta.url).resolve('taskcluster-client')).resolve(
  'hawk/lib/browser.js',
);

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** The admin UI: `src/ui` built into `dist/ui`, which `src/api/ui-plugin.ts` serves at `/`. */
export default defineConfig({
  root: here('src/ui'),
  base: './',
  publicDir: false,
  logLevel: 'warn',
  resolve: { alias: { hawk: hawkBrowser } },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: here('dist/ui'),
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
    chunkSizeWarningLimit: 250,
  },
});
