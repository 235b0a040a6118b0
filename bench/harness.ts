/**
 * A small benchmark harness. Each `bench/<package>/*.bench.ts` file calls `suite()` with its cases;
 * `pnpm bench [filter]` runs them one after another in one process and prints one table.
 *
 * A case may name a `baseline` (another case of the same suite, e.g. a peer library or a naive version):
 * the table then shows the ratio of the two medians measured in the same run.
 */
import { performance } from 'node:perf_hooks';

export interface BenchCase<T = unknown> {
  name: string;
  /** Builds the input once, outside the timed loop. */
  setup?: () => T | Promise<T>;
  /** The measured work. */
  run: (input: T) => unknown | Promise<unknown>;
  /** Timed iterations (default: as many as fit in `time` ms, at least 3). */
  iterations?: number;
  /** Time budget in ms when iterations is not given (default 1000). */
  time?: number;
  /** Name of the case in this suite whose median this one is compared with. */
  baseline?: string;
  /** Units of work per run (e.g. shapes, pixels), for a throughput column. */
  units?: { count: number; name: string };
}

export interface BenchResult {
  suite: string;
  name: string;
  iterations: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  minMs: number;
  /** Growth of the JS heap over one run (MB, after a forced GC when --expose-gc is on). */
  heapDeltaMB: number;
  /** Peak resident set size of the process so far (MB). */
  rssPeakMB: number;
  throughput?: string;
  ratio?: string;
}

// biome-ignore lint/suspicious/noExplicitAny: each case has its own input type, checked where the case is written.
type AnyCase = BenchCase<any>;

interface Suite {
  name: string;
  cases: AnyCase[];
}

const suites: Suite[] = [];

/** Registers a suite of benchmark cases. */
export function suite(name: string, cases: AnyCase[]): void {
  suites.push({ name, cases });
}

export function registeredSuites(): readonly Suite[] {
  return suites;
}

const gc = (globalThis as { gc?: () => void }).gc;

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

export async function runCase(suiteName: string, c: BenchCase<unknown>): Promise<BenchResult> {
  const input = c.setup ? await c.setup() : undefined;
  await c.run(input); // warm-up (JIT, caches)
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const times: number[] = [];
  const budget = c.time ?? 1000;
  const started = performance.now();
  let heapAfterFirst = heapBefore;
  while (c.iterations ? times.length < c.iterations : times.length < 3 || performance.now() - started < budget) {
    const t0 = performance.now();
    await c.run(input);
    times.push(performance.now() - t0);
    if (times.length === 1) heapAfterFirst = process.memoryUsage().heapUsed;
    if (!c.iterations && times.length >= 10_000) break;
  }
  const sorted = [...times].sort((a, b) => a - b);
  const mean = times.reduce((s, t) => s + t, 0) / times.length;
  const p50 = percentile(sorted, 50);
  const result: BenchResult = {
    suite: suiteName,
    name: c.name,
    iterations: times.length,
    meanMs: mean,
    p50Ms: p50,
    p95Ms: percentile(sorted, 95),
    minMs: sorted[0] as number,
    heapDeltaMB: (heapAfterFirst - heapBefore) / 2 ** 20,
    rssPeakMB: process.resourceUsage().maxRSS / 1024,
  };
  if (c.units) result.throughput = `${formatNumber((c.units.count / p50) * 1000)} ${c.units.name}/s`;
  return result;
}

export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  if (n >= 100) return n.toFixed(0);
  if (n >= 1) return n.toFixed(2);
  return n.toPrecision(3);
}

/** Runs suites (optionally filtered by a substring of "suite / case") and fills in baseline ratios. */
export async function runSuites(filter?: string, log: (line: string) => void = console.log): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const s of suites) {
    const chosen = s.cases.filter((c) => !filter || `${s.name} / ${c.name}`.includes(filter));
    const own: BenchResult[] = [];
    for (const c of chosen) {
      const r = await runCase(s.name, c);
      own.push(r);
      log(`  ${s.name} / ${c.name}: p50 ${formatNumber(r.p50Ms)} ms (${r.iterations} runs)`);
    }
    for (const c of chosen) {
      if (!c.baseline) continue;
      const mine = own.find((r) => r.name === c.name);
      const base = own.find((r) => r.name === c.baseline);
      if (mine && base) mine.ratio = `${formatNumber(base.p50Ms / mine.p50Ms)}x vs ${c.baseline}`;
    }
    results.push(...own);
  }
  return results;
}

/** A plain-text table of results. */
export function table(results: BenchResult[]): string {
  const head = ['suite', 'case', 'runs', 'p50 ms', 'p95 ms', 'mean ms', 'heap Δ MB', 'rss MB', 'throughput', 'ratio'];
  const rows = results.map((r) => [
    r.suite,
    r.name,
    String(r.iterations),
    formatNumber(r.p50Ms),
    formatNumber(r.p95Ms),
    formatNumber(r.meanMs),
    r.heapDeltaMB.toFixed(1),
    r.rssPeakMB.toFixed(0),
    r.throughput ?? '',
    r.ratio ?? '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
