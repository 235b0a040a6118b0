/** Where `--to` / `--from` point: a configured storage (`name` or `name:prefix`) or a folder. */
import { resolve } from 'node:path';
import { FsDriver } from '../storage/drivers/fs.ts';
import { normalizePrefix } from '../storage/drivers/keys.ts';
import type { StorageDriver } from '../storage/drivers/types.ts';
import type { Location } from './digest.ts';
import { OpsError } from './errors.ts';

const NAMED = /^([a-z0-9][a-z0-9_-]{0,63})(?::(.*))?$/s;

/**
 * `name` or `name:prefix` where `name` is a configured storage (`data`, `photos`, ...); anything else is a
 * folder (resolved against `cwd`, created on first write), used through an fs driver. A folder whose path
 * looks like `name:prefix` is written `./name:prefix`.
 * @throws OpsError `ops/unknown-storage` for `name:prefix` naming no storage, `ops/invalid-location` for a
 *   bad prefix.
 */
export function parseLocation(
  arg: string,
  storages: ReadonlyMap<string, StorageDriver>,
  cwd = process.cwd(),
  path = '$.to',
): { location: Location; describe: string } {
  const m = NAMED.exec(arg);
  if (m && (storages.has(m[1] as string) || m[2] !== undefined)) {
    const name = m[1] as string;
    const driver = storages.get(name);
    if (!driver) throw new OpsError('ops/unknown-storage', `no storage named "${name}" is configured`, { path });
    let prefix: string;
    try {
      prefix = normalizePrefix(m[2] ?? '');
    } catch {
      throw new OpsError('ops/invalid-location', `"${m[2]}" is not a key prefix (no "..", "." or empty segments)`, {
        path,
      });
    }
    return { location: { driver, prefix }, describe: `storage ${name}${prefix ? `:${prefix}` : ''}` };
  }
  const root = resolve(cwd, arg);
  return { location: { driver: new FsDriver({ root }), prefix: '' }, describe: root };
}
