export { jsonEqual } from './equal.ts';
export { migrateDocument, OLDEST_DOCUMENT_VERSION } from './migrate.ts';
export { type ShapeContext, type ValidateShapeOptions, validateShape } from './shape.ts';
export * from './types.ts';
export { type ValidateDocumentOptions, validateDataset, validateDocument, validateLabels } from './validate.ts';
