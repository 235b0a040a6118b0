import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { percentile, registeredSuites, runSuites, suite, table } from '../../bench/harness.ts';

describe('bench harness', () => {
  it('computes percentiles on sorted samples', () => {
    assert.equal(percentile([1, 2, 3, 4], 50), 2);
    assert.equal(percentile([1, 2, 3, 4], 95), 4);
    assert.ok(Number.isNaN(percentile([], 50)));
  });

  it('runs cases, counts iterations and reports the ratio to a baseline measured in the same run', async () => {
    const busy = (ms: number) => {
      const end = performance.now() + ms;
      while (performance.now() < end);
    };
    suite('harness-selftest', [
      { name: 'slow', run: () => busy(4), iterations: 5 },
      { name: 'fast', run: () => busy(1), iterations: 5, baseline: 'slow', units: { count: 10, name: 'things' } },
    ]);
    assert.ok(registeredSuites().some((s) => s.name === 'harness-selftest'));
    const results = await runSuites('harness-selftest', () => {});
    assert.equal(results.length, 2);
    const fast = results.find((r) => r.name === 'fast')!;
    assert.equal(fast.iterations, 5);
    assert.ok(fast.p50Ms >= 1 && fast.p50Ms < 4, `p50 ${fast.p50Ms}`);
    const ratio = Number.parseFloat(fast.ratio ?? '');
    assert.ok(ratio > 2, `ratio ${fast.ratio}`);
    assert.match(fast.throughput ?? '', /things\/s$/);
    assert.match(table(results), /\| harness-selftest \| fast /);
  });
});
