// Browser tests: real headless Chromium from the distribution (never a downloaded browser).
// Groups:
//   default  - *.browser.test.ts, pages cross-origin isolated (COOP/COEP), so WASM threads work
//   webgpu   - *.webgpu.test.ts, Chromium with a SwiftShader WebGPU adapter, cross-origin isolated
//   no-coi   - *.nocoi.test.ts, pages served WITHOUT COOP/COEP, as many host pages are
import { writeFileSync } from 'node:fs';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { defaultReporter, summaryReporter } from '@web/test-runner';
import { chromeLauncher } from '@web/test-runner-chrome';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './scripts/chromium.mjs';

const executablePath = CHROMIUM_PATH;
const baseArgs = CHROMIUM_ARGS;
const webgpuArgs = [
  ...baseArgs.filter((a) => a !== '--disable-gpu'),
  '--enable-unsafe-webgpu',
  '--use-webgpu-adapter=swiftshader',
  '--enable-unsafe-swiftshader',
];

/**
 * The real LabelKit server app (built `@labelkit/server`), mounted in-process under /v1/ so browser tests reach its
 * API (and /metrics) same-origin (embeddings, models), as the demo site does. Created on the first /v1/ request; a temporary data
 * folder; the built-in model is generated into the usual model cache.
 */
let labelkit;
async function labelkitApi(ctx, next) {
  if (!ctx.path.startsWith('/v1/') && ctx.path !== '/metrics') return next();
  labelkit ??= (async () => {
    const { createApp, silentLogger } = await import('@labelkit/server');
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dataDir = mkdtempSync(join(tmpdir(), 'labelkit-wtr-'));
    // Datasets for the <label-workspace> tests, one per test that commits (their histories stay apart), each with
    // three generated 320x240 PNGs under the default source prefix; bearer token `labelkit-wtr-token` (admin).
    const { mkdirSync } = await import('node:fs');
    const { createHash } = await import('node:crypto');
    const { createRequire } = await import('node:module');
    // sharp is the server package's dependency, not the root's.
    const sharp = createRequire(new URL('./packages/server/package.json', import.meta.url))('sharp');
    const ids = ['ws-save', 'ws-offline', 'ws-nav', 'ws-history', 'ws-conflict', 'ws-a11y'];
    for (const id of ids) {
      const dir = join(dataDir, 'datasets', id, 'images');
      mkdirSync(dir, { recursive: true });
      for (const [i, background] of ['#c83c3c', '#3ca03c', '#3c3cc8'].entries())
        await sharp({ create: { width: 320, height: 240, channels: 3, background } })
          .png()
          .toFile(join(dir, `img-${i + 1}.png`));
    }
    const labels = [
      { id: 'cat', name: 'Cat', color: '#e6194b' },
      { id: 'dog', name: 'Dog', color: '#3cb44b' },
    ];
    // Auto-annotation (review.browser.test.ts): the generated YOLO-shaped detector `squares` finds the pure red,
    // green and blue squares of an image as classes cat, dog and bird (so the label map defaults by equal names).
    // ws-review: two grey 320x240 PNGs with a red and a green square each; ws-jobs-cancel: 200 with a red square
    // (a job over them lasts long enough to be cancelled while it runs).
    const { tsImport } = await import('tsx/esm/api');
    const { colourSquaresGraph } = await tsImport('./packages/models/src/detector/testing/graphs.ts', import.meta.url);
    const detectorBytes = colourSquaresGraph(64, 16);
    const detectorPath = join(dataDir, 'squares.onnx');
    const { writeFileSync: write } = await import('node:fs');
    write(detectorPath, detectorBytes);
    const detector = {
      id: 'squares',
      contract: 'detector',
      model: { url: detectorPath, sha256: createHash('sha256').update(detectorBytes).digest('hex') },
      inputSize: 64,
      classes: ['cat', 'dog', 'bird'],
      license: 'MIT',
    };
    const square = (left, top, width, height, background) => ({
      input: { create: { width, height, channels: 3, background } },
      left,
      top,
    });
    const grey = { width: 320, height: 240, channels: 3, background: '#505050' };
    const jobSets = {
      'ws-review': [0, 1].map((i) => [
        square(40 + 10 * i, 40, 80, 60, '#ff0000'),
        square(180, 120, 100, 80, '#00ff00'),
      ]),
      'ws-jobs-cancel': Array.from({ length: 200 }, (_, i) => [square(10 + i, 20 + (i % 100), 60, 50, '#ff0000')]),
    };
    for (const [id, images] of Object.entries(jobSets)) {
      const dir = join(dataDir, 'datasets', id, 'images');
      mkdirSync(dir, { recursive: true });
      await Promise.all(
        images.map((squares, i) =>
          sharp({ create: grey })
            .composite(squares)
            .png()
            .toFile(join(dir, `img-${String(i + 1).padStart(3, '0')}.png`)),
        ),
      );
      ids.push(id);
    }
    const sha256 = createHash('sha256').update('labelkit-wtr-token').digest('hex');
    return createApp({
      logger: silentLogger,
      dataDir,
      models: [detector],
      datasets: ids.map((id) => ({ id, title: `Workspace test ${id}`, labels })),
      // The encoder stays open to requests without a token, as the models' tests make them.
      auth: { tokens: [{ name: 'wtr', sha256, scopes: { '*': 'admin' } }], anonymous: {}, anonymousEncoder: true },
    }).app;
  })();
  const app = await labelkit;
  const chunks = [];
  for await (const chunk of ctx.req) chunks.push(chunk);
  const body = ['GET', 'HEAD'].includes(ctx.method) ? undefined : Buffer.concat(chunks);
  const headers = new Headers();
  for (const [k, v] of Object.entries(ctx.request.headers)) if (typeof v === 'string') headers.set(k, v);
  // The page's own origin, so that the app sees same-origin requests as such (its CORS check compares Origin).
  const url = new URL(ctx.url, `${ctx.protocol}://${ctx.host}`);
  const res = await app.fetch(new Request(url, { method: ctx.method, headers, body }));
  ctx.status = res.status;
  for (const [k, v] of res.headers) ctx.set(k, v);
  ctx.body = Buffer.from(await res.arrayBuffer());
}

const browser = (args) => chromeLauncher({ launchOptions: { executablePath, headless: true, args } });

/** Counts every test result so scripts/test.mjs can print one summary for all runners. */
function countingReporter(file) {
  return {
    onTestRunFinished({ sessions }) {
      const counts = { passed: 0, failed: 0, skipped: 0, errors: 0 };
      const walk = (suite) => {
        for (const t of suite.tests) {
          if (t.skipped) counts.skipped++;
          else if (t.passed) counts.passed++;
          else counts.failed++;
        }
        for (const s of suite.suites) walk(s);
      };
      for (const s of sessions) {
        if (s.testResults) walk(s.testResults);
        // A file that failed to load (syntax error, 404 import) has no test results but errors.
        if (!s.passed && (!s.testResults || s.testResults.tests.length + s.testResults.suites.length === 0)) {
          counts.errors++;
        }
      }
      if (file) writeFileSync(file, JSON.stringify(counts));
    },
  };
}

// The test page of every group is `/?wtr-session-id=...`; the no-coi group's page carries a marker
// in its HTML (its own testRunnerHtml) and the middleware leaves the isolation headers off it.
const NO_COI_MARK = 'labelkit-no-coi';
const page = (testFramework, marker = '') =>
  `<!DOCTYPE html><html><head>${marker}</head><body><script type="module" src="${testFramework}"></script></body></html>`;

/** @type {import('@web/test-runner').TestRunnerConfig} */
export default {
  rootDir: '.',
  nodeResolve: { exportConditions: ['labelkit-source', 'browser', 'import', 'default'] },
  plugins: [esbuildPlugin({ ts: true, target: 'es2022', tsconfig: 'tsconfig.base.json' })],
  concurrency: 1,
  concurrentBrowsers: 1,
  testFramework: { config: { timeout: 20000 } },
  // The WebGPU group runs on SwiftShader (software): ~100 s for its file on this 2-core machine; leave headroom.
  testsFinishTimeout: 360000,
  browserStartTimeout: 60000,
  files: ['packages/*/src/**/*.browser.test.ts', 'test/browser/**/*.browser.test.ts'],
  browsers: [browser(baseArgs)],
  middleware: [
    async function crossOriginIsolation(ctx, next) {
      await next();
      const noCoi = typeof ctx.body === 'string' && ctx.body.includes(NO_COI_MARK);
      if (!noCoi) {
        ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
        ctx.set('Cross-Origin-Embedder-Policy', 'require-corp');
        ctx.set('Cross-Origin-Resource-Policy', 'same-origin');
      }
    },
    labelkitApi,
  ],
  groups: [
    {
      name: 'webgpu',
      files: ['packages/*/src/**/*.webgpu.test.ts', 'test/browser/**/*.webgpu.test.ts'],
      browsers: [browser(webgpuArgs)],
    },
    {
      name: 'no-coi',
      files: ['packages/*/src/**/*.nocoi.test.ts', 'test/browser/**/*.nocoi.test.ts'],
      testRunnerHtml: (testFramework) => page(testFramework, `<meta name="${NO_COI_MARK}">`),
    },
  ],
  reporters: [
    defaultReporter(),
    summaryReporter({ flatten: false }),
    countingReporter(process.env.LABELKIT_WTR_COUNTS),
  ],
};
