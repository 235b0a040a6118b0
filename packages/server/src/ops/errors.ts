import { LabelKitError } from '@labelkit/core';

/**
 * Errors of `labelkit backup`, `restore` and `verify` that stop the command before it starts. Codes:
 * - `ops/unknown-storage`: `--to`/`--from` names no configured storage (and is not a folder path);
 * - `ops/read-only-destination`: the destination refuses writes (a read-only storage, or `--images` into a
 *   read-only source on restore);
 * - `ops/invalid-location`: a `storage:prefix` whose prefix is not a valid key prefix.
 * Problems met while copying or walking (a corrupt object, a ref that would move backwards) are not thrown:
 * they are listed in the command's report, and the command exits 1.
 */
export class OpsError extends LabelKitError {
  override name = 'OpsError';
}
