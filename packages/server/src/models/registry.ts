/**
 * The models a server knows: the built-in model (always present, generated from code by @labelkit/models)
 * and the manifests of the configuration. Files are fetched and encoder pools started on first use, once.
 */
import { dirname, join } from 'node:path';
import { buildDecoder, buildEncoder, builtinManifest, writeBuiltinModel } from '@labelkit/models/builtin';
import type { DetectorManifest } from '@labelkit/models/detector';
import type { ExecutionProvider } from '../config.ts';
import { EncoderPool } from '../encoder/pool.ts';
import { HttpError, ModelError } from '../errors.ts';
import { isDetectorManifest, type ModelManifest, type SamManifest } from './manifest.ts';
import { type PulledModel, type PullOptions, pullModel } from './pull.ts';

export interface ModelRegistryOptions {
  /** Extra manifests (detectors among them); one with id `builtin` replaces the built-in model. */
  manifests: ModelManifest[];
  /** Folder for downloaded files and the generated built-in model. */
  cacheDir: string;
  /** Execution provider asked of onnxruntime for every encoder (`cuda` falls back to `cpu`). */
  executionProvider: ExecutionProvider;
  /** Worker threads (jobs at once) per model. */
  encoderWorkers: number;
  /** Jobs that may wait per model before 503. */
  queueLength: number;
  /** Told when a model's waiting or running encoder jobs change. */
  onStateChange?: (model: string, waiting: number, running: number) => void;
  /** Told once per model which execution provider its encoder got, and why CUDA was not used if it was asked for. */
  onEncoderReady?: (model: string, provider: string, fallbackReason: string | undefined) => void;
  /** Download progress of model files. */
  onProgress?: PullOptions['onProgress'];
}

/** Encoder outputs each contract needs (DESIGN.md section 7); the decoders read them by name. */
const CONTRACT_OUTPUTS: Record<SamManifest['contract'], string[]> = {
  sam1: ['image_embeddings'],
  sam2: ['image_embed', 'high_res_feats_0', 'high_res_feats_1'],
};

export interface ModelStatus {
  id: string;
  contract: string;
  /** Whether the encoder is loaded in its workers. */
  loaded: boolean;
  executionProvider: string | undefined;
  fallbackReason: string | undefined;
}

/** The built-in model's manifest; its files are generated into `<cacheDir>/builtin` on first use. */
export function builtinModelManifest(cacheDir: string): SamManifest {
  const m = builtinManifest(buildEncoder(), buildDecoder());
  const dir = join(cacheDir, 'builtin');
  return {
    id: 'builtin',
    contract: 'sam1',
    encoder: { url: join(dir, 'encoder.onnx'), sha256: m.encoder?.sha256 ?? '' },
    decoder: { url: join(dir, 'decoder.onnx'), sha256: m.decoder.sha256 },
    license: m.license,
  };
}

export class ModelRegistry {
  private readonly options: ModelRegistryOptions;
  private readonly manifests = new Map<string, SamManifest>();
  private readonly detectorManifests = new Map<string, DetectorManifest>();
  private readonly pulled = new Map<string, Promise<PulledModel>>();
  private readonly pools = new Map<string, Promise<EncoderPool>>();
  private readonly started = new Map<string, EncoderPool>();

  constructor(options: ModelRegistryOptions) {
    this.options = options;
    this.manifests.set('builtin', builtinModelManifest(options.cacheDir));
    for (const m of options.manifests)
      if (isDetectorManifest(m)) this.detectorManifests.set(m.id, m);
      else this.manifests.set(m.id, m);
  }

  /** The Segment-Anything models (detectors are listed by {@link ModelRegistry.detectors}). */
  list(): SamManifest[] {
    return [...this.manifests.values()];
  }

  /** The detector models of the configuration (auto-annotation jobs run them). */
  detectors(): DetectorManifest[] {
    return [...this.detectorManifests.values()];
  }

  /** The manifest of `id`; 404 `model/unknown` when there is none. */
  get(id: string): SamManifest {
    const m = this.manifests.get(id);
    if (!m) throw new HttpError(404, 'model/unknown', `Unknown model "${id}" (GET /v1/models lists them)`);
    return m;
  }

  /** Local paths of the model's files, downloading and checking them the first time. */
  files(id: string): Promise<PulledModel> {
    const manifest = this.get(id);
    let p = this.pulled.get(id);
    if (!p) {
      const pull = () =>
        pullModel(manifest, {
          cacheDir: this.options.cacheDir,
          ...(this.options.onProgress ? { onProgress: this.options.onProgress } : {}),
        });
      // The built-in model is (re)generated when its files are missing or from another version.
      p = pull().catch(async (e: unknown) => {
        if (id !== 'builtin' || !this.isGenerated(manifest)) throw e;
        await writeBuiltinModel(dirname(manifest.encoder.url));
        return pull();
      });
      // A failed pull is retried on the next request rather than remembered.
      p.catch(() => this.pulled.delete(id));
      this.pulled.set(id, p);
    }
    return p;
  }

  /** The started encoder pool of `id`. */
  pool(id: string): Promise<EncoderPool> {
    const manifest = this.get(id);
    let p = this.pools.get(id);
    if (!p) {
      p = this.files(id).then(async (files) => {
        const pool = await EncoderPool.start({
          modelPath: files.encoderPath,
          executionProvider: this.options.executionProvider,
          workers: this.options.encoderWorkers,
          queueLength: this.options.queueLength,
          onStateChange: (waiting, running) => this.options.onStateChange?.(id, waiting, running),
        });
        const missing = CONTRACT_OUTPUTS[manifest.contract].filter((name) => !pool.outputNames.includes(name));
        if (missing.length > 0) {
          await pool.close();
          throw new ModelError(
            'model/contract-mismatch',
            `Model ${id}'s encoder lacks the ${manifest.contract} output${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (it has ${pool.outputNames.join(', ')})`,
          );
        }
        this.started.set(id, pool);
        this.options.onEncoderReady?.(id, pool.provider, pool.fallbackReason);
        return pool;
      });
      p.catch(() => this.pools.delete(id));
      this.pools.set(id, p);
    }
    return p;
  }

  status(): ModelStatus[] {
    return this.list().map((m) => {
      const pool = this.started.get(m.id);
      return {
        id: m.id,
        contract: m.contract,
        loaded: pool !== undefined,
        executionProvider: pool?.provider,
        fallbackReason: pool?.fallbackReason,
      };
    });
  }

  /** Lets the process exit while encoder workers are alive. */
  unref(): void {
    for (const pool of this.started.values()) pool.unref();
  }

  /** Stops every encoder pool, letting running jobs finish within `deadlineMs`. */
  async close(deadlineMs = 0): Promise<void> {
    const pools = await Promise.allSettled(this.pools.values());
    await Promise.all(pools.map((p) => (p.status === 'fulfilled' ? p.value.close(deadlineMs) : undefined)));
  }

  private isGenerated(m: SamManifest): boolean {
    return m.encoder.url === join(this.options.cacheDir, 'builtin', 'encoder.onnx');
  }
}
