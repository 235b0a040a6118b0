/** Auto-annotation jobs over a dataset (detector models, box-to-mask refinement), resumable from storage. */
export { JOB_STATUS, JobError } from './errors.ts';
export { mergePredictions } from './merge.ts';
export {
  decodeRgba,
  type ItemPredictor,
  PredictorFactory,
  type PredictorFactoryOptions,
  SessionCache,
} from './predict.ts';
export { type JobEvent, JobManager, type JobManagerOptions } from './runner.ts';
export { MAX_LISTED_ITEMS, parseJobRequest } from './spec.ts';
export { JOB_ID, JobStore } from './store.ts';
export * from './types.ts';
