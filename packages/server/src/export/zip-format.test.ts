import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { unzipSync } from 'fflate';
import { pullZipStream } from './zip-stream.ts';

async function bytesOf(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  const reader = stream.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) parts.push(r.value);
  return Buffer.concat(parts);
}

describe('zip container', () => {
  it('writes ZIP64 end records past 65,535 entries, so every entry reads back', async () => {
    const n = 70_000;
    const zip = await bytesOf(
      pullZipStream(0, Date.UTC(2026, 0, 1), async function* (w) {
        for (let i = 0; i < n; i++) {
          w.addFile(`labels/${i}.txt`, i % 1000 === 0 ? `0 0.5 0.5 0.1 0.1\n` : '');
          if (i % 5000 === 0) yield;
        }
        w.end();
      }),
    );
    const eocd = zip.length - 22;
    assert.equal(zip.readUInt32LE(eocd), 0x06054b50);
    assert.equal(zip.readUInt16LE(eocd + 10), 0xffff);
    assert.equal(zip.readUInt32LE(eocd - 20), 0x07064b50, 'ZIP64 locator');
    const z64 = Number(zip.readBigUInt64LE(eocd - 12));
    assert.equal(zip.readUInt32LE(z64), 0x06064b50, 'ZIP64 end of central directory');
    assert.equal(Number(zip.readBigUInt64LE(z64 + 32)), n);
    const files = unzipSync(zip);
    assert.equal(Object.keys(files).length, n);
    assert.equal(new TextDecoder().decode(files['labels/69000.txt']), '0 0.5 0.5 0.1 0.1\n');
  });

  it('keeps the plain end record below 65,535 entries, with UTF-8 names and data descriptors for streamed files', async () => {
    const big = 'é'.repeat(1_500_000);
    const zip = await bytesOf(
      pullZipStream(6, Date.UTC(2026, 0, 1), async function* (w) {
        w.addFile('ñame.txt', 'hi');
        yield* w.addLarge('big.json', big);
        w.end();
      }),
    );
    assert.notEqual(zip.readUInt32LE(zip.length - 42), 0x07064b50);
    assert.equal(zip.readUInt16LE(zip.length - 22 + 10), 2);
    const files = unzipSync(zip);
    assert.equal(new TextDecoder().decode(files['ñame.txt']), 'hi');
    assert.equal(new TextDecoder().decode(files['big.json']), big);
  });
});
