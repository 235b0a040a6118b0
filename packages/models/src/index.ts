export type { Adapter, DecodedMask, Feeds, TensorData } from './adapters/index.ts';
export { ADAPTERS, checkEmbedding, sam1, sam2, upsampleToMask } from './adapters/index.ts';
export { IndexedDbStore } from './cache/index.ts';
export type { ContractSpec, ResizeTransform } from './contracts.ts';
export { CONTRACTS, ModelContract, resizeTransform } from './contracts.ts';
export * from './detector/index.ts';
export {
  type BrowserDetector,
  type BrowserDetectorImage,
  type BrowserDetectorOptions,
  createBrowserDetector,
} from './detector-client.ts';
export type { ModelFile, ModelManifest } from './manifest.ts';
export { fetchVerified, ModelError, parseManifest, parseModelFile, sha256Hex, verifyFile } from './manifest.ts';
export { ModelInputError, preprocess, preprocessSam1, preprocessSam2 } from './preprocess/index.ts';
export type { Prompt, PromptBox, PromptPoint } from './prompt.ts';
export { checkPrompt, encodePoints } from './prompt.ts';
export type { EmbeddingOptions, Segmenter, SegmenterImage, SegmenterOptions } from './segmenter.ts';
export { createSegmenter } from './segmenter.ts';
export { Backend } from './worker/protocol.ts';
