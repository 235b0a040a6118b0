/**
 * The demo's script: `<label-workspace>` on the server's `demo` dataset, with the built-in segmenter for the SAM
 * tool. Bundled by examples/build.mjs (esbuild) into demo/dist/main.js; the decoder worker and onnxruntime-web's
 * WASM files are laid beside it, so the page needs no build tool of its own.
 */
import '@labelkit/elements';
import type { LabelWorkspace } from '@labelkit/elements';
import { createSegmenter } from '@labelkit/models';

const workspace = document.querySelector('label-workspace') as LabelWorkspace;
const status = document.getElementById('status') as HTMLElement;
const dist = new URL('./', import.meta.url); // this script's folder: demo/dist/

// The built-in model: its decoder comes from this server (/v1/models/builtin/...) and each image's embedding is
// computed once by the server's encoder, then decoded in a worker here at every click.
workspace.segmenter = createSegmenter({
  model: new URL('/v1/models/builtin/manifest.json', location.origin),
  server: location.origin,
  worker: () => new Worker(new URL('worker.js', dist), { type: 'module', name: 'labelkit-decoder' }),
  wasmPaths: new URL('ort/', dist).href,
});
workspace.addEventListener('label-save', (e) => {
  const { commit, items } = (e as CustomEvent<{ commit: string; items: string[] }>).detail;
  status.textContent = `Saved ${items.length} item(s) as commit ${commit.slice(0, 12)}`;
});
workspace.addEventListener('label-error', (e) => {
  status.textContent = `Error: ${(e as CustomEvent<{ error: Error }>).detail.error.message}`;
});
