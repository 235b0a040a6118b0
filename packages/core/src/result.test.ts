import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { err, exhaustiveSwitchError, jsonPath, LabelKitError, ok, unwrap, ValidationError } from '@labelkit/core';

describe('Result', () => {
  it('unwraps ok values and throws errors', () => {
    assert.equal(unwrap(ok(3)), 3);
    const e = new ValidationError('document/invalid', 'bad', { path: '$.item' });
    assert.throws(
      () => unwrap(err(e)),
      (x: unknown) => x === e,
    );
  });

  it('serializes errors with their code and path, and keeps the class chain', () => {
    const e = new ValidationError('document/invalid', 'bad width', { path: '$.item.width' });
    assert.ok(e instanceof LabelKitError && e instanceof Error);
    assert.deepEqual(JSON.parse(JSON.stringify(e)), {
      code: 'document/invalid',
      message: 'bad width',
      path: '$.item.width',
    });
  });

  it('builds JSON paths', () => {
    assert.equal(jsonPath('$', 'shapes', 3, 'points'), '$.shapes[3].points');
    assert.equal(jsonPath('$.attributes', 'a b'), '$.attributes["a b"]');
  });

  it('exhaustiveSwitchError throws a TypeError naming the value', () => {
    assert.throws(() => exhaustiveSwitchError('x' as never, 'shape type'), /Unhandled shape type: "x"/);
  });
});
