import { LabelKitError } from '@labelkit/core';

/**
 * Errors of datasets and their history I/O. Codes (HTTP status in `DATASET_STATUS`):
 * - `dataset/invalid-config`: a configured or created dataset breaks a rule (`path` names the field);
 * - `dataset/invalid-request`: a query parameter or body field is missing or malformed (`path` names it);
 * - `dataset/invalid-cursor`: a `cursor` that this server did not hand out for this listing;
 * - `dataset/unknown-commit`: a commit hash or branch that is not in the dataset's history;
 * - `dataset/unknown-branch`: a branch with no ref;
 * - `dataset/exists`, `dataset/branch-exists`: the dataset or branch to create exists already;
 * - `dataset/busy`: the branch moved under every one of the bounded compare-and-swap attempts.
 */
export class DatasetError extends LabelKitError {
  override name = 'DatasetError';
}

export const DATASET_STATUS: Record<string, number> = {
  'dataset/invalid-config': 400,
  'dataset/invalid-request': 400,
  'dataset/invalid-cursor': 400,
  'dataset/unknown-commit': 404,
  'dataset/unknown-branch': 404,
  'dataset/exists': 409,
  'dataset/branch-exists': 409,
  'dataset/busy': 503,
};

export const invalidRequest = (message: string, path: string): DatasetError =>
  new DatasetError('dataset/invalid-request', message, { path });
