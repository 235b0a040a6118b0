export * from './errors.ts';
export * from './records/types.ts';
export * from './result.ts';
