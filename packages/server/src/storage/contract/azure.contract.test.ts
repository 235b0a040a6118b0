import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { AzureDriver } from '../drivers/index.ts';
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite, TEST_CONTAINER } from './azurite.ts';
import { storageContract } from './contract.ts';

/** The contract against Azurite, which enforces If-Match / If-None-Match and checks SAS signatures itself. */
storageContract('azure (Azurite)', async () => {
  const store = await startAzurite();
  await new BlobServiceClient(store.accountUrl, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY))
    .getContainerClient(TEST_CONTAINER)
    .create();
  return {
    driver: new AzureDriver(store.options),
    readOnlyDriver: new AzureDriver({ ...store.options, readOnly: true }),
    enforcesPreconditions: true,
    contentEtags: false,
    signedPutHeaders: { 'x-ms-blob-type': 'BlockBlob' },
    close: store.close,
  };
});
