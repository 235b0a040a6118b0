/**
 * The demo as a new user meets it (issue 10), in Debian's Chromium (playwright-core) against the BUILT server's CLI
 * (`node packages/server/dist/cli.js serve`, what `pnpm start` runs), each session on a fresh data folder and in a
 * fresh browser context (cold caches on both sides):
 * - start: from spawning the CLI to its "serving on" line, and to a usable page (the first item's image drawn in the
 *   workspace's canvas and the built-in model ready for it, i.e. the canvas no longer says "Preparing the model");
 * - next item: `]` until the next item's image is drawn and the model is ready for it, with the workspace's
 *   prefetch (default) and with `prefetch = false`; before each move the page is left quiet (no request in flight)
 *   and the user "works" DWELL ms on the item, the same in both modes;
 * - bytes: the response sizes on the wire (headers + body, playwright's `request.sizes()`) per kind: item image,
 *   embedding (`/v1/embeddings`), decoder model files (`/v1/models/`), the rest (page, scripts, WASM, API).
 *
 * The page script is bundled here from the sources (like examples/build.mjs does from dist/, minified) and served
 * in place of /demo/dist/main.js, so that the bench measures the workspace as it is in the tree, `prefetch` included.
 * Each harness run is SESSIONS sessions (half with prefetch, half without); the per-session figures are printed in
 * a second table in the harness's format (p50 over all sessions of the harness's warm-up and timed runs).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { build } from 'esbuild';
import type { Browser, Page, Request } from 'playwright-core';
import { launch } from '../../test/e2e/browser.ts';
import { type BenchResult, formatNumber, percentile, suite, table } from '../harness.ts';

const root = new URL('../../', import.meta.url).pathname;
/** Moves per session: the demo dataset has 6 items. */
const MOVES = 5;
/** Time the user spends on an item before moving on, once the page is quiet. */
const DWELL = 1000;
const TIMEOUT = 120_000;

type Kind = 'image' | 'embedding' | 'decoder' | 'runtime' | 'other';
type Mode = 'prefetch' | 'none';
type Tally = Record<Kind, { bytes: number; count: number }>;
const tally = (): Tally => ({
  image: { bytes: 0, count: 0 },
  embedding: { bytes: 0, count: 0 },
  decoder: { bytes: 0, count: 0 },
  runtime: { bytes: 0, count: 0 },
  other: { bytes: 0, count: 0 },
});

/** Everything measured over the sessions of this run. */
const samples = {
  serving: [] as number[],
  usable: [] as number[],
  next: { prefetch: [] as number[], none: [] as number[] },
  bytes: { prefetch: tally(), none: tally() } as Record<Mode, Tally>,
  sessions: { prefetch: 0, none: 0 } as Record<Mode, number>,
  serverHits: { prefetch: 0, none: 0 } as Record<Mode, number>,
};

let browser: Browser | undefined;
let script: Promise<string> | undefined;

/** The demo's page script from the sources (what `pnpm build` makes from dist/). */
function demoScript(): Promise<string> {
  script ??= build({
    entryPoints: ['examples/demo/main.ts'],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    conditions: ['labelkit-source'],
    absWorkingDir: root,
    tsconfig: 'tsconfig.tools.json',
    logLevel: 'silent',
  }).then((r) => r.outputFiles[0]?.text ?? '');
  return script;
}

interface Served {
  url: string;
  child: ChildProcess;
  data: string;
}

/** Spawns the built CLI on a fresh data folder; resolves on its "serving on" line. */
function serve(): Promise<Served> {
  const data = mkdtempSync(join(tmpdir(), 'labelkit-demo-bench-'));
  const child = spawn(
    process.execPath,
    [
      'packages/server/dist/cli.js',
      'serve',
      '--site',
      'examples',
      '--config',
      'examples/labelkit.config.json',
      '--port',
      '0',
      '--data',
      data,
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /LabelKit is serving on (http:\/\/\S+?)\/?\s/.exec(out);
      if (m?.[1]) resolve({ url: m[1], child, data });
    });
    child.on('exit', (code) => reject(new Error(`the server exited (${code}) before serving: ${err.slice(-2000)}`)));
  });
}

async function stop(s: Served): Promise<void> {
  if (s.child.exitCode === null) {
    const exited = new Promise((r) => s.child.once('exit', r));
    s.child.kill('SIGTERM');
    await exited;
  }
  rmSync(s.data, { recursive: true, force: true });
}

function kindOf(url: string): Kind {
  const path = new URL(url).pathname;
  if (path.startsWith('/v1/embeddings')) return 'embedding';
  if (path.startsWith('/v1/models/')) return 'decoder';
  // The items' signed URLs (the demo's images are on an fs storage served by the server).
  if (path.startsWith('/v1/storage/')) return 'image';
  if (path.startsWith('/demo/dist/ort/')) return 'runtime';
  return 'other';
}

/** True once the open item is `item`, its image is loaded and the model is ready for it; throws on an error. */
function readyFor(page: Page, item: string): Promise<unknown> {
  return page.waitForFunction(
    (item) => {
      const ws = document.querySelector('label-workspace') as
        | (HTMLElement & { currentItem?: string; catalog?: { items: { id: string; url: string }[] } })
        | null;
      const c = ws?.shadowRoot?.querySelector('label-canvas') as
        | (HTMLElement & { src: string; status: string; modelStatus: string })
        | null;
      if (!ws || !c || ws.currentItem !== item) return false;
      if (c.status === 'error' || c.modelStatus === 'error') throw new Error(`${item}: ${c.status}/${c.modelStatus}`);
      const url = ws.catalog?.items.find((i) => i.id === item)?.url;
      return c.src === url && c.status === 'ready' && c.modelStatus === 'ready';
    },
    item,
    { timeout: TIMEOUT },
  );
}

/** One session: start the server, open the demo, then MOVES times `]`. */
async function session(prefetch: boolean): Promise<void> {
  const mode: Mode = prefetch ? 'prefetch' : 'none';
  browser ??= await launch();
  const body = await demoScript();
  const t0 = performance.now();
  const served = await serve();
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const problems: string[] = [];
  try {
    samples.serving.push(performance.now() - t0);
    const page = await context.newPage();
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    await page.route('**/demo/dist/main.js', (r) => r.fulfill({ body, contentType: 'text/javascript' }));
    if (!prefetch)
      // Set before the element upgrades (Lit keeps a property set on the element before its definition).
      await page.addInitScript(() => {
        new MutationObserver((_, o) => {
          const ws = document.querySelector('label-workspace');
          if (ws) {
            (ws as unknown as { prefetch: boolean }).prefetch = false;
            o.disconnect();
          }
        }).observe(document, { childList: true, subtree: true });
      });
    const inflight = new Set<Request>();
    const done: Promise<void>[] = [];
    page.on('request', (r) => inflight.add(r));
    page.on('requestfailed', (r) => inflight.delete(r));
    page.on('requestfinished', (r) => {
      inflight.delete(r);
      done.push(
        Promise.all([r.sizes(), r.response()]).then(([s, res]) => {
          const kind = kindOf(r.url());
          const k = samples.bytes[mode][kind];
          k.bytes += s.responseBodySize + s.responseHeadersSize;
          k.count++;
          // The server says whether it had the embedding already (its cache) or ran the encoder.
          if (kind === 'embedding' && res?.headers()['x-labelkit-cache'] === 'hit') samples.serverHits[mode]++;
        }),
      );
    });
    await page.goto(`${served.url}/`);
    await page.waitForFunction(
      (moves) => {
        const ws = document.querySelector('label-workspace') as HTMLElement & { catalog?: { items: unknown[] } };
        return (ws?.catalog?.items.length ?? 0) > moves;
      },
      MOVES,
      { timeout: TIMEOUT },
    );
    const items = await page.evaluate(() => {
      const ws = document.querySelector('label-workspace') as unknown as {
        catalog: { items: { id: string; url: string }[] };
      };
      return ws.catalog.items.map((i) => ({ id: i.id, url: i.url }));
    });
    await readyFor(page, items[0]?.id as string);
    samples.usable.push(performance.now() - t0);
    const on = await page.evaluate(
      () => (document.querySelector('label-workspace') as unknown as { prefetch: boolean }).prefetch,
    );
    if (on !== prefetch) throw new Error(`the workspace's prefetch is ${on}, expected ${prefetch}`);
    await page.locator('label-workspace label-canvas').focus();
    for (let i = 1; i <= MOVES; i++) {
      const quiet = Date.now() + TIMEOUT;
      while (inflight.size > 0) {
        if (Date.now() > quiet) throw new Error(`requests still in flight: ${[...inflight].map((r) => r.url())}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      await new Promise((r) => setTimeout(r, DWELL));
      const t = performance.now();
      await page.keyboard.press(']');
      await readyFor(page, items[i]?.id as string);
      samples.next[mode].push(performance.now() - t);
    }
    samples.sessions[mode]++;
    await Promise.all(done);
  } catch (e) {
    throw new Error(`demo session (prefetch ${prefetch}) failed; page errors: ${problems.join('; ') || 'none'}`, {
      cause: e,
    });
  } finally {
    await context.close();
    await stop(served);
  }
}

/** A row of the harness's table from samples measured here (no heap figure: the work is in other processes). */
function row(name: string, times: number[], ratio?: string): BenchResult {
  const sorted = [...times].sort((a, b) => a - b);
  return {
    suite: 'demo (issue 10)',
    name,
    iterations: times.length,
    meanMs: times.reduce((s, t) => s + t, 0) / times.length,
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    minMs: sorted[0] as number,
    heapDeltaMB: 0,
    rssPeakMB: process.resourceUsage().maxRSS / 1024,
    ...(ratio ? { ratio } : {}),
  };
}

function report(): void {
  const p50 = (t: number[]) =>
    percentile(
      [...t].sort((a, b) => a - b),
      50,
    );
  const ratio = p50(samples.next.none) / p50(samples.next.prefetch);
  console.log('\nDemo, per session (p50 over all sessions of this run):');
  console.log(
    table([
      row('start: CLI spawn to "serving on"', samples.serving),
      row('start: CLI spawn to usable page', samples.usable),
      row('next item, no prefetch', samples.next.none),
      row('next item, prefetch', samples.next.prefetch, `${formatNumber(ratio)}x vs no prefetch`),
    ]),
  );
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  for (const mode of ['prefetch', 'none'] as const) {
    const b = samples.bytes[mode];
    const n = samples.sessions[mode];
    const items = n * (MOVES + 1);
    console.log(
      `\nBytes on the wire, ${mode === 'prefetch' ? 'prefetch (default)' : 'no prefetch'}, ${n} sessions of ${MOVES + 1} items:`,
    );
    for (const k of ['image', 'embedding'] as const)
      console.log(`  ${k}: ${formatNumber(b[k].count / items)} responses and ${kb(b[k].bytes / items)} per item`);
    console.log(`  embedding responses that were a hit in the server's cache: ${samples.serverHits[mode]}`);
    for (const k of ['decoder', 'runtime', 'other'] as const)
      console.log(`  ${k}: ${formatNumber(b[k].count / n)} responses and ${kb(b[k].bytes / n)} per session`);
  }
}

let runs = 0;
suite('demo (issue 10)', [
  {
    name: 'one session with prefetch + one without (CLI start to 5 moves)',
    iterations: 1,
    run: async () => {
      await session(true);
      await session(false);
      // The harness runs a case once to warm up, then `iterations` times: report after the last.
      if (++runs === 2) {
        await browser?.close();
        browser = undefined;
        report();
      }
    },
  },
]);
