import { type ServerType, serve } from '@hono/node-server';
import { type AppConfig, createApp } from './app.ts';

export interface ServeOptions extends AppConfig {
  port?: number;
  hostname?: string;
}

export interface RunningServer {
  url: string;
  server: ServerType;
  close(): Promise<void>;
}

/** Starts the app on Node's HTTP server; resolves once it listens. Port 0 picks a free port. */
export function startServer(options: ServeOptions = {}): Promise<RunningServer> {
  const app = createApp(options);
  const hostname = options.hostname ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: options.port ?? 8787, hostname }, (info) => {
      const url = `http://${hostname.includes(':') ? `[${hostname}]` : hostname}:${info.port}`;
      resolve({
        url,
        server,
        close: () => new Promise<void>((r, j) => server.close((e) => (e ? j(e) : r()))),
      });
    });
    server.once('error', reject);
  });
}
