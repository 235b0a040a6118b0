import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type FsGrant, fsSignedQuery, verifyFsSignature } from './signing.ts';

const secret = 'unit-test-secret';
const now = 1_800_000_000_000;
const grant: FsGrant = {
  method: 'PUT',
  key: 'd/a.png',
  expires: now / 1000 + 60,
  contentType: 'image/png',
  maxBytes: 10,
};

const params = (query: string) => {
  const q = new URLSearchParams(query);
  const get = (n: string) => q.get(n) ?? undefined;
  return { method: get('method'), expires: get('expires'), ct: get('ct'), max: get('max'), sig: get('sig') };
};

const codeOf = (r: ReturnType<typeof verifyFsSignature>) => (r.ok ? 'ok' : r.error.code);

describe('fs URL signatures', () => {
  it('verifies its own signature and returns the grant', () => {
    const r = verifyFsSignature(
      { method: 'PUT', key: 'd/a.png', params: params(fsSignedQuery(grant, secret)) },
      secret,
      now,
    );
    assert.deepEqual(r, { ok: true, value: grant });
  });

  it('binds every field: any change breaks the signature', () => {
    const good = params(fsSignedQuery(grant, secret));
    const variants: [string, Partial<typeof good>][] = [
      ['content type', { ct: 'text/html' }],
      ['no content type', { ct: undefined }],
      ['max bytes', { max: '11' }],
      ['no limit', { max: undefined }],
      ['expiry', { expires: String(grant.expires + 1) }],
      ['method', { method: 'GET' }],
      ['signature', { sig: `${good.sig?.slice(0, -2)}AA` }],
      ['truncated signature', { sig: good.sig?.slice(0, 10) }],
      ['missing signature', { sig: undefined }],
      ['unknown method', { method: 'DELETE' }],
      ['non-numeric expiry', { expires: '1e12' }],
    ];
    for (const [why, change] of variants) {
      const r = verifyFsSignature({ method: 'PUT', key: 'd/a.png', params: { ...good, ...change } }, secret, now);
      assert.equal(codeOf(r), 'storage/bad-signature', why);
    }
    assert.equal(
      codeOf(verifyFsSignature({ method: 'PUT', key: 'd/b.png', params: good }, secret, now)),
      'storage/bad-signature',
      'other key',
    );
    assert.equal(
      codeOf(verifyFsSignature({ method: 'PUT', key: 'd/a.png', params: good }, 'other secret', now)),
      'storage/bad-signature',
      'other secret',
    );
  });

  it('refuses a valid signature used with another method or after expiry', () => {
    const good = params(fsSignedQuery(grant, secret));
    assert.equal(
      codeOf(verifyFsSignature({ method: 'GET', key: 'd/a.png', params: good }, secret, now)),
      'storage/method-mismatch',
    );
    assert.equal(
      codeOf(verifyFsSignature({ method: 'PUT', key: 'd/a.png', params: good }, secret, grant.expires * 1000)),
      'storage/expired',
    );
  });
});
