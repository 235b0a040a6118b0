import { LabelKitError } from '@labelkit/core';

/** Errors of auto-annotation jobs and the Label Studio backend; `JOB_STATUS` gives each code's HTTP status. */
export class JobError extends LabelKitError {
  override name = 'JobError';
}

export const JOB_STATUS: Record<string, number> = {
  'job/invalid-request': 400,
  'job/unknown-model': 400,
  'job/unknown-class': 400,
  'job/unknown-label': 400,
  'job/unknown': 404,
  'job/queue-full': 503,
  'job/finished': 409,
  'labelstudio/invalid-request': 400,
  'labelstudio/forbidden-image': 400,
  'labelstudio/image-not-found': 404,
};
