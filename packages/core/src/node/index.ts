export { checkFilePath, type ReadFileSetOptions, readFileSet, writeFileSet } from './fileset.ts';
