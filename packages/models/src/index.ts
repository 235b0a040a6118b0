export type { ContractSpec, ResizeTransform } from './contracts.ts';
export { CONTRACTS, ModelContract, resizeTransform } from './contracts.ts';
