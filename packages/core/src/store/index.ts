export { type Diff, invertDiff, type Origin, StoreError } from './diff.ts';
export { createStore, type Store, type StoreChange, type StoreOptions, type Transaction } from './store.ts';
