/**
 * Interchange formats: each adapter parses a FileSet (path -> content) into a Dataset and serializes a
 * Dataset into a FileSet, and both report in `fidelity` what they approximated or could not keep.
 */
import { coco } from './coco/coco.ts';
import { cvat } from './cvat/cvat.ts';
import { detect } from './detect.ts';
import { labelstudio } from './labelstudio/labelstudio.ts';
import { voc } from './voc/voc.ts';
import { yolo } from './yolo/yolo.ts';

export type { CocoSerializeOptions } from './coco/coco.ts';
export type { CvatSerializeOptions } from './cvat/cvat.ts';
export type { LabelStudioParseOptions, LabelStudioSerializeOptions } from './labelstudio/labelstudio.ts';
export type {
  FidelityEntry,
  FileSet,
  FormatAdapter,
  ParseOptions,
  ParseOutput,
  SerializeOutput,
} from './types.ts';
export { FormatName } from './types.ts';
export type { VocSerializeOptions } from './voc/voc.ts';
export type { YoloParseOptions, YoloSerializeOptions, YoloTask } from './yolo/yolo.ts';

export const formats = { coco, yolo, voc, cvat, labelstudio, detect } as const;
