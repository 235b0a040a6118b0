#!/usr/bin/env node
// Runs every test of the project and ends with one line: `N passed, N failed[, N skipped]`.
//   node tests:    Node's built-in runner over packages/*/{src,test}/**/*.test.ts and test/**/*.test.ts
//   browser tests: @web/test-runner in Debian's Chromium (groups: default, webgpu, no-coi)
// Usage: node scripts/test.mjs [--only node|browser] [path filters...]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_PATH } from './chromium.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
let only;
const filters = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--only') only = args[++i];
  else filters.push(args[i]);
}
const tmp = mkdtempSync(join(tmpdir(), 'labelkit-test-'));

const BROWSER_TEST = /\.(browser|webgpu|nocoi)\.test\.ts$/;

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

function nodeTestFiles() {
  const files = [];
  for (const pkg of readdirSync(join(root, 'packages'))) {
    for (const sub of ['src', 'test']) {
      for (const f of walk(join(root, 'packages', pkg, sub))) {
        if (f.endsWith('.test.ts') && !BROWSER_TEST.test(f)) files.push(f);
      }
    }
  }
  // test/: cross-package suites (node, security, deploy, e2e in a real Chromium driven from Node).
  for (const f of walk(join(root, 'test'))) if (f.endsWith('.test.ts') && !BROWSER_TEST.test(f)) files.push(f);
  for (const f of walk(join(root, 'examples'))) if (f.endsWith('.node.test.ts')) files.push(f);
  const rel = files.map((f) => relative(root, f)).sort();
  return filters.length ? rel.filter((f) => filters.some((x) => f.includes(x))) : rel;
}

function run(cmd, argv, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/** Finds Chromium, installing Debian's package when it is missing and we may (root + apt-get). */
function ensureChromium() {
  const wanted = CHROMIUM_PATH;
  if (existsSync(wanted)) return wanted;
  const isRoot = process.getuid?.() === 0;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  const hasSudo = spawnSync('sh', ['-c', 'command -v sudo'], { stdio: 'ignore' }).status === 0;
  if (hasApt && (isRoot || hasSudo)) {
    console.log('Chromium is missing: installing it from the distribution (apt-get install chromium)...');
    const sudo = isRoot ? '' : 'sudo ';
    const r = spawnSync('sh', ['-c', `${sudo}apt-get update && ${sudo}apt-get install -y chromium`], {
      stdio: 'inherit',
    });
    if (r.status === 0 && existsSync(wanted)) return wanted;
  }
  console.error(
    `\nBrowser tests need Chromium at ${wanted} and it could not be installed here.\n` +
      'Install it with `sudo apt-get install -y chromium` (Debian/Ubuntu), or point CHROMIUM_PATH at a Chromium binary.\n',
  );
  process.exit(2);
}

// Tests of built output (bundles, package exports) need dist/: build once when it is missing.
const built =
  ['core', 'elements', 'models', 'server'].every((p) => existsSync(join(root, 'packages', p, 'dist', 'index.js'))) &&
  existsSync(join(root, 'packages', 'elements', 'custom-elements.json')) &&
  existsSync(join(root, 'examples', 'react', 'dist', 'main.js'));
if (!built) {
  console.log('Packages are not built yet: running `pnpm build` first.');
  const r = spawnSync('pnpm', ['build'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const totals = { passed: 0, failed: 0, skipped: 0 };
let failures = 0;

if (only !== 'browser') {
  const files = nodeTestFiles();
  if (files.length) {
    const tap = join(tmp, 'node.tap');
    const code = await run(process.execPath, [
      '--conditions=labelkit-source',
      '--import',
      'tsx',
      '--test',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tap}`,
      ...files,
    ]);
    const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
    const count = (k) => Number(text.match(new RegExp(`^# ${k} (\\d+)$`, 'm'))?.[1] ?? 0);
    totals.passed += count('pass');
    totals.failed += count('fail') + count('cancelled');
    totals.skipped += count('skipped') + count('todo');
    if (code !== 0 && count('fail') + count('cancelled') === 0) {
      console.error(`node test runner exited with ${code}`);
      failures++;
    }
  }
}

if (only !== 'node') {
  const executable = ensureChromium();
  const countsFile = join(tmp, 'wtr.json');
  const wtrArgs = ['node_modules/@web/test-runner/dist/bin.js', '--config', 'web-test-runner.config.mjs'];
  // A filter narrows the default group only, so it keeps to *.browser.test.ts files: the webgpu and no-coi files would
  // fail outside their groups, which keep their own files.
  const toBrowserGlob = (f) =>
    f.endsWith('.test.ts') && !f.includes('*')
      ? f
      : f.includes('*')
        ? f.replace(/\*\.test\.ts$/, '*.browser.test.ts')
        : `${f.replace(/\/$/, '')}/**/*.browser.test.ts`;
  if (filters.length) wtrArgs.push('--files', ...filters.map(toBrowserGlob));
  const code = await run(process.execPath, wtrArgs, { LABELKIT_WTR_COUNTS: countsFile, CHROMIUM_PATH: executable });
  if (existsSync(countsFile)) {
    const c = JSON.parse(readFileSync(countsFile, 'utf8'));
    totals.passed += c.passed;
    totals.failed += c.failed + c.errors;
    totals.skipped += c.skipped;
    if (code !== 0 && c.failed + c.errors === 0) failures++;
  } else if (code !== 0) {
    console.error(`web-test-runner exited with ${code} before reporting`);
    failures++;
  }
}

totals.failed += failures;
const ran = totals.passed + totals.failed;
console.log('');
console.log(`${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
if (totals.failed > 0) process.exit(1);
if (ran === 0) {
  console.error('no test ran');
  process.exit(1);
}
