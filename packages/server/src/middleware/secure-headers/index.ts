import type { MiddlewareHandler } from 'hono';

export interface SecureHeadersOptions {
  /** Send COOP/COEP so pages are cross-origin isolated (WASM threads in onnxruntime-web). Default true. */
  crossOriginIsolation?: boolean;
}

const defaults: Required<SecureHeadersOptions> = { crossOriginIsolation: true };

/** Security headers on every response, and cross-origin isolation for the site. */
export const secureHeaders = (options?: SecureHeadersOptions): MiddlewareHandler => {
  const opts = { ...defaults, ...options };
  return async (c, next) => {
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('X-Frame-Options', 'SAMEORIGIN');
    if (opts.crossOriginIsolation) {
      c.header('Cross-Origin-Opener-Policy', 'same-origin');
      c.header('Cross-Origin-Embedder-Policy', 'require-corp');
      c.header('Cross-Origin-Resource-Policy', 'same-origin');
    }
  };
};
