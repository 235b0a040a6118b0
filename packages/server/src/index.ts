export type { AppConfig } from './app.ts';
export { createApp } from './app.ts';
export type { SecureHeadersOptions } from './middleware/secure-headers/index.ts';
export { secureHeaders } from './middleware/secure-headers/index.ts';
export type { RunningServer, ServeOptions } from './serve.ts';
export { startServer } from './serve.ts';
