// Builds every package to dist/: ESM JavaScript (esbuild) and one bundled .d.ts per entry (rollup-plugin-dts).
// Dependencies stay external: a package bundles only its own code.
import { readFileSync } from 'node:fs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { dts } from 'rollup-plugin-dts';
import esbuild from 'rollup-plugin-esbuild';

/** Entries per package: output name -> source file. */
const packages = {
  core: { index: 'src/index.ts', node: 'src/node/index.ts' },
  elements: { index: 'src/index.ts', react: 'src/react/index.ts', vue: 'src/vue/index.ts' },
  models: {
    index: 'src/index.ts',
    builtin: 'src/builtin/index.ts',
    contracts: 'src/contracts.ts',
    detector: 'src/detector/index.ts',
    worker: 'src/worker/decoder-worker.ts',
  },
  server: { index: 'src/index.ts', cli: 'src/cli.ts', 'encoder-worker': 'src/encoder/worker.ts' },
};
/** Entries that are programs, not modules: no type declarations. */
const programs = new Set(['cli', 'encoder-worker', 'worker']);

const only = process.env.PKG?.split(',');

function external(pkgDir) {
  const pkg = JSON.parse(readFileSync(`${pkgDir}/package.json`, 'utf8'));
  const deps = Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies, ...pkg.optionalDependencies });
  return (id) => id.startsWith('node:') || deps.some((d) => id === d || id.startsWith(`${d}/`));
}

/** Self-contained browser bundles (dependencies included, minified) for <script type="module"> and CDNs. */
const cdnBundles = [{ pkg: 'elements', input: 'src/index.ts', file: 'dist/cdn/labelkit-elements.js' }];

const libraries = Object.entries(packages)
  .filter(([name]) => !only || only.includes(name))
  .flatMap(([name, entries]) => {
    const dir = `packages/${name}`;
    const input = Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, `${dir}/${v}`]));
    const isExternal = external(dir);
    const target = name === 'server' ? 'node20' : 'es2022';
    return [
      {
        input,
        external: isExternal,
        plugins: [
          nodeResolve({ extensions: ['.ts', '.js', '.mjs'], exportConditions: ['labelkit-source'] }),
          esbuild({ target, tsconfig: `${dir}/tsconfig.json`, sourceMap: true }),
        ],
        output: {
          dir: `${dir}/dist`,
          format: 'es',
          sourcemap: true,
          entryFileNames: '[name].js',
          chunkFileNames: 'chunks/[name]-[hash].js',
        },
      },
      {
        input: Object.fromEntries(Object.entries(input).filter(([k]) => !programs.has(k))),
        external: isExternal,
        plugins: [dts({ tsconfig: `${dir}/tsconfig.json`, compilerOptions: { noEmit: false, customConditions: [] } })],
        output: { dir: `${dir}/dist`, format: 'es', entryFileNames: '[name].d.ts' },
      },
    ];
  });

const cdn = cdnBundles
  .filter(({ pkg }) => !only || only.includes(pkg))
  .map(({ pkg, input, file }) => ({
    input: `packages/${pkg}/${input}`,
    plugins: [
      nodeResolve({ browser: true, extensions: ['.ts', '.js', '.mjs'], exportConditions: ['labelkit-source'] }),
      esbuild({ target: 'es2022', tsconfig: `packages/${pkg}/tsconfig.json`, minify: true, sourceMap: true }),
    ],
    output: { file: `packages/${pkg}/${file}`, format: 'es', sourcemap: true },
  }));

export default [...libraries, ...cdn];
