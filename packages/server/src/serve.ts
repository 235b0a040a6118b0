import { type ServerType, serve } from '@hono/node-server';
import { type AppConfig, createApp, type LabelKitApp } from './app.ts';

export interface ServeOptions extends AppConfig {
  /** Load the default model before resolving (default true), so the server is ready when it says so. */
  warm?: boolean;
}

export interface RunningServer {
  url: string;
  server: ServerType;
  labelkit: LabelKitApp;
  /** Lets the process exit while the server runs (benchmarks, tools). */
  unref(): void;
  /** Stops accepting connections, lets running encoder jobs finish within `deadlineMs`, then closes. */
  close(deadlineMs?: number): Promise<void>;
}

/** Starts the app on Node's HTTP server; resolves once it listens. Port 0 picks a free port. */
export async function startServer(options: ServeOptions = {}): Promise<RunningServer> {
  const labelkit = createApp(options);
  // A model that cannot load must not keep the site and health checks down: /readyz reports it instead.
  if (options.warm !== false)
    await labelkit.warm().catch((e: unknown) =>
      labelkit.logger.error('default model failed to load', {
        model: labelkit.config.defaultModel,
        message: (e as Error).message,
      }),
    );
  const { host, port } = labelkit.config;
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: labelkit.app.fetch, port, hostname: host }, (info) => {
      const url = `http://${host.includes(':') ? `[${host}]` : host}:${info.port}`;
      resolve({
        url,
        server,
        labelkit,
        unref: () => {
          server.unref();
          labelkit.registry.unref();
        },
        close: async (deadlineMs = 0) => {
          const end = Date.now() + deadlineMs;
          const http = server as unknown as { closeIdleConnections?: () => void; closeAllConnections?: () => void };
          const closed = new Promise<void>((r) => server.close(() => r()));
          http.closeIdleConnections?.();
          await labelkit.close(deadlineMs);
          // Requests whose encoder job just finished still write their responses, within the same deadline.
          const left = end - Date.now();
          if (left > 0) await Promise.race([closed, new Promise((r) => setTimeout(r, left).unref())]);
          http.closeAllConnections?.();
          await closed;
        },
      });
    });
    server.once('error', reject);
  });
}
