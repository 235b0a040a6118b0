/**
 * `GET /v1/models`, `GET /v1/models/:id/manifest.json` and `GET /v1/models/:id/{encoder,decoder}.onnx` (immutable: the
 * URL names a model whose files are pinned by sha256).
 */
import { readFile } from 'node:fs/promises';
import { Hono } from 'hono';
import type { ModelRegistry } from '../models/registry.ts';

export function modelRoutes(registry: ModelRegistry): Hono {
  const app = new Hono();

  // Local paths and upstream URLs stay on the server: clients fetch the decoder from us.
  app.get('/v1/models', (c) =>
    c.json({
      models: registry.list().map((m) => ({
        id: m.id,
        contract: m.contract,
        license: m.license,
        encoder: { sha256: m.encoder.sha256 },
        decoder: { url: `/v1/models/${m.id}/decoder.onnx`, sha256: m.decoder.sha256 },
      })),
    }),
  );

  // The manifest a browser Segmenter loads (`createSegmenter({ model: '/v1/models/builtin/manifest.json' })`):
  // file URLs are relative, so they resolve against this URL and the browser fetches the files from us.
  app.get('/v1/models/:id/manifest.json', (c) => {
    const m = registry.get(c.req.param('id'));
    return c.json({
      id: m.id,
      contract: m.contract,
      license: m.license,
      encoder: { url: 'encoder.onnx', sha256: m.encoder.sha256 },
      decoder: { url: 'decoder.onnx', sha256: m.decoder.sha256 },
    });
  });

  for (const part of ['encoder', 'decoder'] as const) {
    app.get(`/v1/models/:id/${part}.onnx`, async (c) => {
      const manifest = registry.get(c.req.param('id'));
      const etag = `"${manifest[part].sha256}"`;
      const headers = { ETag: etag, 'Cache-Control': 'public, max-age=31536000, immutable' };
      if (
        c.req
          .header('if-none-match')
          ?.split(',')
          .some((t) => t.trim() === etag)
      )
        return c.body(null, 304, headers);
      const files = await registry.files(manifest.id);
      const bytes = await readFile(part === 'encoder' ? files.encoderPath : files.decoderPath);
      return c.body(bytes as Uint8Array<ArrayBuffer>, 200, { ...headers, 'Content-Type': 'application/octet-stream' });
    });
  }

  return app;
}
