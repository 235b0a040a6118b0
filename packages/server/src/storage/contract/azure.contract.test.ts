import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import type { StorageDriver } from '../drivers/types.ts';
import { buildStorages } from '../registry.ts';
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite, TEST_CONTAINER } from './azurite.ts';
import { storageContract } from './contract.ts';

/**
 * The contract against Azurite, which enforces If-Match / If-None-Match and checks SAS signatures itself. The
 * drivers come from the configuration builder, as the server gets them (the SDK loads on first use).
 */
storageContract('azure (Azurite)', async () => {
  const store = await startAzurite();
  await new BlobServiceClient(store.accountUrl, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY))
    .getContainerClient(TEST_CONTAINER)
    .create();
  const storages = buildStorages({
    dataDir: mkdtempSync(join(tmpdir(), 'labelkit-azure-')),
    signingSecret: 's'.repeat(32),
    maxUploadBytes: 1 << 20,
    storages: {
      blobs: { driver: 'azure', ...store.options },
      source: { driver: 'azure', ...store.options, readOnly: true },
    },
  });
  const get = (name: string) => storages.get(name) as StorageDriver;
  return {
    driver: get('blobs'),
    readOnlyDriver: get('source'),
    enforcesPreconditions: true,
    contentEtags: false,
    signedPutHeaders: { 'x-ms-blob-type': 'BlockBlob' },
    close: store.close,
  };
});
