import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { FsDriver, type FsDriverOptions, fsSignedRoutes } from '../drivers/index.ts';

export const TEST_SECRET = 'test-secret-0123456789abcdef0123456789abcdef';

export interface ServedFs {
  root: string;
  driver: FsDriver;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  close(): Promise<void>;
}

/** An fs driver in a fresh temp folder with `fsSignedRoutes` mounted at `/v1/storage/fs` on 127.0.0.1. */
export async function serveFs(options: FsDriverOptions = {}): Promise<ServedFs> {
  const root = mkdtempSync(join(tmpdir(), 'labelkit-fs-'));
  const app = new Hono();
  const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => server.once('listening', () => r()));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const driver = new FsDriver({ root, secret: TEST_SECRET, signBaseUrl: `${origin}/v1/storage/fs`, ...options });
  // Routes are added before the first request, while Hono's router is still open to additions.
  app.route('/v1/storage/fs', fsSignedRoutes(driver, TEST_SECRET));
  return {
    root,
    driver,
    origin,
    close: async () => {
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(root, { recursive: true, force: true });
    },
  };
}
