#!/usr/bin/env node
import { main } from './main.ts';

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`labelkit: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
