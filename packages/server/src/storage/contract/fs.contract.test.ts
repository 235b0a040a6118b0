import { FsDriver } from '../drivers/index.ts';
import { storageContract } from './contract.ts';
import { serveFs, TEST_SECRET } from './serve.ts';

storageContract('fs', async () => {
  const served = await serveFs();
  return {
    driver: served.driver,
    readOnlyDriver: new FsDriver({ root: served.root, secret: TEST_SECRET, readOnly: true }),
    enforcesPreconditions: true,
    close: served.close,
  };
});
