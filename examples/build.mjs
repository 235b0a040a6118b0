#!/usr/bin/env node
// Copies the element bundle to examples/lib and builds the React and Vue examples with esbuild against the BUILT packages (dist/, as an app installing
// @labelkit/elements from npm gets them): examples/<name>/dist/main.js, loaded by examples/<name>/index.html.
import { cpSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = fileURLToPath(new URL('.', import.meta.url));
// The self-contained element bundle that the demo and the vanilla example load from /lib.
mkdirSync(`${here}lib`, { recursive: true });
cpSync(`${here}../packages/elements/dist/cdn`, `${here}lib`, { recursive: true });
const common = {
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  logLevel: 'warning',
  absWorkingDir: here,
  tsconfig: 'tsconfig.json',
};
await Promise.all([
  build({
    ...common,
    entryPoints: ['react/src/main.tsx'],
    outfile: 'react/dist/main.js',
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
  }),
  build({
    ...common,
    entryPoints: ['vue/src/main.ts'],
    outfile: 'vue/dist/main.js',
    // The full build of Vue: the example's template is compiled in the browser.
    alias: { vue: 'vue/dist/vue.esm-bundler.js' },
    define: {
      'process.env.NODE_ENV': '"production"',
      __VUE_OPTIONS_API__: 'true',
      __VUE_PROD_DEVTOOLS__: 'false',
      __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    },
  }),
]);
