/**
 * Serves the benchmark page (esbuild bundles of page.ts and the decoder worker, onnxruntime-web's files, the
 * models) with cross-origin isolation, and drives it in Debian's headless Chromium through playwright-core.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { type Browser, chromium, type Page } from 'playwright-core';

const root = fileURLToPath(new URL('../../', import.meta.url));
const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.onnx': 'application/octet-stream',
  '.html': 'text/html',
};

export interface BenchPage {
  page: Page;
  close(): Promise<void>;
}

let bundles: Promise<Record<string, Uint8Array>> | undefined;

function bundle(): Promise<Record<string, Uint8Array>> {
  bundles ??= (async () => {
    const out = await build({
      entryPoints: {
        page: join(root, 'bench/models/page.ts'),
        worker: join(root, 'packages/models/src/worker/decoder-worker.ts'),
      },
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      conditions: ['labelkit-source'],
      outdir: '/bench',
      write: false,
      logLevel: 'error',
    });
    return Object.fromEntries(out.outputFiles.map((f) => [f.path.replace('/bench', ''), f.contents]));
  })();
  return bundles;
}

/** Starts the server and a page; `extra` maps URL paths to bytes (generated models). */
export async function openBenchPage(extra: Record<string, Uint8Array> = {}): Promise<BenchPage> {
  const files = { ...(await bundle()), ...extra };
  const ortDir = join(root, 'packages/models/node_modules/onnxruntime-web/dist/');
  const server: Server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    let body: Uint8Array | string | undefined = files[path];
    try {
      if (path === '/') body = '<!doctype html><script type="module" src="/page.js"></script>';
      else if (!body && path.startsWith('/ort/'))
        body = await readFile(join(ortDir, path.slice(5).replace(/\.\./g, '')));
      else if (!body && path.startsWith('/models/'))
        body = await readFile(join(root, 'packages/models', path.replace(/\.\./g, '')));
    } catch {
      body = undefined;
    }
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.setHeader('Content-Type', TYPES[extname(path)] ?? 'text/html');
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const browser: Browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForFunction(() => 'bench' in globalThis);
  return {
    page,
    async close() {
      await browser.close();
      server.close();
    },
  };
}
