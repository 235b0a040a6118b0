/**
 * Datasets (issue 9, server part), on the fs driver in the OS temp folder (fsynced writes, a lock per key):
 * - commit of 1 item into a dataset of 100,000 items, through DatasetService (objects and bytes written printed);
 * - log of 1,000 commits (one page of 1,000), with a cold and a warm object cache;
 * - diff of two commits 10,000 items apart, every page of 1,000;
 * - export of 100,000 annotations (10,000 images x 10 boxes) as coco, yolo and voc, each run in a fresh child
 *   process that reports time, zip bytes and its peak RSS growth (maxRSS after - before).
 * Signing throughput is bench/storage/signing.bench.ts.
 *
 * The datasets are built once per size under the OS temp folder (about 135,000 fsynced writes: minutes) and
 * reused by later runs; LABELKIT_BENCH_ITEMS (default 100000) scales the large dataset for a quick check.
 * The setup writes straight through HistoryStore with 32 puts in flight; what is measured goes through the service.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AnnotationDocument, createCommit, type Shape, writeItems } from '../../packages/core/src/index.ts';
import { DatasetService } from '../../packages/server/src/datasets/service.ts';
import { HistoryStore } from '../../packages/server/src/datasets/target.ts';
import type { ResolvedDataset } from '../../packages/server/src/datasets/types.ts';
import { exportZip } from '../../packages/server/src/export/index.ts';
import { FsDriver } from '../../packages/server/src/storage/drivers/index.ts';
import { suite } from '../harness.ts';

const N = Number(process.env.LABELKIT_BENCH_ITEMS ?? 100_000);
const DIFF = Math.min(10_000, N / 10);
const LOG = 1000;
const EXPORT_ITEMS = Math.min(10_000, N / 10);
const SHAPES_PER_ITEM = 10;
const labels = ['car', 'person', 'bike', 'sign'].map((id, i) => ({
  id,
  name: id,
  color: ['#f00', '#0f0', '#00f', '#ff0'][i] as string,
}));

const root = join(tmpdir(), `labelkit-bench-datasets-${N}`);
const self = fileURLToPath(import.meta.url);

function doc(id: string, shapes: number, salt: number): AnnotationDocument {
  const out: Shape[] = [];
  for (let k = 0; k < shapes; k++) {
    const h = (salt * 7919 + k * 104729 + id.length * 31) % 100_000;
    out.push({
      id: `s${k}`,
      type: 'box',
      label: labels[k % labels.length]?.id as string,
      x: (h % 800) + 0.5,
      y: ((h >> 3) % 600) + 0.25,
      width: 20 + (h % 97),
      height: 15 + (h % 61),
    });
  }
  return { version: 1, item: { id, width: 1000, height: 800 }, shapes: out };
}

/** Commits of one bench run differ from those of earlier runs on the same (reused) dataset: a commit that
 * changes nothing writes no document and no tree. */
const RUN_SALT = 2_000_000 + (Date.now() % 1_000_000_000);

const itemId = (i: number) => `images/${String(i).padStart(6, '0')}.jpg`;

function dataset(id: string): ResolvedDataset {
  return {
    id,
    title: id,
    labels,
    source: { storage: 'data', prefix: `datasets/${id}/images/` },
    target: { storage: 'data', prefix: `datasets/${id}/` },
    configured: true,
  };
}

const driver = () => new FsDriver({ root });
const service = (id: string, d = driver()) => new DatasetService(dataset(id), d, d);

/** Commits `items` on top of `parent` with 32 puts in flight and moves main; returns the commit hash. */
async function bulkCommit(store: HistoryStore, parent: string | undefined, items: Map<string, AnnotationDocument>) {
  const parentTree = parent
    ? (JSON.parse(new TextDecoder().decode(await store.reader.get(`commits/${parent}.json`))) as { tree: string }).tree
    : undefined;
  const w = await writeItems(store.reader, parentTree, items);
  if (!w.ok) throw w.error;
  const c = await createCommit({
    parents: parent ? [parent] : [],
    tree: w.value.tree,
    author: 'bench',
    message: `${items.size} items`,
    time: new Date().toISOString(),
  });
  if (!c.ok) throw c.error;
  await store.putImmutable([...w.value.puts, c.value.put]);
  const ref = await store.readRef('main');
  if (!(await store.casRef('main', c.value.hash, ref?.etag))) throw new Error('ref moved during the bench setup');
  return c.value.hash;
}

interface Built {
  /** `big` before and after a commit changing DIFF items. */
  a: string;
  b: string;
}

let built: Promise<Built> | undefined;

/** Builds (or finds) the benchmark datasets. */
function build(): Promise<Built> {
  built ??= (async () => {
    const marker = join(root, 'bench.json');
    if (existsSync(marker)) return JSON.parse(readFileSync(marker, 'utf8')) as Built;
    mkdirSync(root, { recursive: true });
    const d = driver();
    const t0 = performance.now();
    const big = new HistoryStore({ driver: d, prefix: 'datasets/big/', putConcurrency: 32 });
    let head: string | undefined;
    for (let start = 0; start < N; start += 20_000) {
      const items = new Map<string, AnnotationDocument>();
      for (let i = start; i < Math.min(N, start + 20_000); i++) items.set(itemId(i), doc(itemId(i), 1, i));
      head = await bulkCommit(big, head, items);
      console.log(
        `  setup: big dataset ${Math.min(N, start + 20_000)}/${N} items (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
      );
    }
    const a = head as string;
    const changed = new Map<string, AnnotationDocument>();
    for (let i = 0; i < DIFF; i++) changed.set(itemId(i * 10), doc(itemId(i * 10), 2, i + 1_000_000)); // two boxes: always a change
    const b = await bulkCommit(big, a, changed);
    const hist = new HistoryStore({ driver: d, prefix: 'datasets/hist/', putConcurrency: 32 });
    let h: string | undefined;
    for (let i = 0; i < LOG; i++) h = await bulkCommit(hist, h, new Map([[itemId(i % 50), doc(itemId(i % 50), 3, i)]]));
    const exp = new HistoryStore({ driver: d, prefix: 'datasets/exp/', putConcurrency: 32 });
    const items = new Map<string, AnnotationDocument>();
    for (let i = 0; i < EXPORT_ITEMS; i++) items.set(itemId(i), doc(itemId(i), SHAPES_PER_ITEM, i));
    await bulkCommit(exp, undefined, items);
    console.log(`  setup: done in ${((performance.now() - t0) / 1000).toFixed(0)} s (${root})`);
    const out = { a, b };
    writeFileSync(marker, JSON.stringify(out));
    return out;
  })();
  return built;
}

/** One export in this process: `{ ms, bytes, peakGrowthMB }`. */
async function exportOnce(format: string) {
  const s = service('exp');
  const head = (await s.history.readRef('main'))?.head as string;
  globalThis.gc?.();
  const before = process.resourceUsage().maxRSS;
  const t0 = performance.now();
  let bytes = 0;
  const reader = exportZip({
    format,
    labels,
    documents: s.documents(head),
    meta: { dataset: 'exp', commit: head },
  }).getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) bytes += r.value.length;
  return { ms: performance.now() - t0, bytes, peakGrowthMB: (process.resourceUsage().maxRSS - before) / 1024 };
}

/**
 * The export alone, from documents made on the fly (no storage), to see how its peak memory grows with the
 * item count: `node --expose-gc --conditions=labelkit-source --import tsx bench/server/datasets.bench.ts
 * --memory yolo 100000` (10 boxes per item).
 */
async function exportInMemory(format: string, items: number) {
  function* documents() {
    for (let i = 0; i < items; i++) yield doc(itemId(i), SHAPES_PER_ITEM, i);
  }
  globalThis.gc?.();
  const before = process.resourceUsage().maxRSS;
  const t0 = performance.now();
  let bytes = 0;
  const meta = { dataset: 'memory', commit: '0'.repeat(64) };
  const reader = exportZip({ format, labels, documents: documents(), meta }).getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) bytes += r.value.length;
  return {
    format,
    items,
    ms: performance.now() - t0,
    bytes,
    peakGrowthMB: (process.resourceUsage().maxRSS - before) / 1024,
  };
}

if (process.argv[2] === '--export-child') {
  process.stdout.write(JSON.stringify(await exportOnce(process.argv[3] as string)));
} else if (process.argv[2] === '--memory') {
  console.log(JSON.stringify(await exportInMemory(process.argv[3] as string, Number(process.argv[4]))));
} else {
  const written = { objects: 0, bytes: 0, commits: 0 };
  suite('server datasets', [
    {
      name: `commit 1 item into ${N.toLocaleString('en')} items (fs)`,
      setup: async () => {
        await build();
        const d = driver();
        const put = d.put.bind(d);
        d.put = (key, body, opts) => {
          written.objects++;
          written.bytes += body.length;
          return put(key, body, opts);
        };
        return { s: service('big', d), n: 0 };
      },
      run: async (x: { s: DatasetService; n: number }) => {
        const head = (await x.s.history.readRef('main'))?.head ?? null;
        const id = itemId((x.n * 7919) % N);
        await x.s.commit({ parent: head, items: { [id]: doc(id, 1, RUN_SALT + x.n++) }, author: 'bench' });
        written.commits++;
        if (written.commits === 20)
          console.log(
            `  commit 1 item: ${(written.objects / 20).toFixed(1)} objects (ref included), ${(written.bytes / 20 / 1024).toFixed(1)} KB written per commit`,
          );
      },
      time: 3000,
    },
    ...[true, false].map((cold) => ({
      name: `log of ${LOG} commits, one page (${cold ? 'cold' : 'warm'} cache)`,
      setup: async () => {
        await build();
        return service('hist');
      },
      run: async (s: DatasetService) => {
        const page = await (cold ? service('hist') : s).log('main', { limit: LOG });
        if (page.commits.length !== LOG) throw new Error(`log gave ${page.commits.length}`);
      },
      units: { count: LOG, name: 'commits' },
    })),
    {
      name: `diff of two commits ${DIFF.toLocaleString('en')} items apart (pages of 1,000, cold cache)`,
      setup: build,
      run: async (x: Built) => {
        const s = service('big');
        let n = 0;
        let page = await s.diff(x.a, x.b, { limit: 1000 });
        n += page.changes.length;
        while (page.cursor) {
          page = await s.diff(undefined, undefined, { cursor: page.cursor, limit: 1000 });
          n += page.changes.length;
        }
        if (n !== DIFF) throw new Error(`diff gave ${n}`);
      },
      units: { count: DIFF, name: 'items' },
    },
    ...['coco', 'yolo', 'voc'].map((format) => ({
      // The table's time includes starting Node and tsx in the child; the export's own figures are printed.
      name: `export ${(EXPORT_ITEMS * SHAPES_PER_ITEM).toLocaleString('en')} annotations as ${format} (child process, with startup)`,
      setup: build,
      iterations: 1,
      run: () => {
        const out = execFileSync(
          process.execPath,
          ['--expose-gc', '--conditions=labelkit-source', '--import', 'tsx', self, '--export-child', format],
          { encoding: 'utf8', maxBuffer: 1 << 20 },
        );
        const r = JSON.parse(out) as { ms: number; bytes: number; peakGrowthMB: number };
        console.log(
          `  export ${format}: ${r.ms.toFixed(0)} ms, ${(r.bytes / 2 ** 20).toFixed(2)} MB zip, peak RSS growth ${r.peakGrowthMB.toFixed(0)} MB`,
        );
      },
    })),
  ]);
}
