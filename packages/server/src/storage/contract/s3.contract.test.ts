import { randomUUID } from 'node:crypto';
import { S3Driver, type S3DriverOptions } from '../drivers/index.ts';
import { type ContractTarget, storageContract } from './contract.ts';
import { recordHeaders, startS3rver } from './s3rver.ts';

/**
 * The contract against s3rver, started here; or, when LABELKIT_S3_ENDPOINT is set, against that real store
 * (MinIO, S3...), which enforces preconditions itself (see drivers/README.md).
 */
async function target(): Promise<ContractTarget> {
  const env = process.env;
  if (env.LABELKIT_S3_ENDPOINT) {
    const options: S3DriverOptions = {
      bucket: env.LABELKIT_S3_BUCKET ?? 'labelkit-contract',
      endpoint: env.LABELKIT_S3_ENDPOINT,
      region: env.LABELKIT_S3_REGION ?? 'us-east-1',
      forcePathStyle: env.LABELKIT_S3_PATH_STYLE !== 'false',
      // Every run writes under a fresh prefix, so it never touches other objects of the bucket.
      prefix: `labelkit-contract/${randomUUID()}/`,
      ...(env.LABELKIT_S3_ACCESS_KEY && env.LABELKIT_S3_SECRET_KEY
        ? { credentials: { accessKeyId: env.LABELKIT_S3_ACCESS_KEY, secretAccessKey: env.LABELKIT_S3_SECRET_KEY } }
        : {}),
    };
    const driver = new S3Driver(options);
    return {
      driver,
      readOnlyDriver: new S3Driver({ ...options, readOnly: true }),
      enforcesPreconditions: true,
      close: async () => driver.destroy(),
    };
  }
  const store = await startS3rver();
  const driver = new S3Driver(store.options);
  return {
    driver,
    readOnlyDriver: new S3Driver({ ...store.options, readOnly: true }),
    // s3rver ignores If-Match / If-None-Match: the suite checks that the requests carry them instead.
    enforcesPreconditions: false,
    sentHeaders: recordHeaders(driver),
    close: async () => {
      driver.destroy();
      await store.close();
    },
  };
}

storageContract(process.env.LABELKIT_S3_ENDPOINT ? 's3 (LABELKIT_S3_ENDPOINT)' : 's3 (s3rver)', target);
