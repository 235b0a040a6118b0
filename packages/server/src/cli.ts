#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startServer } from './serve.ts';

const HELP = `labelkit - the LabelKit server and tools

Usage:
  labelkit serve [options]     start the server (examples site, API)

Options for serve:
  --port N        port to listen on (env LABELKIT_PORT, default 8787; 0 picks a free one)
  --host H        address to listen on (env LABELKIT_HOST, default 127.0.0.1)
  --site DIR      folder of the site served at / (env LABELKIT_SITE, default ./examples when it exists)
  -h, --help      this help
`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      site: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0];
  if (values.help || !command) {
    process.stdout.write(HELP);
    return command || values.help ? 0 : 1;
  }
  if (command !== 'serve') {
    process.stderr.write(`labelkit: unknown command "${command}"\n\n${HELP}`);
    return 1;
  }
  const port = Number(values.port ?? process.env.LABELKIT_PORT ?? 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`labelkit: --port must be an integer 0-65535, got "${values.port}"\n`);
    return 1;
  }
  const siteArg = values.site ?? process.env.LABELKIT_SITE ?? (existsSync('examples') ? 'examples' : undefined);
  const running = await startServer({
    port,
    hostname: values.host ?? process.env.LABELKIT_HOST ?? '127.0.0.1',
    ...(siteArg ? { siteDir: resolve(siteArg) } : {}),
  });
  process.stdout.write(`LabelKit is serving on ${running.url}/\n`);
  const stop = () => {
    void running.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  return -1;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`labelkit: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
