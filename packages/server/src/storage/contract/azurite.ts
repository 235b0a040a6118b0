import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { AzureDriverOptions } from '../drivers/index.ts';

/** Azurite's fixed development account (public, documented by Microsoft; not a secret). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
export const TEST_CONTAINER = 'labelkit-test';

export interface RunningAzurite {
  /** `http://127.0.0.1:<port>/devstoreaccount1` */
  accountUrl: string;
  /** Options of an `AzureDriver` for this store (account key, test container, one try per request). */
  options: AzureDriverOptions;
  close(): Promise<void>;
}

const script = fileURLToPath(new URL('./azurite-process.mjs', import.meta.url));

/**
 * Azurite's Blob service in a child process (azurite-process.mjs, which exits with this process) on 127.0.0.1
 * and a free port, in memory. Azurite checks SAS
 * signatures, permissions and expiry and enforces `If-Match` / `If-None-Match`, so the suite runs against it as
 * against Azure. The container is created by the caller (the driver does not create containers).
 */
export async function startAzurite(): Promise<RunningAzurite> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      script,
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      '0',
      '--inMemoryPersistence',
      '--disableTelemetry',
      '--skipApiVersionCheck',
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const origin = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      const m = /successfully listens on (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`azurite exited with ${code} before listening`)));
  });
  const accountUrl = `${origin}/${AZURITE_ACCOUNT}`;
  return {
    accountUrl,
    options: {
      container: TEST_CONTAINER,
      accountName: AZURITE_ACCOUNT,
      accountKey: AZURITE_KEY,
      accountUrl,
      maxTries: 1,
    },
    close: async () => {
      // In memory, nothing to flush; a graceful stop would wait for the clients' keep-alive sockets.
      child.kill('SIGKILL');
      await exited;
    },
  };
}
