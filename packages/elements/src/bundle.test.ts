import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

// The base element must never pull in the model runtime: a page that only annotates would otherwise download
// onnxruntime-web (megabytes of JS and WASM). Segmenters come from @labelkit/models, given by the host page.
const dist = resolve(dirname(fileURLToPath(import.meta.url)), '../dist');
const FORBIDDEN = ['onnxruntime', 'ort-wasm', 'InferenceSession', '@labelkit/models'];
const built = existsSync(join(dist, 'index.js'));

/** The file and every file it imports relatively (static or dynamic), i.e. what a page loading it can fetch. */
function closure(entry: string): Map<string, string> {
  const seen = new Map<string, string>();
  const queue = [entry];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (seen.has(file)) continue;
    const text = readFileSync(file, 'utf8');
    seen.set(file, text);
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g))
      queue.push(resolve(dirname(file), m[1] as string));
  }
  return seen;
}

for (const entry of ['index.js', 'cdn/labelkit-elements.js']) {
  test(`dist/${entry} and its chunks do not contain the model runtime`, {
    skip: !built && 'run the build first',
  }, () => {
    const files = closure(join(dist, entry));
    assert.ok(files.size >= 1);
    for (const [file, text] of files)
      for (const word of FORBIDDEN) assert.ok(!text.includes(word), `${file} contains "${word}"`);
    // The scan is not vacuous: the bundle does hold the element.
    assert.ok([...files.values()].some((t) => t.includes('label-canvas')));
  });
}
