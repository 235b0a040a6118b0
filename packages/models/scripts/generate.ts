// Writes the built-in model to packages/models/models/builtin (run: pnpm --filter @labelkit/models run generate).
import { fileURLToPath } from 'node:url';
import { writeBuiltinModel } from '../src/builtin/index.ts';

const dir = fileURLToPath(new URL('../models/builtin/', import.meta.url));
const files = await writeBuiltinModel(dir);
console.log(`built-in model written: ${files.encoder}, ${files.decoder}, ${files.manifest}`);
