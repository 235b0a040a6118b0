import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { canonicalJSON, HistoryError, sha256Hex } from '@labelkit/core';
import fc from 'fast-check';
import { sha256HexSync } from './sha256.ts';

const numbers: [string, string][] = JSON.parse(
  readFileSync(new URL('./fixtures/jcs-numbers.json', import.meta.url), 'utf8'),
);

function rejects(value: unknown, path: string): void {
  assert.throws(
    () => canonicalJSON(value),
    (e: unknown) => e instanceof HistoryError && e.code === 'history/invalid-json-value' && e.path === path,
  );
}

/** Shuffles the keys of every object, recursively (a different insertion order, the same value). */
function reorder(v: unknown, seed: number): unknown {
  if (Array.isArray(v)) return v.map((x, i) => reorder(x, seed + i));
  if (v && typeof v === 'object') {
    const keys = Object.keys(v);
    const shuffled = keys.map((k, i) => [k, (i * 7919 + seed * 104729) % 1009] as const).sort((a, b) => a[1] - b[1]);
    return Object.fromEntries(shuffled.map(([k]) => [k, reorder((v as Record<string, unknown>)[k], seed + 1)]));
  }
  return v;
}

describe('canonicalJSON (RFC 8785)', () => {
  it('sorts keys by UTF-16 code units and writes no whitespace', () => {
    // RFC 8785 section 3.2.3: "\u20ac" (€) sorts after "\ud83d\ude00" (😀) in UTF-16 order, unlike code points.
    const value = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew',
      '1': 'One',
      '\ud83d\ude00': 'Emoji',
      '\u0080': 'Control',
      '\u00f6': 'Latin',
    };
    assert.equal(
      canonicalJSON(value),
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji","\ufb33":"Hebrew"}',
    );
    assert.equal(canonicalJSON({ b: [1, { d: true, c: null }], a: 'x' }), '{"a":"x","b":[1,{"c":null,"d":true}]}');
  });

  it('writes numbers in shortest round-trip form (RFC 8785 appendix B)', () => {
    for (const [hex, expected] of numbers) {
      const n = Buffer.from(hex, 'hex').readDoubleBE(0);
      assert.equal(canonicalJSON(n), expected, hex);
    }
    assert.equal(canonicalJSON(-0), '0');
  });

  it('escapes strings as JCS does (short escapes, lowercase \\u00xx, the rest literal)', () => {
    assert.equal(
      canonicalJSON('\u0000\b\t\n\f\r"\\\u001f\u007f/é😀'),
      '"\\u0000\\b\\t\\n\\f\\r\\"\\\\\\u001f\u007f/é😀"',
    );
  });

  it('rejects values JSON cannot hold, naming their path', () => {
    rejects({ a: [1, Number.NaN] }, '$.a[1]');
    rejects({ a: { b: Number.POSITIVE_INFINITY } }, '$.a.b');
    rejects({ x: undefined }, '$.x');
    rejects([() => 1], '$[0]');
    rejects({ s: Symbol('s') }, '$.s');
    rejects({ n: 10n }, '$.n');
    rejects({ d: new Date(0) }, '$.d');
    rejects({ m: new Map() }, '$.m');
    rejects({ 'bad key': '\ud800' }, '$["bad key"]');
    rejects({ '\udc00': 1 }, '$["\\udc00"]');
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point of the test.
    rejects([1, , 3], '$[1]');
    const cyclic: Record<string, unknown> = { a: {} };
    (cyclic.a as Record<string, unknown>).back = cyclic;
    rejects(cyclic, '$.a.back');
  });

  it('accepts a value seen twice that is not a cycle', () => {
    const shared = { x: 1 };
    assert.equal(canonicalJSON({ a: shared, b: [shared] }), '{"a":{"x":1},"b":[{"x":1}]}');
  });

  it('keeps __proto__ as an ordinary key', () => {
    const o = JSON.parse('{"__proto__":1,"a":2}');
    assert.equal(canonicalJSON(o), '{"__proto__":1,"a":2}');
  });

  it('is stable under key order permutations and round-trips through JSON.parse (property)', () => {
    const json = fc.jsonValue({ maxDepth: 4, noUnicodeString: false });
    fc.assert(
      fc.property(json, fc.integer({ min: 0, max: 1000 }), (v, seed) => {
        const c = canonicalJSON(v);
        assert.equal(canonicalJSON(reorder(v, seed)), c);
        assert.equal(canonicalJSON(JSON.parse(c)), c);
        assert.deepEqual(JSON.parse(c), JSON.parse(JSON.stringify(v)));
      }),
      { numRuns: 300 },
    );
  });
});

describe('sha256Hex', () => {
  it('matches node:crypto for strings and bytes of every padding boundary and both code paths', async () => {
    assert.equal(await sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    assert.equal(await sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    for (const n of [1, 55, 56, 63, 64, 65, 119, 120, 128, 1000, 16_383, 16_384, 70_000]) {
      const bytes = new Uint8Array(n).map((_, i) => (i * 31 + n) & 255);
      const expected = createHash('sha256').update(bytes).digest('hex');
      assert.equal(await sha256Hex(bytes), expected, `length ${n}`);
    }
  });

  it('the plain-JS digest equals node:crypto on random input (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        assert.equal(sha256HexSync(bytes), createHash('sha256').update(bytes).digest('hex'));
      }),
      { numRuns: 200 },
    );
  });

  it('hashes a subarray by its own bytes, not its buffer', async () => {
    const buf = new Uint8Array([9, 9, 97, 98, 99, 9]);
    assert.equal(await sha256Hex(buf.subarray(2, 5)), await sha256Hex('abc'));
  });
});
