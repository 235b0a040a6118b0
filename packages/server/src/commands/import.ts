/**
 * `labelkit import <path> --dataset ID`: an interchange export (COCO, YOLO, VOC, CVAT, Label Studio; a folder,
 * one file or a .zip) becomes one commit of a dataset, on top of its branch's head (or its first commit).
 * The whole export is parsed and checked before anything is written: a bad file writes nothing.
 */
import { type FidelityEntry, FormatName, LabelKitError } from '@labelkit/core';
import type { CommitResult } from '../datasets/commit.ts';
import { type CommandIo, parseCommand, printError } from '../export/cli.ts';
import { type OpenDatasetOptions, openDataset } from '../export/open.ts';
import { prepareImport } from '../export/prepare.ts';
import { formatFidelity, readInput } from './convert.ts';

export interface ImportOptions extends OpenDatasetOptions {
  /** A folder, one annotation file or a .zip. */
  input: string;
  /** Detected from the files when undefined. */
  format?: FormatName;
  /** Default `main`. */
  branch?: string;
  /** Default `Import <file name> (<format>)`. */
  message?: string;
  /** Who commits. */
  author: string;
}

export interface ImportResult {
  format: FormatName;
  items: number;
  shapes: number;
  commit: CommitResult;
  fidelity: FidelityEntry[];
}

/**
 * Imports an export into a dataset as one commit. Rejects with a FormatError (file, JSON path) on bad input,
 * and with the dataset's errors (unknown dataset, conflict) otherwise; nothing is written in either case.
 */
export async function importDataset(options: ImportOptions): Promise<ImportResult> {
  const { service } = await openDataset(options);
  const files = await readInput(options.input, () => {});
  const prepared = prepareImport(files, {
    ...(options.format ? { format: options.format } : {}),
    labels: service.dataset.labels,
    source: options.input,
  });
  const branch = options.branch ?? 'main';
  const ref = await service.history.readRef(branch);
  const commit = await service.commit({
    branch,
    parent: ref?.head ?? null,
    message: options.message ?? `Import ${options.input.split(/[\\/]/).pop()} (${prepared.format})`,
    items: prepared.items,
    author: options.author,
  });
  return {
    format: prepared.format,
    items: prepared.items.size,
    shapes: prepared.shapes,
    commit,
    fidelity: prepared.fidelity,
  };
}

const NAMES = Object.values(FormatName) as string[];

export const IMPORT_HELP = `Usage: labelkit import PATH --dataset ID [options]

Imports an annotation export (${NAMES.join(', ')}; a folder, one file or a .zip) into a dataset
as one commit on top of the branch's head (the dataset's first commit when the branch is empty).
Everything is parsed and checked first: a bad file writes nothing.

Options:
  --dataset ID       the dataset (declared in the config, or created with POST /v1/datasets) (required)
  --format FORMAT    auto (default: detected from the files) or ${NAMES.join(', ')}
  --branch NAME      the branch to commit to (default main)
  --message TEXT     the commit message (default "Import <file> (<format>)")
  --author NAME      the commit's author (default: the system user name)
  --config FILE      the server config (storages, datasets); default ./labelkit.config.json when it exists
  --data DIR         the "data" storage folder (overrides dataDir)
  --verbose          list every fidelity entry, not only the first 20
  -h, --help         this help
`;

/** The `labelkit import` command. Returns the exit code: 0 done, 1 bad input or failure, 2 bad usage. */
export async function importCommand(argv: string[], io?: CommandIo): Promise<number> {
  const cmd = parseCommand('import', argv, IMPORT_HELP, { format: 'string', branch: 'string', message: 'string' }, io);
  if (typeof cmd === 'number') return cmd;
  const { values, positionals, out, usage } = cmd;
  if (positionals.length !== 1) return usage('give one PATH to import');
  const format = values.format === undefined || values.format === 'auto' ? undefined : values.format;
  if (format !== undefined && !NAMES.includes(format)) return usage(`unknown format "${format}"`);
  try {
    const r = await importDataset({
      ...cmd.open,
      input: positionals[0] as string,
      ...(format ? { format: format as FormatName } : {}),
      ...(values.branch ? { branch: values.branch } : {}),
      ...(values.message ? { message: values.message } : {}),
      author: cmd.author,
    });
    out.stdout.write(
      `Imported ${r.items} items and ${r.shapes} shapes (${r.format}) into ${cmd.open.dataset}: commit ${r.commit.commit}` +
        `${r.commit.merged ? ` (merged into ${r.commit.head})` : ''}\n`,
    );
    out.stdout.write(formatFidelity(r.fidelity, values.verbose ? Number.POSITIVE_INFINITY : 20));
    return 0;
  } catch (e) {
    if (!(e instanceof LabelKitError)) throw e;
    printError('import', e, out);
    return 1;
  }
}
