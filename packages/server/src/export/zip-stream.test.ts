import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { unzipSync } from 'fflate';
import { pullZipStream, ZipEntryError } from './zip-stream.ts';

/** Reads `zip` back with Python's zipfile (CRCs included) where python3 exists: a reader other than fflate. */
function pythonCheck(zip: Buffer): { entries: number } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'lk-zip-'));
  try {
    const file = join(dir, 'x.zip');
    writeFileSync(file, zip);
    const py =
      'import sys,zipfile\nz=zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nprint(len(z.infolist()))';
    const r = spawnSync('python3', ['-c', py, file], { encoding: 'utf8' });
    if (r.error) return undefined;
    assert.equal(r.status, 0, r.stderr);
    return { entries: Number(r.stdout.trim()) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

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
    const py = pythonCheck(zip);
    if (py) assert.equal(py.entries, n);
  });

  it('keeps the plain end record below 65,535 entries, with UTF-8 names and data descriptors for streamed files', async () => {
    const big = 'é'.repeat(1_500_000);
    const zip = await bytesOf(
      pullZipStream(6, Date.UTC(2026, 0, 1), async function* (w) {
        w.addFile('ñame.txt', 'hi');
        w.addLarge('big.json', big);
        yield;
        w.end();
      }),
    );
    assert.notEqual(zip.readUInt32LE(zip.length - 42), 0x07064b50);
    assert.equal(zip.readUInt16LE(zip.length - 22 + 10), 2);
    const files = unzipSync(zip);
    assert.equal(new TextDecoder().decode(files['ñame.txt']), 'hi');
    assert.equal(new TextDecoder().decode(files['big.json']), big);
    const py = pythonCheck(zip);
    if (py) assert.equal(py.entries, 2);
  });

  it('fails the stream with export/bad-entry-name for a name a zip cannot hold', async () => {
    for (const name of ['../escape.txt', '/abs.txt', 'x'.repeat(70_000)]) {
      const stream = pullZipStream(6, Date.UTC(2026, 0, 1), async function* (w) {
        w.addFile(name, 'hi');
        yield;
        w.end();
      });
      await assert.rejects(
        bytesOf(stream),
        (e: unknown) => e instanceof ZipEntryError && e.code === 'export/bad-entry-name',
        name.slice(0, 20),
      );
    }
  });
});
