/** JWT helpers of the security suite: tokens signed like a host application would, and forged ones. */
import { createHmac, createPrivateKey, sign as cryptoSign, generateKeyPairSync } from 'node:crypto';
import { authFrom } from './helpers.ts';

export const JWT_SECRET = 'jwt-hmac-secret-of-the-host-app-0123456789';
export const now = () => Math.floor(Date.now() / 1000);

/** Claims that pass: sub, audience, a valid exp and write on "demo". */
export const claims = (extra: Record<string, unknown> = {}) => ({
  sub: 'carol',
  aud: 'labelkit',
  iss: 'https://app.example.com',
  exp: now() + 300,
  labelkit_scopes: { demo: 'write' },
  ...extra,
});

export const hsAuth = (extra: Record<string, unknown> = {}) =>
  authFrom({
    jwt: {
      secret: JWT_SECRET,
      algorithms: ['HS256'],
      audience: 'labelkit',
      issuer: 'https://app.example.com',
      clockSkewSeconds: 5,
    },
    ...extra,
  });

const b64 = (x: unknown) => Buffer.from(JSON.stringify(x)).toString('base64url');

/** Signed here with node:crypto, independently of the library the server verifies with. */
export async function hs256(payload: Record<string, unknown>, secret = JWT_SECRET): Promise<string> {
  const unsigned = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

export async function es256(payload: Record<string, unknown>, privatePem: string): Promise<string> {
  const unsigned = `${b64({ alg: 'ES256', typ: 'JWT' })}.${b64(payload)}`;
  const sig = cryptoSign('sha256', Buffer.from(unsigned), {
    key: createPrivateKey(privatePem),
    dsaEncoding: 'ieee-p1363',
  });
  return `${unsigned}.${sig.toString('base64url')}`;
}
/** A token with any header and signature bytes (forgeries). */
export const forge = (header: Record<string, unknown>, payload: Record<string, unknown>, signature = '') =>
  `${b64(header)}.${b64(payload)}.${signature}`;

export function ecKeys() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}
