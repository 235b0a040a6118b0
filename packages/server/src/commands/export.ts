/**
 * `labelkit export --dataset ID --format F [--at COMMIT|BRANCH] --out x.zip`: the same zip as
 * `GET /v1/datasets/:id/export`, written to a file. The zip is streamed to a temporary file beside the target
 * and renamed at the end, so a failed export leaves no half-written zip.
 */
import { createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FormatName, LabelKitError } from '@labelkit/core';
import { type CommandIo, parseCommand, printError } from '../export/cli.ts';
import { checkExportFormat, type ExportSummary, exportFileName, exportZip } from '../export/index.ts';
import { type OpenDatasetOptions, openDataset } from '../export/open.ts';
import { lineageFidelity } from '../ops/lineage.ts';

export interface ExportOptions extends OpenDatasetOptions {
  format: string;
  /** A commit hash or a branch (default `main`). */
  at?: string;
  /** The zip to write (default `<id>-<short hash>-<format>.zip` in the working folder). */
  out?: string;
  signal?: AbortSignal;
}

export interface ExportResult {
  file: string;
  commit: string;
  bytes: number;
  format: FormatName;
}

/** Writes the export of a dataset at a commit to a zip file. */
export async function exportDataset(options: ExportOptions): Promise<ExportResult> {
  const format = checkExportFormat(options.format);
  const { service } = await openDataset(options);
  const found = await service.resolve(options.at ?? 'main');
  const commit = (found as { hash: string }).hash;
  const file = options.out ?? exportFileName(service.id, commit, format);
  const tmp = `${file}.${process.pid}.tmp`;
  let bytes = 0;
  const stream = exportZip({
    format,
    labels: service.dataset.labels,
    documents: service.documents(commit),
    lineage: lineageFidelity({ driver: service.source, prefix: service.dataset.source.prefix }),
    meta: { dataset: service.id, commit },
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const counted = stream.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, c) {
        bytes += chunk.length;
        c.enqueue(chunk);
      },
    }),
  );
  try {
    await pipeline(
      Readable.fromWeb(counted as import('node:stream/web').ReadableStream<Uint8Array>),
      createWriteStream(tmp),
    );
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
  return { file, commit, bytes, format };
}

const NAMES = Object.values(FormatName) as string[];

export const EXPORT_HELP = `Usage: labelkit export --dataset ID --format FORMAT [options]

Writes a dataset's annotations at a commit as a zip in one format (${NAMES.join(', ')}), with
fidelity.json (what the format could not hold, per item) and labelkit-export.json; the same zip as
GET /v1/datasets/ID/export.

Options:
  --dataset ID       the dataset (required)
  --format FORMAT    ${NAMES.join(', ')} (required)
  --at COMMIT        a commit hash or a branch (default main)
  --out FILE         the zip to write (default <id>-<short hash>-<format>.zip here)
  --config FILE      the server config (storages, datasets); default ./labelkit.config.json when it exists
  --data DIR         the "data" storage folder (overrides dataDir)
  -h, --help         this help
`;

/** The `labelkit export` command. Returns the exit code: 0 done, 1 failure, 2 bad usage. */
export async function exportCommand(argv: string[], io?: CommandIo): Promise<number> {
  const cmd = parseCommand('export', argv, EXPORT_HELP, { format: 'string', at: 'string', out: 'string' }, io);
  if (typeof cmd === 'number') return cmd;
  const { values, positionals, out, usage } = cmd;
  if (positionals.length) return usage(`unexpected argument "${positionals[0]}"`);
  if (!values.format) return usage('--format is required');
  if (!NAMES.includes(values.format)) return usage(`unknown format "${values.format}"`);
  try {
    const r = await exportDataset({
      ...cmd.open,
      format: values.format,
      ...(values.at ? { at: values.at } : {}),
      ...(values.out ? { out: values.out } : {}),
    });
    out.stdout.write(`Exported ${cmd.open.dataset} at ${r.commit} as ${r.format}: ${r.file} (${r.bytes} bytes)\n`);
    return 0;
  } catch (e) {
    if (!(e instanceof LabelKitError)) throw e;
    printError('export', e, out);
    return 1;
  }
}

export type { ExportSummary };
