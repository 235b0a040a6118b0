/**
 * Backup to and restore from Azure Blob Storage (Azurite): Azure's ETags say nothing about content, so this
 * is the path where writes are read back to be checked and a rerun compares by reading both sides.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import type { DatasetService } from '../datasets/service.ts';
import {
  AZURITE_ACCOUNT,
  AZURITE_KEY,
  type RunningAzurite,
  startAzurite,
  TEST_CONTAINER,
} from '../storage/contract/azurite.ts';
import { AzureDriver } from '../storage/drivers/azure.ts';
import type { Location } from './digest.ts';
import { makeDataset, openFs, snapshot, tempRoot } from './fixtures/dataset.ts';
import { backupDataset, datasetLocations, restoreDataset } from './ops.ts';

describe('backup and restore through Azure (Azurite)', () => {
  let azurite: RunningAzurite;
  let service: DatasetService;
  const roots: string[] = [];
  before(async () => {
    azurite = await startAzurite();
    await new BlobServiceClient(azurite.accountUrl, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY))
      .getContainerClient(TEST_CONTAINER)
      .create();
    roots.push(tempRoot('az-src'), tempRoot('az-dst'));
    ({ service } = await makeDataset(roots[0] as string, 'demo', 6));
  });
  after(async () => {
    await azurite.close();
    for (const r of roots) rmSync(r, { recursive: true, force: true });
  });

  it('fs -> Azure -> fs keeps every hash; a rerun copies nothing', async () => {
    const backup: Location = { driver: new AzureDriver(azurite.options), prefix: 'b/' };
    const b = await backupDataset(service, backup, { images: true });
    assert.deepEqual(b.problems, []);
    const original = await snapshot(datasetLocations(service).history);
    assert.deepEqual(await snapshot(backup), original);
    const again = await backupDataset(service, backup, { images: true });
    assert.equal(again.copied, 0);
    assert.equal(again.skipped, b.copied);

    const { registry } = openFs(roots[1] as string, [{ id: 'copy' }]);
    const copy = (await registry.get('copy')) as DatasetService;
    const r = await restoreDataset(copy, backup, { images: true });
    assert.deepEqual(r.problems, []);
    assert.equal(r.copied, b.copied);
    assert.deepEqual(await snapshot(datasetLocations(copy).history), original);
  });
});
