/**
 * Storage benchmarks (issue 9).
 *
 * - signing: 1,000 signed URLs per run; fs = HMAC-SHA256 over the canonical grant, s3 = the SDK's SigV4
 *   presigner (no network: presigning is local), plus presigned POST policies and fs signature checks.
 * - fs writes: 100 small objects with `ifNoneMatch: '*'` (lock file, temp file, two fsyncs and a rename each).
 * - fs list: a 10,000-key tree read in pages of 1,000.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsDriver, S3Driver, verifyFsSignature } from '../../packages/server/src/storage/drivers/index.ts';
import { suite } from '../harness.ts';

const N = 1000;
const secret = 'bench-secret-0123456789abcdef0123456789abcdef';
const fs = new FsDriver({ root: mkdtempSync(join(tmpdir(), 'labelkit-bench-sign-')), secret });
const s3 = new S3Driver({
  bucket: 'labelkit-bench',
  endpoint: 'http://127.0.0.1:9000',
  publicEndpoint: 'https://s3.example.com',
  forcePathStyle: true,
  credentials: { accessKeyId: 'BENCH', secretAccessKey: 'BENCH-SECRET' },
});
const keys = Array.from({ length: N }, (_, i) => `datasets/d1/images/${String(i).padStart(6, '0')}.jpg`);

suite('storage signing', [
  {
    name: `fs sign GET x${N} (HMAC-SHA256)`,
    units: { count: N, name: 'URLs' },
    run: async () => {
      for (const key of keys) await fs.sign({ key, method: 'GET' });
    },
  },
  {
    name: `fs sign PUT x${N} (content type + max bytes)`,
    units: { count: N, name: 'URLs' },
    run: async () => {
      for (const key of keys) await fs.sign({ key, method: 'PUT', contentType: 'image/jpeg', maxBytes: 10_000_000 });
    },
  },
  {
    name: `fs verify x${N}`,
    units: { count: N, name: 'URLs' },
    setup: async () =>
      Promise.all(
        keys.map(async (key) => {
          const q = new URL((await fs.sign({ key, method: 'GET' })).url, 'http://x').searchParams;
          const get = (n: string) => q.get(n) ?? undefined;
          return {
            key,
            params: { method: get('method'), expires: get('expires'), ct: get('ct'), max: get('max'), sig: get('sig') },
          };
        }),
      ),
    run: (signed: { key: string; params: Parameters<typeof verifyFsSignature>[0]['params'] }[]) => {
      for (const s of signed) {
        const r = verifyFsSignature({ method: 'GET', key: s.key, params: s.params }, secret);
        if (!r.ok) throw r.error;
      }
    },
  },
  {
    name: `s3 presign GET x${N} (SigV4)`,
    units: { count: N, name: 'URLs' },
    run: async () => {
      for (const key of keys) await s3.sign({ key, method: 'GET' });
    },
  },
  {
    name: `s3 presign PUT x${N} (signed content-type)`,
    units: { count: N, name: 'URLs' },
    run: async () => {
      for (const key of keys) await s3.sign({ key, method: 'PUT', contentType: 'image/jpeg' });
    },
  },
  {
    name: 's3 presigned POST x100 (content-length-range)',
    units: { count: 100, name: 'forms' },
    run: async () => {
      for (const key of keys.slice(0, 100)) await s3.signPost({ key, contentType: 'image/jpeg', maxBytes: 10_000_000 });
    },
  },
]);

suite('storage fs', [
  {
    name: 'fs put x100 ifNoneMatch (1 KB, locked, fsynced)',
    units: { count: 100, name: 'writes' },
    time: 3000,
    setup: () => ({ d: new FsDriver({ root: mkdtempSync(join(tmpdir(), 'labelkit-bench-put-')) }), round: 0 }),
    run: async (s: { d: FsDriver; round: number }) => {
      const body = new Uint8Array(1024);
      const round = s.round++;
      await Promise.all(
        Array.from({ length: 100 }, (_, i) => s.d.put(`objects/${round}/${i}.json`, body, { ifNoneMatch: '*' })),
      );
    },
  },
  {
    name: 'fs list 10,000 keys in pages of 1,000',
    units: { count: 10_000, name: 'keys' },
    setup: () => {
      const root = mkdtempSync(join(tmpdir(), 'labelkit-bench-list-'));
      for (let dir = 0; dir < 100; dir++) {
        mkdirSync(join(root, 'items', String(dir).padStart(3, '0')), { recursive: true });
        for (let i = 0; i < 100; i++)
          writeFileSync(join(root, 'items', String(dir).padStart(3, '0'), `${i}.json`), '{}');
      }
      return new FsDriver({ root });
    },
    run: async (d: FsDriver) => {
      let cursor: string | undefined;
      let n = 0;
      do {
        const page = await d.list('items/', { limit: 1000, ...(cursor ? { cursor } : {}) });
        n += page.keys.length;
        cursor = page.cursor;
      } while (cursor);
      if (n !== 10_000) throw new Error(`listed ${n} keys`);
    },
  },
]);
