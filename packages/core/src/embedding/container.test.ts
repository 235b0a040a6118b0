import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeEmbedding, type EncodeEmbeddingInput, encodeEmbedding } from '@labelkit/core';
import fc from 'fast-check';

function sample(seed = 1): EncodeEmbeddingInput {
  const a = new Float32Array(2 * 3 * 5).map((_, i) => Math.sin(i * seed) * 10);
  const b = new Float32Array(7).map((_, i) => i - 3.25);
  return {
    model: 'builtin',
    contract: 'sam1',
    imageSize: { width: 640, height: 480 },
    inputSize: { width: 1024, height: 1024 },
    resizedSize: { width: 1024, height: 768 },
    tensors: [
      { name: 'image_embeddings', shape: [2, 3, 5], data: a },
      { name: 'extra', shape: [7], data: b },
    ],
  };
}

const decodeOk = (bytes: Uint8Array) => {
  const r = decodeEmbedding(bytes);
  if (!r.ok) throw r.error;
  return r.value;
};

describe('embedding container', () => {
  it('round-trips float32 exactly with header fields intact', () => {
    const input = sample();
    const out = decodeOk(encodeEmbedding(input, { dtype: 'float32' }));
    assert.equal(out.header.model, 'builtin');
    assert.equal(out.header.contract, 'sam1');
    assert.deepEqual(out.header.imageSize, { width: 640, height: 480 });
    assert.deepEqual(out.header.resizedSize, { width: 1024, height: 768 });
    assert.deepEqual(out.tensors.image_embeddings?.shape, [2, 3, 5]);
    assert.deepEqual(out.tensors.image_embeddings?.data, input.tensors[0]?.data);
    assert.deepEqual(out.tensors.extra?.data, input.tensors[1]?.data);
    assert.equal(out.tensors.extra?.dtype, 'float32');
  });

  it('stores float16 by default, half the bytes, within float16 error', () => {
    const input = sample();
    const f16 = encodeEmbedding(input);
    const f32 = encodeEmbedding(input, { dtype: 'float32' });
    const out = decodeOk(f16);
    assert.equal(out.tensors.image_embeddings?.dtype, 'float16');
    const src = input.tensors[0]?.data as Float32Array;
    const got = out.tensors.image_embeddings?.data as Float32Array;
    for (let i = 0; i < src.length; i++)
      assert.ok(Math.abs((got[i] as number) - (src[i] as number)) <= Math.abs(src[i] as number) * 2 ** -11 + 1e-7);
    const dataBytes = (bytes: Uint8Array) => bytes.length - 8 - new DataView(bytes.buffer).getUint32(4, true);
    assert.ok(dataBytes(f16) < dataBytes(f32) * 0.6);
  });

  it('decodes a container that sits at an odd byte offset', () => {
    const bytes = encodeEmbedding(sample(), { dtype: 'float32' });
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    assert.deepEqual(decodeOk(shifted.subarray(1)).tensors.extra?.data, sample().tensors[1]?.data);
  });

  it('refuses data that does not fit its shape when encoding', () => {
    const input = sample();
    input.tensors[0] = { name: 'x', shape: [4], data: new Float32Array(3) };
    assert.throws(() => encodeEmbedding(input), { code: 'embedding/invalid-tensor' });
  });

  it('gives typed errors for known corruptions', () => {
    const good = encodeEmbedding(sample());
    const headerLength = new DataView(good.buffer).getUint32(4, true);
    const patchHeader = (f: (h: Record<string, unknown>) => void): Uint8Array => {
      const h = JSON.parse(new TextDecoder().decode(good.subarray(8, 8 + headerLength)));
      f(h);
      const json = new TextEncoder().encode(JSON.stringify(h));
      const pad = Math.ceil((8 + json.length) / 8) * 8 - 8;
      const out = new Uint8Array(8 + pad + good.length - 8 - headerLength).fill(0x20);
      out.set(good.subarray(0, 4));
      new DataView(out.buffer).setUint32(4, pad, true);
      out.set(json, 8);
      out.set(good.subarray(8 + headerLength), 8 + pad);
      return out;
    };
    const expectCode = (bytes: Uint8Array, code: string, path?: string) => {
      const r = decodeEmbedding(bytes);
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.equal(r.error.code, code);
        if (path) assert.equal(r.error.path, path);
      }
    };
    expectCode(good.subarray(0, 5), 'embedding/truncated');
    expectCode(good.subarray(0, good.length - 2), 'embedding/truncated', '$.tensors[1]');
    expectCode(new TextEncoder().encode('PNG\0\0\0\0\0'), 'embedding/bad-magic');
    const extra = new Uint8Array(good.length + 8);
    extra.set(good);
    expectCode(extra, 'embedding/trailing-bytes');
    expectCode(
      patchHeader((h) => {
        h.version = 2;
      }),
      'embedding/unsupported-version',
    );
    expectCode(
      patchHeader((h) => {
        (h.tensors as { dtype: string }[])[0] = { ...(h.tensors as object[])[0], dtype: 'int8' } as never;
      }),
      'embedding/unsupported-dtype',
      '$.tensors[0].dtype',
    );
    expectCode(
      patchHeader((h) => {
        (h.tensors as { shape: number[] }[])[0]!.shape = [2, 3, 6];
      }),
      'embedding/invalid-header',
      '$.tensors[0].byteLength',
    );
    expectCode(
      patchHeader((h) => {
        (h.tensors as { offset: number }[])[1]!.offset = 0;
      }),
      'embedding/invalid-header',
      '$.tensors[1].offset',
    );
    expectCode(
      patchHeader((h) => {
        h.imageSize = { width: -1, height: 3 };
      }),
      'embedding/invalid-header',
      '$.imageSize',
    );
    const big = good.slice();
    new DataView(big.buffer).setUint32(4, 0xffffffff, true);
    expectCode(big, 'embedding/invalid-header');
  });

  it('never throws and never returns a tensor of the wrong size on corrupted bytes (fuzz)', () => {
    const good = encodeEmbedding(sample());
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        fc.nat(good.length),
        (flips, cut) => {
          const bytes = good.slice(0, cut);
          for (const [at, value] of flips) if (at < bytes.length) bytes[at] = value;
          const r = decodeEmbedding(bytes);
          if (!r.ok) return r.error.code.startsWith('embedding/');
          for (const t of Object.values(r.value.tensors))
            if (t.data.length !== t.shape.reduce((a, b) => a * b, 1)) return false;
          return true;
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('gives a typed error for arbitrary bytes (fuzz)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const r = decodeEmbedding(bytes);
        return !r.ok && r.error.code.startsWith('embedding/');
      }),
    );
  });
});
