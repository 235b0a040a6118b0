export * from './embedding/index.ts';
export * from './errors.ts';
export * from './formats/index.ts';
export * from './geometry/index.ts';
export * from './history/index.ts';
export * from './records/index.ts';
export * from './result.ts';
export * from './store/index.ts';
