import { randomUUID } from 'node:crypto';
import { GcsDriver, type GcsDriverOptions } from '../drivers/gcs.ts';
import { storageContract } from './contract.ts';

/**
 * The contract against a real GCS bucket (no emulator runs here): set LABELKIT_GCS_TEST_BUCKET and a
 * service-account key file in LABELKIT_GCS_KEY_FILE or GOOGLE_APPLICATION_CREDENTIALS (see drivers/README.md).
 * Every run writes under a fresh `labelkit-contract/<uuid>/` prefix. Skipped, with the reason, otherwise.
 */
const env = process.env;
const bucket = env.LABELKIT_GCS_TEST_BUCKET;
const keyFilename = env.LABELKIT_GCS_KEY_FILE ?? env.GOOGLE_APPLICATION_CREDENTIALS;
const skip = !bucket
  ? 'LABELKIT_GCS_TEST_BUCKET is not set (no GCS emulator runs here; see drivers/README.md)'
  : !keyFilename
    ? 'no service-account key: set LABELKIT_GCS_KEY_FILE or GOOGLE_APPLICATION_CREDENTIALS'
    : undefined;

storageContract(
  'gcs (LABELKIT_GCS_TEST_BUCKET)',
  async () => {
    const options: GcsDriverOptions = {
      bucket: bucket ?? '',
      prefix: `labelkit-contract/${randomUUID()}/`,
      ...(keyFilename ? { keyFilename } : {}),
      ...(env.LABELKIT_GCS_PROJECT ? { projectId: env.LABELKIT_GCS_PROJECT } : {}),
    };
    return {
      driver: new GcsDriver(options),
      readOnlyDriver: new GcsDriver({ ...options, readOnly: true }),
      enforcesPreconditions: true,
      contentEtags: false,
      close: async () => {},
    };
  },
  skip ? { skip } : {},
);
