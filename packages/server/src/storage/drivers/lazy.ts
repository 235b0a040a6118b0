import type { StorageDriver } from './types.ts';

/**
 * A driver whose implementation (and SDK) loads on first use: the Azure and Google SDKs take a second or more to
 * import, which a server that never talks to them should not pay at start. Construction errors surface on the
 * first call, with the driver's own typed error.
 */
export function lazyDriver(kind: string, readOnly: boolean, load: () => Promise<StorageDriver>): StorageDriver {
  let loading: Promise<StorageDriver> | undefined;
  const driver = () => {
    loading ??= load();
    return loading;
  };
  return {
    kind,
    readOnly,
    get: async (key, opts) => (await driver()).get(key, opts),
    getStream: async (key, opts) => {
      const d = await driver();
      if (d.getStream) return d.getStream(key, opts);
      const o = await d.get(key, opts);
      if (!o) return undefined;
      const body = new Blob([o.body as Uint8Array<ArrayBuffer>]).stream();
      return {
        body,
        info: { size: o.body.byteLength, etag: o.etag, ...(o.contentType ? { contentType: o.contentType } : {}) },
      };
    },
    put: async (key, body, opts) => (await driver()).put(key, body, opts),
    head: async (key) => (await driver()).head(key),
    list: async (prefix, opts) => (await driver()).list(prefix, opts),
    delete: async (key, opts) => (await driver()).delete(key, opts),
    sign: async (request) => (await driver()).sign(request),
  };
}
