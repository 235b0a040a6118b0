export * from './container.ts';
export { float16ToFloat32, float32ToFloat16, float32ToFloat16Bits } from './float16.ts';
