/**
 * `labelkit backup --dataset ID --to DIR|STORAGE[:PREFIX] [--images]` and `labelkit restore --from ...`:
 * copy a dataset's history (and images) between storages, resumable, every object's hash checked.
 */
import { LabelKitError } from '@labelkit/core';
import { printError } from '../export/cli.ts';
import { openDataset } from '../export/open.ts';
import { abortOnInterrupt, type CommandIo, parseOpsCommand } from '../ops/cli.ts';
import type { CopyReport } from '../ops/copy.ts';
import { parseLocation } from '../ops/location.ts';
import { backupDataset, restoreDataset } from '../ops/ops.ts';
import { formatBytes, Progress, type ProgressStream } from '../ops/progress.ts';

const WHERE = `DIR | STORAGE[:PREFIX]  a folder, or a storage of the config ("data", "photos", ...) and a key prefix in it`;

export const BACKUP_HELP = `Usage: labelkit backup --dataset ID --to DIR|STORAGE[:PREFIX] [options]

Copies the dataset's history (objects, trees, commits, then refs) and, with --images, its source images to
another place (any storage driver to any other). Objects already there with the same content are skipped,
so an interrupted backup resumes when run again; every object's sha256 is checked on read and after write;
refs are written last, so a partial backup never has a ref to a missing commit. A branch of the backup
moves only forward unless --force. Progress goes to stderr.

Options:
  --dataset ID       the dataset (required)
  --to WHERE         ${WHERE} (required)
  --images           copy the source images too (under images/)
  --force            move backup branches that are not ancestors of the dataset's (loses commits there)
  --config FILE      the server config (storages, datasets); default ./labelkit.config.json when it exists
  --data DIR         the "data" storage folder (overrides dataDir)
  -h, --help         this help

Exit status: 0 done, 1 problems (listed) or failure, 2 bad usage.
`;

export const RESTORE_HELP = `Usage: labelkit restore --from DIR|STORAGE[:PREFIX] --dataset ID [options]

Copies a backup (made by labelkit backup) into the dataset's history and, with --images, its images into
the dataset's source storage. Objects already there are skipped; every object's sha256 is checked. A
branch of the dataset moves only forward (the backup's head must descend from it) unless --force.

Options:
  --from WHERE       ${WHERE} (required)
  --dataset ID       the dataset to restore into (required; configured or created before)
  --images           restore the images too
  --force            move branches backwards or across (loses the commits the dataset has beyond the backup)
  --config FILE      the server config; default ./labelkit.config.json when it exists
  --data DIR         the "data" storage folder (overrides dataDir)
  -h, --help         this help

Exit status: 0 done, 1 problems (listed) or failure, 2 bad usage.
`;

function summary(verb: string, where: string, r: CopyReport, io: CommandIo): number {
  for (const p of r.problems) io.stderr.write(`${p.kind} ${p.key}: ${p.detail}\n`);
  const refs = r.refs.map((x) => `${x.branch} ${x.head.slice(0, 12)} (${x.action})`).join(', ') || 'none';
  io.stdout.write(
    `${verb} ${where}: ${r.copied} copied, ${r.skipped} already there, ${formatBytes(r.bytes)}; refs: ${refs}\n`,
  );
  if (r.problems.length > 0) {
    io.stderr.write(`${r.problems.length} problem(s)${r.refs.length === 0 ? '; no ref was written' : ''}: see above\n`);
    return 1;
  }
  return 0;
}

async function transfer(kind: 'backup' | 'restore', argv: string[], io?: CommandIo): Promise<number> {
  const help = kind === 'backup' ? BACKUP_HELP : RESTORE_HELP;
  const option = kind === 'backup' ? 'to' : 'from';
  const cmd = parseOpsCommand(kind, argv, help, { strings: [option], flags: ['images', 'force'] }, io);
  if (typeof cmd === 'number') return cmd;
  const where = cmd.strings[option];
  if (!where) return cmd.usage(`--${option} is required`);
  const controller = new AbortController();
  const undo = abortOnInterrupt(controller, 'interrupted: run the same command again to resume');
  try {
    const { service, registry } = await openDataset(cmd.open);
    const { location, describe } = parseLocation(where, registry.storages, process.cwd(), `$.${option}`);
    const progress = new Progress({ label: kind, stream: cmd.io.stderr as ProgressStream });
    const options = {
      images: cmd.flags.images === true,
      force: cmd.flags.force === true,
      progress,
      signal: controller.signal,
    };
    const r =
      kind === 'backup'
        ? await backupDataset(service, location, options)
        : await restoreDataset(service, location, options);
    return summary(
      kind === 'backup' ? `Backed up ${service.id} to` : `Restored ${service.id} from`,
      describe,
      r,
      cmd.io,
    );
  } catch (e) {
    if (controller.signal.aborted && e === controller.signal.reason) {
      cmd.io.stderr.write(`labelkit ${kind}: ${(e as Error).message}\n`);
      return 1;
    }
    if (!(e instanceof LabelKitError)) throw e;
    printError(kind, e, cmd.io);
    return 1;
  } finally {
    undo();
  }
}

/** The `labelkit backup` command. Returns the exit code. */
export function backupCommand(argv: string[], io?: CommandIo): Promise<number> {
  return transfer('backup', argv, io);
}

/** The `labelkit restore` command. Returns the exit code. */
export function restoreCommand(argv: string[], io?: CommandIo): Promise<number> {
  return transfer('restore', argv, io);
}
