import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { secureHeaders } from './middleware/secure-headers/index.ts';

export interface AppConfig {
  /** Folder with the examples site served at `/`; none when undefined. */
  siteDir?: string;
}

/** Builds the LabelKit Hono app from its configuration. */
export function createApp(config: AppConfig = {}): Hono {
  const app = new Hono();
  app.use('*', secureHeaders());
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  if (config.siteDir) {
    app.use('/*', serveStatic({ root: config.siteDir }));
  }
  app.notFound((c) =>
    c.json({ error: { code: 'http/not-found', message: `No route for ${c.req.method} ${c.req.path}` } }, 404),
  );
  return app;
}
