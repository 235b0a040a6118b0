/**
 * `labelkit verify --dataset ID`: checks a dataset's history like `git fsck` (missing and corrupt objects,
 * refs pointing nowhere, dangling commits) and the lineage of the items at every branch head.
 */
import { LabelKitError } from '@labelkit/core';
import { printError } from '../export/cli.ts';
import { openDataset } from '../export/open.ts';
import { abortOnInterrupt, type CommandIo, parseOpsCommand } from '../ops/cli.ts';
import { parseLocation } from '../ops/location.ts';
import { verifyDataset } from '../ops/ops.ts';

export const VERIFY_HELP = `Usage: labelkit verify --dataset ID [--backup WHERE] [options]

Walks every branch of the dataset's history to its commits, trees and documents, checking each object's
sha256 and shape, and lists one problem per line on stdout as "<kind> <key>: <detail>":
  missing-object    an object, tree or commit the history points to is not stored
  corrupt-object    stored bytes that do not hash to their key, or are not the shape the format requires
  broken-ref        a branch whose commit is not stored
  corrupt-ref       a ref that is not a branch name or does not hold a commit hash
  dangling-commit   a stored commit no branch reaches (a failed or in-flight commit)
  image-changed     an item at a branch head whose source image changed since it was committed
  image-missing     an item at a branch head whose source image is gone

Options:
  --dataset ID       the dataset (required)
  --backup WHERE     verify a backup of the dataset instead (a folder, or STORAGE[:PREFIX] of the config);
                     its items are checked against the backup's images when it holds them
  --config FILE      the server config (storages, datasets); default ./labelkit.config.json when it exists
  --data DIR         the "data" storage folder (overrides dataDir)
  -h, --help         this help

Exit status: 0 no problem, 1 problems (listed) or failure, 2 bad usage.
`;

/** The `labelkit verify` command. Returns the exit code. */
export async function verifyCommand(argv: string[], io?: CommandIo): Promise<number> {
  const cmd = parseOpsCommand('verify', argv, VERIFY_HELP, { strings: ['backup'], flags: [] }, io);
  if (typeof cmd === 'number') return cmd;
  const controller = new AbortController();
  const undo = abortOnInterrupt(controller);
  try {
    const { service, registry } = await openDataset(cmd.open);
    const where = cmd.strings.backup;
    const backup = where ? parseLocation(where, registry.storages, process.cwd(), '$.backup') : undefined;
    const r = await verifyDataset(service, {
      ...(backup ? { backup: backup.location } : {}),
      onProblem: (p) => cmd.io.stdout.write(`${p.kind} ${p.key}: ${p.detail}\n`),
      signal: controller.signal,
    });
    const counts = `${r.refs} refs, ${r.commits} commits, ${r.trees} trees, ${r.objects} documents`;
    const lineage = `${r.lineage.checked} images checked, ${r.lineage.unrecorded} items without a recorded image`;
    const verdict = r.problems.length === 0 ? 'no problem' : `${r.problems.length} problem(s)`;
    const what = backup ? `the backup of ${service.id} at ${backup.describe}` : service.id;
    cmd.io.stderr.write(`verify ${what}: ${counts}; ${lineage}: ${verdict}\n`);
    return r.problems.length === 0 ? 0 : 1;
  } catch (e) {
    if (controller.signal.aborted && e === controller.signal.reason) {
      cmd.io.stderr.write(`labelkit verify: ${(e as Error).message}\n`);
      return 1;
    }
    if (!(e instanceof LabelKitError)) throw e;
    printError('verify', e, cmd.io);
    return 1;
  } finally {
    undo();
  }
}
