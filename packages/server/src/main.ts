/**
 * The `labelkit` command line, as a function: `cli.ts` runs it on `process.argv`, tests call it directly.
 * Returns the exit code, or -1 while `serve` keeps running.
 */
import { parseArgs } from 'node:util';
import { loadConfig, OPTIONS, optionsHelp, type ServerConfig } from './config.ts';
import { jsonLogger } from './logger.ts';
import { ModelRegistry } from './models/registry.ts';
import { startServer } from './serve.ts';

const HELP = `labelkit - the LabelKit server and tools

Usage:
  labelkit serve [options]          start the server (examples site, embeddings API, models)
  labelkit models list [options]    list the configured models
  labelkit models pull ID [options] download a model's files (progress, sha256 check) into the model cache
  labelkit convert ...              convert annotations between formats (labelkit convert --help)
  labelkit import PATH --dataset ID an export (coco, yolo, voc, cvat, labelstudio) becomes a commit of a
                                    dataset (labelkit import --help)
  labelkit export --dataset ID --format F [--at COMMIT] --out FILE.zip
                                    a dataset at a commit as a zip, as the export route (labelkit export --help)
  labelkit backup --dataset ID --to DIR|STORAGE[:PREFIX] [--images]
                                    copy a dataset's history (and images) elsewhere, resumable, hash-checked
                                    (labelkit backup --help)
  labelkit restore --from DIR|STORAGE[:PREFIX] --dataset ID [--images] [--force]
                                    copy a backup into a dataset; branches move only forward unless --force
  labelkit verify --dataset ID      check a dataset's history (missing/corrupt objects, broken refs, dangling
                                    commits) and its images' lineage; exit 1 with the list of problems

Options (command line > environment > labelkit.config.json > default):
  --config FILE             config file (env LABELKIT_CONFIG; default ./labelkit.config.json when it exists);
                            it may also hold "models": [{ id, contract, encoder: {url, sha256},
                            decoder: {url, sha256}, license }] (see packages/server/README.md)
${optionsHelp()}
  -h, --help                this help

CUDA: --execution-provider cuda needs onnxruntime-node's CUDA libraries (a separate download, see the README);
when they or the GPU are missing the encoder runs on the CPU and says why in the log and in /readyz.
`;

function parse(argv: string[]) {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    config: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  };
  for (const o of OPTIONS) options[o.flag] = { type: o.kind === 'boolean' ? 'boolean' : 'string' };
  return parseArgs({ args: argv, allowPositionals: true, options, strict: true });
}

function config(values: Record<string, string | boolean | undefined>): ServerConfig {
  const r = loadConfig({ file: values.config as string | undefined, flags: values });
  if (!r.ok) throw new Error(`${r.error.message}${r.error.path ? ` (at ${r.error.path})` : ''}`);
  return r.value;
}

async function serve(values: Record<string, string | boolean | undefined>): Promise<number> {
  const cfg = config(values);
  const logger = jsonLogger();
  const running = await startServer({ ...cfg, logger });
  process.stdout.write(`LabelKit is serving on ${running.url}/\n`);
  for (const m of running.labelkit.registry.status().filter((s) => s.loaded))
    process.stdout.write(
      `Encoder "${m.id}" runs on ${m.executionProvider?.toUpperCase()}${m.fallbackReason ? ` (CUDA unavailable: ${m.fallbackReason})` : ''}\n`,
    );
  const stop = (signal: string) => {
    logger.info('shutting down', { signal, deadlineSeconds: cfg.shutdownSeconds });
    void running.close(cfg.shutdownSeconds * 1000).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  return -1;
}

async function models(
  sub: string | undefined,
  id: string | undefined,
  values: Record<string, string | boolean | undefined>,
  io: CliIo,
): Promise<number> {
  const cfg = config(values);
  if (sub === 'list') {
    for (const m of new ModelRegistry({ ...cfg, manifests: cfg.models, cacheDir: cfg.modelCacheDir }).list())
      io.out(`${m.id}\t${m.contract}\t${m.license}\n`);
    return 0;
  }
  if (sub !== 'pull' || !id) {
    io.err('labelkit: usage: labelkit models pull ID | labelkit models list\n');
    return 1;
  }
  let last = '';
  const pulling = new ModelRegistry({
    ...cfg,
    manifests: cfg.models,
    cacheDir: cfg.modelCacheDir,
    onProgress: (p) => {
      const mb = (n: number) => (n / 1e6).toFixed(1);
      const line = p.totalBytes
        ? `${p.model} ${p.part} ${String(Math.floor((100 * p.receivedBytes) / p.totalBytes)).padStart(3)}% ${mb(p.receivedBytes)}/${mb(p.totalBytes)} MB`
        : `${p.model} ${p.part} ${mb(p.receivedBytes)} MB`;
      if (line !== last && process.stderr.isTTY) process.stderr.write(`\r${line}`);
      last = line;
    },
  });
  const files = await pulling.files(id);
  if (last && process.stderr.isTTY) process.stderr.write('\n');
  io.out(`${id}: encoder ${files.encoderPath}\n${id}: decoder ${files.decoderPath}\n`);
  return 0;
}

/** Where the command line writes (stdout/stderr by default). */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const processIo: CliIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  if (argv[0] === 'convert') {
    // The converter is its own module (written with the formats): loaded only when asked for.
    const { convertCommand } = (await import('./commands/convert.ts' as string)) as {
      convertCommand: (argv: string[]) => Promise<number> | number;
    };
    return convertCommand(argv.slice(1));
  }
  if (argv[0] === 'import' || argv[0] === 'export') {
    // Loaded only when asked for, like convert: they pull in the datasets and storage drivers.
    const run =
      argv[0] === 'import'
        ? (await import('./commands/import.ts')).importCommand
        : (await import('./commands/export.ts')).exportCommand;
    return run(argv.slice(1));
  }
  if (argv[0] === 'backup' || argv[0] === 'restore' || argv[0] === 'verify') {
    const ops = argv[0];
    const run =
      ops === 'verify'
        ? (await import('./commands/verify.ts')).verifyCommand
        : (await import('./commands/backup.ts'))[ops === 'backup' ? 'backupCommand' : 'restoreCommand'];
    return run(argv.slice(1));
  }
  const { values, positionals } = parse(argv);
  const command = positionals[0];
  if (values.help || !command) {
    io.out(HELP);
    return command || values.help ? 0 : 1;
  }
  if (command === 'serve') return serve(values);
  if (command === 'models') return models(positionals[1], positionals[2], values, io);
  io.err(`labelkit: unknown command "${command}"\n\n${HELP}`);
  return 1;
}
