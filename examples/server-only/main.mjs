#!/usr/bin/env node
// LabelKit's server as an SDK from Node, no browser: start it in-process on a folder of images, sign a URL, commit
// annotations, read the history and export the dataset as COCO. Run after `pnpm build`:
//   node examples/server-only/main.mjs [out-dir]
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, silentLogger, startServer } from '@labelkit/server';
import { unzipSync } from 'fflate';

const out = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'labelkit-sdk-'));
const images = join(out, 'images');
mkdirSync(images, { recursive: true });
for (const name of ['scene-01.jpg', 'scene-02.jpg'])
  copyFileSync(fileURLToPath(new URL(`../datasets/demo/${name}`, import.meta.url)), join(images, name));

// 1. Configuration as an object: the images are a read-only source, history goes to `data` (out/data).
const TOKEN = 'sdk-example-token-0123456789';
const config = loadConfig({
  cwd: out,
  env: { LABELKIT_SIGNING_SECRET: 'an example secret, use 32+ random bytes in production' },
  config: {
    storages: { photos: { driver: 'fs', root: images, readOnly: true } },
    datasets: [
      {
        id: 'street',
        title: 'Street scenes',
        source: { storage: 'photos', prefix: '' },
        labels: [
          { id: 'car', name: 'Car', color: '#d62828' },
          { id: 'house', name: 'House', color: '#457b9d' },
        ],
      },
    ],
    auth: { tokens: [{ name: 'sdk-example', token: TOKEN, scopes: { street: 'admin' } }] },
  },
});
if (!config.ok) throw config.error;
const server = await startServer({ ...config.value, port: 0, warm: false, logger: silentLogger });
const api = async (path, init = {}) => {
  const res = await fetch(`${server.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${TOKEN}`, ...(init.body ? { 'content-type': 'application/json' } : {}) },
  });
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`);
  return res;
};

try {
  // 2. Items come with signed URLs (minutes long); the URL alone fetches the image, no token needed.
  const { items } = await (await api('/v1/datasets/street/items?limit=10')).json();
  console.log(`items: ${items.map((i) => i.id).join(', ')}`);
  const image = await fetch(new URL(items[0].url, server.url));
  console.log(`signed GET of ${items[0].id}: ${image.status}, ${(await image.arrayBuffer()).byteLength} bytes`);

  // 3. One commit for both items (the first commit: no parent).
  const doc = (id, shapes) => ({ version: 1, item: { id, width: 800, height: 533 }, shapes });
  const commit = await (
    await api('/v1/datasets/street/commits', {
      method: 'POST',
      body: JSON.stringify({
        parent: null,
        message: 'first labels from a script',
        items: {
          'scene-01.jpg': doc('scene-01.jpg', [
            { id: 'c1', type: 'box', label: 'car', x: 190, y: 380, width: 162, height: 88 },
            { id: 'h1', type: 'box', label: 'house', x: 10, y: 72, width: 170, height: 235 },
          ]),
          'scene-02.jpg': doc('scene-02.jpg', [
            { id: 'c1', type: 'box', label: 'car', x: 300, y: 400, width: 150, height: 80 },
          ]),
        },
      }),
    })
  ).json();
  console.log(`commit ${commit.commit.slice(0, 12)} (merged: ${commit.merged})`);

  // 4. History and one item at that commit.
  const { commits } = await (await api('/v1/datasets/street/commits')).json();
  console.log(`log: ${commits.map((c) => `${c.hash.slice(0, 12)} ${c.author} "${c.message}"`).join('; ')}`);
  const { document } = await (await api(`/v1/datasets/street/items/scene-01.jpg?at=${commit.commit}`)).json();
  console.log(`scene-01.jpg at ${commit.commit.slice(0, 12)}: ${document.shapes.length} shapes`);

  // 5. Export as COCO: a zip with the annotations and the fidelity report.
  const zip = new Uint8Array(await (await api('/v1/datasets/street/export?format=coco')).arrayBuffer());
  writeFileSync(join(out, 'street-coco.zip'), zip);
  const files = unzipSync(zip);
  console.log(`export: ${join(out, 'street-coco.zip')} (${zip.byteLength} bytes): ${Object.keys(files).join(', ')}`);
} finally {
  await server.close();
}
