import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { S3Driver, S3DriverOptions } from '../drivers/index.ts';

export const TEST_BUCKET = 'labelkit-test';

export interface RunningS3rver {
  endpoint: string;
  /** Options of an `S3Driver` for this store (path style, s3rver's fixed credentials). */
  options: S3DriverOptions;
  close(): Promise<void>;
}

const script = fileURLToPath(new URL('./s3rver-process.mjs', import.meta.url));

/** s3rver (in a child process, see s3rver-process.mjs) on 127.0.0.1, a random port and a temp folder. */
export async function startS3rver(): Promise<RunningS3rver> {
  const directory = mkdtempSync(join(tmpdir(), 'labelkit-s3rver-'));
  const child = spawn(process.execPath, ['--openssl-legacy-provider', script, directory, TEST_BUCKET], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`s3rver exited with ${code} before listening`)));
  });
  const { address, port } = JSON.parse(line) as { address: string; port: number };
  const endpoint = `http://${address}:${port}`;
  return {
    endpoint,
    options: {
      bucket: TEST_BUCKET,
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      maxAttempts: 1,
    },
    close: async () => {
      child.stdin.end();
      const timer = setTimeout(() => child.kill(), 5000);
      await exited;
      clearTimeout(timer);
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/**
 * Records the lower-cased headers of every request the driver's client sends (after serialization, before
 * signing); the returned function hands them over and forgets them.
 */
export function recordHeaders(driver: S3Driver): () => Record<string, string>[] {
  let seen: Record<string, string>[] = [];
  driver.client.middlewareStack.add(
    (next) => async (args) => {
      const headers = (args.request as { headers?: Record<string, string> }).headers ?? {};
      seen.push(Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])));
      return next(args);
    },
    { step: 'finalizeRequest', name: 'labelkitRecordHeaders' },
  );
  return () => {
    const out = seen;
    seen = [];
    return out;
  };
}
