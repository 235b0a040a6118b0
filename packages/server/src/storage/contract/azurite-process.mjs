// Runs Azurite's Blob service for the azure tests and stops it when the test process goes away: Azurite does not
// watch its stdin, so a test process killed mid-run would leave it listening. Usage:
// node azurite-process.mjs [azurite blob options...]; Azurite prints "successfully listens on <url>".
import { createRequire } from 'node:module';

const blobMain = createRequire(import.meta.url).resolve('azurite/dist/src/blob/main.js');
// Azurite reads its options from process.argv.
process.argv = [process.argv[0], blobMain, ...process.argv.slice(2)];
// In memory, nothing to flush: exit as soon as the parent closes our stdin (or dies).
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
await import(blobMain);
