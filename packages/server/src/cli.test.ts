import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { OPTIONS } from '@labelkit/server';
import { image, metricValue, tempDir, writeTestModels } from './fixtures/setup.ts';
import { main } from './main.ts';

const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));
const nodeArgs = ['--conditions=labelkit-source', '--import', import.meta.resolve('tsx')];

/** Starts `labelkit serve` and resolves with its URL once it prints it. */
function serve(args: string[], cwd: string): Promise<{ child: ChildProcess; url: string; out: () => string }> {
  const child = spawn(process.execPath, [...nodeArgs, cli, 'serve', ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stderr?.on('data', (d) => {
    out += d;
  });
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d) => {
      out += d;
      const m = /LabelKit is serving on (http:\/\/[^\s]+)\//.exec(out);
      if (m?.[1]) resolve({ child, url: m[1], out: () => out });
    });
    child.once('exit', (code) => reject(new Error(`labelkit serve exited with ${code}: ${out}`)));
  });
}

describe('labelkit command line', () => {
  const capture = () => {
    const text = { out: '', err: '' };
    return { text, io: { out: (t: string) => void (text.out += t), err: (t: string) => void (text.err += t) } };
  };

  it('documents every option in --help', async () => {
    const { text, io } = capture();
    assert.equal(await main(['--help'], io), 0);
    for (const o of OPTIONS) {
      assert.ok(text.out.includes(`--${o.flag}`), o.flag);
      assert.ok(text.out.includes(o.env), o.env);
    }
    assert.match(text.out, /models pull ID/);
    assert.match(text.out, /labelkit convert/);
    assert.equal(await main(['frobnicate'], io), 1);
    assert.match(text.err, /unknown command "frobnicate"/);
  });

  it('refuses a bad config file with the field named', async () => {
    const file = join(tempDir(), 'labelkit.config.json');
    writeFileSync(file, JSON.stringify({ queueLength: 'many' }));
    await assert.rejects(
      main(['serve', '--config', file], capture().io),
      /queueLength must be a non-negative integer.*\$\.queueLength/,
    );
  });

  it('pulls a configured model and reports a checksum mismatch as an error', async () => {
    const dir = tempDir();
    const models = writeTestModels(join(dir, 'models'));
    const file = join(dir, 'labelkit.config.json');
    writeFileSync(
      file,
      JSON.stringify({
        models: [models.sam1, { ...models.sam2, encoder: { ...models.sam2.encoder, sha256: 'c'.repeat(64) } }],
      }),
    );
    const { text, io } = capture();
    assert.equal(await main(['models', 'pull', 'sam1-test', '--config', file], io), 0);
    assert.match(text.out, /sam1-test: encoder .*sam1\.onnx/);
    await assert.rejects(main(['models', 'pull', 'sam2-test', '--config', file], io), {
      code: 'model/checksum-mismatch',
      message: /sha256 of .* is [0-9a-f]{64}, the manifest says c{64}/,
    });
    assert.equal(await main(['models', 'list', '--config', file], io), 0);
    assert.match(text.out, /builtin\tsam1/);
  });

  it('serves the built-in model, falls back to the CPU with a reason when CUDA is missing, and exits cleanly on SIGTERM', async () => {
    const cwd = tempDir();
    const { child, url, out } = await serve(
      ['--port', '0', '--shutdown-seconds', '10', '--execution-provider', 'cuda', '--model-cache', join(cwd, 'cache')],
      cwd,
    );
    try {
      assert.equal((await fetch(`${url}/healthz`)).status, 200);
      const ready = (await (await fetch(`${url}/readyz`)).json()) as {
        status: string;
        models: { id: string; executionProvider?: string; fallbackReason?: string }[];
      };
      assert.equal(ready.status, 'ready');
      const builtin = ready.models.find((m) => m.id === 'builtin');
      // On a machine with a GPU and onnxruntime's CUDA libraries the encoder does run on CUDA.
      if (builtin?.executionProvider !== 'cuda') {
        assert.equal(builtin?.executionProvider, 'cpu');
        assert.ok((builtin?.fallbackReason ?? '').length > 0);
        assert.match(out(), /Encoder "builtin" runs on CPU \(CUDA unavailable: .+\)/);
      }
      // SIGTERM while a job runs: the job finishes and its client gets the answer.
      const pending = fetch(`${url}/v1/embeddings?secret=do-not-log`, {
        method: 'POST',
        body: (await image('png', 300, 200, 9)) as BodyInit,
        headers: { 'content-type': 'image/png' },
      });
      for (let i = 0; i < 500; i++) {
        const m = await (await fetch(`${url}/metrics`)).text();
        if (
          metricValue(m, 'labelkit_encoder_running', 'model="builtin"') > 0 ||
          metricValue(m, 'labelkit_embedding_cache_misses_total') > 0
        )
          break;
        await new Promise((r) => setTimeout(r, 2));
      }
      const exited = new Promise<number | null>((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const res = await pending;
      assert.equal(res.status, 200);
      await res.arrayBuffer();
      assert.equal(await exited, 0);
      const logs = out()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      const post = logs.find((l) => l.msg === 'request' && l.method === 'POST');
      assert.equal(post?.path, '/v1/embeddings');
      assert.match(String(post?.requestId), /^[0-9a-f-]{36}$/);
      assert.doesNotMatch(out(), /do-not-log/, 'query strings (signed URLs) never reach the log');
      assert.ok(logs.some((l) => l.msg === 'shutting down'));
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
