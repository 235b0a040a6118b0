/**
 * Auto-annotation jobs (issue 11), items per second on CPU, each run one whole job through JobManager (listing,
 * image reads from an fs storage in /dev/shm, decode, inference, checkpoints, the final commit):
 * - a YOLO-shaped graph (`colourSquaresGraph`: the exact input [1,3,640,640] and v8 output [1,7,8400] of an
 *   Ultralytics export, without learned weights) over 640x480 JPEGs;
 * - the same with `boxToMask`: every box refined by the built-in SAM model (the encoder through the server's
 *   encoder pool, one 1024x1024 embedding per image, and the decoder graph per box).
 * The detector graph costs a fraction of a real YOLO11n; the figures measure the job machinery around it.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { colourSquaresGraph } from '../../packages/models/src/detector/testing/graphs.ts';
import { DatasetRegistry } from '../../packages/server/src/datasets/registry.ts';
import { EmbeddingService } from '../../packages/server/src/encoder/service.ts';
import { writeJpegs } from '../../packages/server/src/jobs/fixtures/harness.ts';
import { PredictorFactory } from '../../packages/server/src/jobs/predict.ts';
import { JobManager } from '../../packages/server/src/jobs/runner.ts';
import type { JobSpec } from '../../packages/server/src/jobs/types.ts';
import { silentLogger } from '../../packages/server/src/logger.ts';
import { Metrics } from '../../packages/server/src/metrics.ts';
import { ModelRegistry } from '../../packages/server/src/models/registry.ts';
import { FsDriver } from '../../packages/server/src/storage/drivers/fs.ts';
import { suite } from '../harness.ts';

const ITEMS = Number(process.env.LABELKIT_BENCH_JOB_ITEMS ?? 40);
/** `LABELKIT_EP=cuda` on a machine with a GPU (falls back to the CPU without one). */
const ep = process.env.LABELKIT_EP === 'cuda' ? 'cuda' : 'cpu';

async function setup() {
  const root = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'lk-bench-jobs-'));
  await writeJpegs(join(root, 'images'), ITEMS);
  const graph = colourSquaresGraph(640);
  writeFileSync(join(root, 'yolo.onnx'), graph);
  const storages = new Map([['data', new FsDriver({ root, secret: 'bench-secret-0123456789abcdef' })]]);
  const datasets = new DatasetRegistry({
    storages,
    datasets: [{ id: 'bench', source: { storage: 'data', prefix: 'images/' } }],
  });
  const cacheDir = join(root, 'model-cache');
  const registry = new ModelRegistry({
    manifests: [
      {
        id: 'yolo-shaped',
        contract: 'detector',
        model: { url: join(root, 'yolo.onnx'), sha256: createHash('sha256').update(graph).digest('hex') },
        inputSize: 640,
        classes: ['red', 'green', 'blue'],
        license: 'MIT',
      },
    ],
    cacheDir,
    executionProvider: ep,
    encoderWorkers: 1,
    queueLength: 16,
  });
  const service = new EmbeddingService({
    registry,
    metrics: new Metrics(),
    logger: silentLogger,
    cacheBytes: 8 * 2 ** 20, // smaller than the images' embeddings: every run encodes again
    maxPixels: 2 ** 26,
    storage: undefined,
  });
  const jobs = new JobManager({
    datasets,
    predictors: new PredictorFactory({ registry, service, cacheDir, maxPixels: 2 ** 26, executionProvider: ep }),
    logger: silentLogger,
  });
  const dataset = await datasets.get('bench');
  if (!dataset) throw new Error('no dataset');
  return { jobs, dataset, registry };
}

type Input = Awaited<ReturnType<typeof setup>>;
const spec = (boxToMask: boolean): JobSpec => ({
  model: 'yolo-shaped',
  items: { prefix: '', unlabeled: false },
  labelMap: { red: 'red' },
  thresholds: { confidence: 0.25, iou: 0.7 },
  boxToMask,
});
const runJob = (boxToMask: boolean) => async (input: Input) => {
  const job = await input.jobs.create(input.dataset, spec(boxToMask), 'bench');
  await input.jobs.idle();
  // The encoder's worker threads must not keep the bench process alive once the suites are done.
  input.registry.unref();
  const r = await input.jobs.get(input.dataset, job.id);
  if (r?.state !== 'done' || r.done !== ITEMS) throw new Error(`job ended ${r?.state} (${JSON.stringify(r?.failure)})`);
};

let shared: Promise<Input> | undefined;
const once = () => {
  shared ??= setup();
  return shared;
};

suite('jobs', [
  {
    name: `YOLO-shaped graph 640 (8400 anchors), ${ITEMS} JPEGs 640x480, one job`,
    setup: once,
    run: runJob(false),
    iterations: 3,
    units: { count: ITEMS, name: 'items' },
  },
  {
    name: `same + boxToMask (built-in SAM encoder 1024 + decoder per box)`,
    setup: once,
    run: runJob(true),
    iterations: 3,
    units: { count: ITEMS, name: 'items' },
  },
]);
