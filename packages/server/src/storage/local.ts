import { FsDriver } from './drivers/fs.ts';

/**
 * The fs driver on a local folder with no URL signing: `new LocalStorage(dir)` is `new FsDriver({ root: dir })`.
 * Kept for code written against the first server API; the app builds its drivers with `buildStorages`.
 */
export class LocalStorage extends FsDriver {
  constructor(root: string) {
    super({ root });
  }
}
