// Runs s3rver for the s3 contract tests in its own process: s3rver 3.7 makes list continuation tokens with DES,
// which OpenSSL 3 serves only with `--openssl-legacy-provider`, a flag the test process should not carry.
// Usage: node --openssl-legacy-provider s3rver-process.mjs <directory> <bucket>; prints {address, port} as one
// JSON line, and stops when its stdin closes.
import S3rver from 's3rver';

const [directory, bucket] = process.argv.slice(2);
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory,
  configureBuckets: [{ name: bucket }],
});
const { address, port } = await server.run();
process.stdout.write(`${JSON.stringify({ address, port })}\n`);
process.stdin.on('end', () => server.close().then(() => process.exit(0)));
process.stdin.resume();
