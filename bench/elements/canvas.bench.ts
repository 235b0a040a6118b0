/**
 * <label-canvas> in headless Chromium (playwright-core, the distribution's /usr/bin/chromium) against plain Konva
 * with one node per shape, measured in the same run: time to first render, and the work of one frame while
 * panning and while dragging one shape, with 1,000 / 10,000 / 50,000 shapes on a 4096x4096 image in a
 * 1280x800 view. A pan or drag run is several steps (STEPS: 20, 10 and 4 for 1k, 10k and 50k shapes; each step is
 * the input handler, the Konva draw and the raster it causes, see page.ts): read the frames/s column, or p50 / steps.
 * Also prints the gzipped size of the element's own code.
 */
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { type Browser, chromium, type Page } from 'playwright-core';
import { type BenchCase, suite } from '../harness.ts';

/** Steps (frames) per timed run: plain Konva takes seconds per frame at 50,000 shapes. */
const STEPS: Record<number, number> = { 1000: 20, 10000: 10, 50000: 4 };
const COUNTS = [1_000, 10_000, 50_000];
const root = new URL('../../', import.meta.url).pathname;

let browser: Browser | undefined;
let page: Page | undefined;

async function bundle(entry: string, external: string[], conditions = ['labelkit-source']): Promise<string> {
  const r = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    conditions,
    external,
    absWorkingDir: root,
    tsconfig: 'tsconfig.tools.json',
    logLevel: 'silent',
  });
  return r.outputFiles[0]?.text ?? '';
}

async function getPage(): Promise<Page> {
  if (page) return page;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.setContent('<!doctype html><html><body></body></html>');
  await page.addScriptTag({ content: await bundle('bench/elements/page.ts', []), type: 'module' });
  await page.waitForFunction(() => 'lk' in window);
  await page.evaluate(() => (window as unknown as { lk: { init(): Promise<void> } }).lk.init());
  return page;
}

type Lk = {
  mountElement(n: number, view: string): Promise<void>;
  mountKonva(n: number, view: string): Promise<void>;
  panSteps(k: number): void;
  dragSteps(k: number): void;
  firstRender(kind: string, n: number): Promise<void>;
};
const call = <A extends unknown[]>(fn: (lk: Lk, ...a: A) => unknown, ...args: A) =>
  getPage().then((p) =>
    p.evaluate(
      ([src, a]) => new Function('lk', 'a', `return (${src})(lk, ...a)`)((window as unknown as { lk: Lk }).lk, a),
      [fn.toString(), args] as const,
    ),
  );

const cases: BenchCase[] = [];
for (const n of COUNTS) {
  const k = `${n / 1000}k`;
  const steps = STEPS[n] as number;
  const frames = { count: steps, name: 'frames' };
  // Plain Konva at 10,000+ shapes takes seconds per run: a few runs are enough to show the gap.
  const few = n >= 10_000 ? 3 : undefined;
  const time = 1500;
  cases.push(
    {
      name: `first render ${k}: konva`,
      run: () => call((lk, m) => lk.firstRender('konva', m), n),
      time,
      iterations: n >= 50_000 ? 3 : undefined,
    },
    {
      name: `first render ${k}: label-canvas`,
      run: () => call((lk, m) => lk.firstRender('element', m), n),
      time,
      baseline: `first render ${k}: konva`,
    },
  );
  for (const view of ['fit', '1:1'] as const) {
    cases.push(
      {
        name: `pan ${view} ${k}: konva`,
        setup: () => call((lk, m, v) => lk.mountKonva(m, v), n, view),
        run: () => call((lk, s) => lk.panSteps(s), steps),
        units: frames,
        time,
        iterations: few,
      },
      {
        name: `pan ${view} ${k}: label-canvas`,
        setup: () => call((lk, m, v) => lk.mountElement(m, v), n, view),
        run: () => call((lk, s) => lk.panSteps(s), steps),
        units: frames,
        time,
        baseline: `pan ${view} ${k}: konva`,
      },
    );
  }
  cases.push(
    {
      name: `drag one ${k}: konva`,
      setup: () => call((lk, m) => lk.mountKonva(m, 'fit'), n),
      run: () => call((lk, s) => lk.dragSteps(s), steps),
      units: frames,
      time,
      iterations: few,
    },
    {
      name: `drag one ${k}: label-canvas`,
      setup: () => call((lk, m) => lk.mountElement(m, 'fit'), n),
      run: () => call((lk, s) => lk.dragSteps(s), steps),
      units: frames,
      time,
      baseline: `drag one ${k}: konva`,
    },
  );
}
cases.push({
  name: 'close browser',
  iterations: 1,
  run: async () => {
    await browser?.close();
    browser = undefined;
    page = undefined;
  },
});
// The element's own code, minified and gzipped: without Lit, Konva, rbush and core; and with core (DESIGN.md 10).
const own = await bundle('packages/elements/src/index.ts', [
  'lit',
  'lit/*',
  'konva',
  'konva/*',
  'rbush',
  '@labelkit/core',
]);
const withCore = await bundle('packages/elements/src/index.ts', ['lit', 'lit/*', 'konva', 'konva/*', 'rbush']);
console.log(
  `@labelkit/elements size (minified + gzip): own code ${(gzipSync(own).length / 1024).toFixed(1)} KiB` +
    ` (${(own.length / 1024).toFixed(1)} KiB min); with @labelkit/core ${(gzipSync(withCore).length / 1024).toFixed(1)} KiB` +
    ` (without lit, konva, rbush)`,
);

suite('elements/canvas (Chromium)', cases);
