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
// The demo: its script, the model worker (bundled with onnxruntime-web) and onnxruntime-web's WASM files.
const ortDist = `${here}../packages/models/node_modules/onnxruntime-web/dist/`;
mkdirSync(`${here}demo/dist/ort`, { recursive: true });
for (const f of ['ort-wasm-simd-threaded', 'ort-wasm-simd-threaded.jsep'])
  for (const ext of ['wasm', 'mjs']) cpSync(`${ortDist}${f}.${ext}`, `${here}demo/dist/ort/${f}.${ext}`);

await Promise.all([
  build({ ...common, entryPoints: ['demo/main.ts'], outfile: 'demo/dist/main.js' }),
  build({
    ...common,
    // The worker file of the built @labelkit/models (not a public entry: apps with Vite or webpack get it through
    // `new URL('./worker.js', import.meta.url)`; esbuild needs it named).
    entryPoints: ['../packages/models/dist/worker.js'],
    outdir: 'demo/dist',
    entryNames: 'worker',
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    // onnxruntime-web finds its .wasm/.mjs through `wasmPaths`; its own dynamic imports of them stay as they are.
    external: ['*.mjs'],
  }),
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
