import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { decodeEmbedding } from '@labelkit/core';
import {
  ModelError,
  type PullProgress,
  pullModel,
  type RunningServer,
  type SamManifest,
  silentLogger,
  startServer,
  validateManifest,
} from '@labelkit/server';
import { image, sha256, tempDir, writeTestModels } from '../fixtures/setup.ts';

describe('model manifests and pulls', () => {
  let http: Server;
  let base: string;
  let manifests: { sam1: SamManifest; sam2: SamManifest };

  before(async () => {
    manifests = writeTestModels(join(tempDir(), 'models'));
    // A local file server, as a model host would be.
    http = createServer((req, res) => {
      const name = req.url?.slice(1) ?? '';
      if (name === 'sam1.onnx' || name === 'decoder.onnx') {
        const bytes = readFileSync(name === 'sam1.onnx' ? manifests.sam1.encoder.url : manifests.sam1.decoder.url);
        res.writeHead(200, { 'content-length': bytes.length }).end(bytes);
      } else res.writeHead(404).end();
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const address = http.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  after(() => http.close());

  it('downloads over HTTP with progress and a sha256 check into the cache folder, once', async () => {
    const cacheDir = tempDir('lk-cache-');
    const manifest = {
      ...manifests.sam1,
      encoder: { ...manifests.sam1.encoder, url: `${base}/sam1.onnx` },
      decoder: { ...manifests.sam1.decoder, url: `${base}/decoder.onnx` },
    };
    const progress: PullProgress[] = [];
    const pulled = await pullModel(manifest, { cacheDir, onProgress: (p) => progress.push(p) });
    assert.equal(pulled.encoderPath, join(cacheDir, 'sam1-test', `${manifest.encoder.sha256}.onnx`));
    assert.equal(sha256(readFileSync(pulled.encoderPath)), manifest.encoder.sha256);
    const last = progress.filter((p) => p.part === 'encoder').at(-1);
    assert.ok(last?.totalBytes);
    assert.equal(last.receivedBytes, last.totalBytes);
    http.closeAllConnections();
    const again = await pullModel(
      {
        ...manifest,
        encoder: { ...manifest.encoder, url: `${base}/gone.onnx` },
        decoder: { ...manifest.decoder, url: `${base}/gone.onnx` },
      },
      { cacheDir },
    );
    assert.equal(again.encoderPath, pulled.encoderPath, 'a cached file is not downloaded again');
  });

  it('refuses a download whose sha256 does not match, leaving nothing in the cache', async () => {
    const cacheDir = tempDir('lk-cache-');
    const manifest = { ...manifests.sam1, encoder: { url: `${base}/sam1.onnx`, sha256: 'a'.repeat(64) } };
    await assert.rejects(
      pullModel(manifest, { cacheDir }),
      (e: unknown) => e instanceof ModelError && e.code === 'model/checksum-mismatch',
    );
    assert.deepEqual(readdirSync(join(cacheDir, 'sam1-test')), [], 'no partial file is left');
    await assert.rejects(
      pullModel({ ...manifest, encoder: { url: `${base}/missing.onnx`, sha256: 'a'.repeat(64) } }, { cacheDir }),
      { code: 'model/download-failed' },
    );
  });

  it('reads local paths and file: URLs in place, checking them too', async () => {
    const cacheDir = tempDir('lk-cache-');
    const local = await pullModel(manifests.sam1, { cacheDir });
    assert.equal(local.encoderPath, manifests.sam1.encoder.url);
    const fileUrl = await pullModel(
      {
        ...manifests.sam1,
        encoder: { ...manifests.sam1.encoder, url: pathToFileURL(manifests.sam1.encoder.url).href },
      },
      { cacheDir },
    );
    assert.equal(fileUrl.encoderPath, manifests.sam1.encoder.url);
    await assert.rejects(
      pullModel(
        { ...manifests.sam1, encoder: { url: manifests.sam2.encoder.url, sha256: manifests.sam1.encoder.sha256 } },
        { cacheDir },
      ),
      {
        code: 'model/checksum-mismatch',
      },
    );
    await assert.rejects(
      pullModel({ ...manifests.sam1, encoder: { url: '/no/such/file.onnx', sha256: 'b'.repeat(64) } }, { cacheDir }),
      { code: 'model/file-not-found' },
    );
  });

  it('validates manifests with the path of the bad field', () => {
    const good = {
      id: 'sam-vit-b',
      contract: 'sam1',
      encoder: { url: 'enc.onnx', sha256: 'A'.repeat(64) },
      decoder: { url: 'https://x.test/d.onnx', sha256: 'b'.repeat(64) },
      license: 'Apache-2.0',
    };
    const ok = validateManifest(good, '$', '/models/labelkit.config.json');
    assert.ok(ok.ok && ok.value.contract !== 'detector');
    assert.equal(ok.value.encoder.url, '/models/enc.onnx', 'relative paths resolve against the config file');
    assert.equal(ok.value.encoder.sha256, 'a'.repeat(64));
    const bad = (patch: Record<string, unknown>, path: string) => {
      const r = validateManifest({ ...good, ...patch }, '$.models[0]');
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.equal(r.error.code, 'model/invalid-manifest');
        assert.equal(r.error.path, path);
      }
    };
    bad({ id: 'Bad Id' }, '$.models[0].id');
    bad({ contract: 'sam3' }, '$.models[0].contract');
    bad({ license: '' }, '$.models[0].license');
    bad({ encoder: { url: 'x', sha256: 'nothex' } }, '$.models[0].encoder.sha256');
    bad({ decoder: { url: 'ftp://x/y', sha256: 'b'.repeat(64) } }, '$.models[0].decoder.url');
    bad({ decoder: undefined }, '$.models[0].decoder');
  });
});

describe('model routes over real HTTP', () => {
  let server: RunningServer;
  before(async () => {
    const dir = tempDir();
    const models = writeTestModels(join(dir, 'models'));
    // `wrong` claims the sam2 contract for a sam1 encoder.
    const wrong = { ...models.sam1, id: 'wrong-contract', contract: 'sam2' as const };
    server = await startServer({
      port: 0,
      logger: silentLogger,
      dataDir: join(dir, 'data'),
      modelCacheDir: join(dir, 'cache'),
      models: [models.sam1, wrong],
    });
  });
  after(() => server.close());

  it('lists the built-in model and the configured ones without local paths', async () => {
    const res = await fetch(`${server.url}/v1/models`);
    const body = (await res.json()) as {
      models: { id: string; contract: string; decoder: { url: string; sha256: string } }[];
    };
    assert.deepEqual(
      body.models.map((m) => m.id),
      ['builtin', 'sam1-test', 'wrong-contract'],
    );
    assert.equal(body.models[1]?.decoder.url, '/v1/models/sam1-test/decoder.onnx');
    assert.doesNotMatch(JSON.stringify(body), /\/tmp\//);
  });

  it('refuses an encoder whose outputs do not follow its contract', async () => {
    const res = await fetch(`${server.url}/v1/embeddings?model=wrong-contract`, {
      method: 'POST',
      body: (await image('png', 20, 20, 3)) as BodyInit,
      headers: { 'content-type': 'image/png' },
    });
    assert.equal(res.status, 500);
    const e = ((await res.json()) as { error: { code: string; message: string } }).error;
    assert.equal(e.code, 'model/contract-mismatch');
    assert.match(e.message, /lacks the sam2 outputs image_embed, high_res_feats_0, high_res_feats_1/);
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
  });

  it('serves the decoder with immutable caching and 304', async () => {
    const res = await fetch(`${server.url}/v1/models/sam1-test/decoder.onnx`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    const bytes = new Uint8Array(await res.arrayBuffer());
    assert.equal(`"${sha256(bytes)}"`, res.headers.get('etag'));
    const again = await fetch(`${server.url}/v1/models/sam1-test/decoder.onnx`, {
      headers: { 'if-none-match': res.headers.get('etag') as string },
    });
    assert.equal(again.status, 304);
    const unknown = await fetch(`${server.url}/v1/models/nope/decoder.onnx`);
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as { error: { code: string } }).error.code, 'model/unknown');
  });

  it('serves a manifest a browser Segmenter can load, whose relative URLs reach both files with their checksums', async () => {
    const manifestUrl = `${server.url}/v1/models/builtin/manifest.json`;
    const res = await fetch(manifestUrl);
    assert.equal(res.status, 200);
    const m = (await res.json()) as {
      id: string;
      contract: string;
      encoder: { url: string; sha256: string };
      decoder: { url: string; sha256: string };
    };
    assert.equal(m.id, 'builtin');
    assert.equal(m.contract, 'sam1');
    for (const part of [m.encoder, m.decoder]) {
      const file = await fetch(new URL(part.url, manifestUrl));
      assert.equal(file.status, 200);
      assert.equal(file.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      assert.equal(sha256(new Uint8Array(await file.arrayBuffer())), part.sha256);
    }
    const unknown = await fetch(`${server.url}/v1/models/nope/manifest.json`);
    assert.equal(unknown.status, 404);
  });

  it('generates and serves the built-in model by default, and embeds with it', async () => {
    const res = await fetch(`${server.url}/v1/models/builtin/decoder.onnx`);
    assert.equal(res.status, 200);
    const listed = (await (await fetch(`${server.url}/v1/models`)).json()) as {
      models: { id: string; decoder: { sha256: string } }[];
    };
    assert.equal(sha256(new Uint8Array(await res.arrayBuffer())), listed.models[0]?.decoder.sha256);
    const embedded = await fetch(`${server.url}/v1/embeddings?model=builtin`, {
      method: 'POST',
      body: (await image('png', 40, 30, 1)) as BodyInit,
      headers: { 'content-type': 'image/png' },
    });
    assert.equal(embedded.status, 200);
    const decoded = decodeEmbedding(new Uint8Array(await embedded.arrayBuffer()));
    assert.ok(decoded.ok);
    assert.deepEqual(decoded.value.tensors.image_embeddings?.shape, [1, 256, 64, 64]);
    assert.equal(decoded.value.header.model, 'builtin');
  });
});
