// Runs s3rver for the s3 contract tests in its own process: s3rver 3.7 makes list continuation tokens with DES,
// which OpenSSL 3 serves only with `--openssl-legacy-provider`, a flag the test process should not carry.
// Usage: node --openssl-legacy-provider s3rver-process.mjs <directory> <bucket>; prints {address, port} as one
// JSON line, and stops when its stdin closes.
import S3rver from 's3rver';

const [directory, bucket] = process.argv.slice(2);
// Browsers upload to the bucket straight from the page (presigned POST): a real bucket needs a CORS rule like this
// one (see the drivers' README); the end-to-end tests need it too.
const cors = `<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>
<AllowedMethod>PUT</AllowedMethod><AllowedMethod>POST</AllowedMethod><AllowedHeader>*</AllowedHeader>
</CORSRule></CORSConfiguration>`;
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory,
  configureBuckets: [{ name: bucket, configs: [cors] }],
});
const { address, port } = await server.run();
process.stdout.write(`${JSON.stringify({ address, port })}\n`);
process.stdin.on('end', () => server.close().then(() => process.exit(0)));
process.stdin.resume();
