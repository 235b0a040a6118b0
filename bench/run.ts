/**
 * `pnpm bench [filter]`: loads every `bench/**\/*.bench.ts`, runs the suites and prints one table
 * (also written to bench/results/<date>.json). Record figures worth keeping in BENCHMARKS.md.
 */
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runSuites, table } from './harness.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const filter = process.argv[2];

function find(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'results' || name === 'node_modules' ? [] : find(p);
    return name.endsWith('.bench.ts') ? [p] : [];
  });
}

const files = find(here).sort();
for (const f of files) await import(pathToFileURL(f).href);
console.log(
  `Running ${files.length} benchmark files${filter ? ` (filter "${filter}")` : ''} on ${os.cpus()[0]?.model} x${os.cpus().length}, Node ${process.version}`,
);
const results = await runSuites(filter);
console.log('');
console.log(table(results));
mkdirSync(join(here, 'results'), { recursive: true });
const out = join(here, 'results', `${new Date().toISOString().slice(0, 10)}.json`);
writeFileSync(
  out,
  JSON.stringify(
    {
      machine: {
        cpu: os.cpus()[0]?.model,
        cores: os.cpus().length,
        memGB: Math.round(os.totalmem() / 2 ** 30),
        node: process.version,
      },
      date: new Date().toISOString(),
      results,
    },
    null,
    2,
  ),
);
console.log(`\nwritten ${relative(process.cwd(), out)}`);
