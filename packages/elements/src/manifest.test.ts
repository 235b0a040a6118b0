import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

// custom-elements.json is written by `pnpm build` (cem analyze) from the components' JSDoc; editors, Storybook and
// framework tooling read it. This checks it documents the element contract of DESIGN.md section 10.
interface Decl {
  tagName?: string;
  events?: { name: string }[];
  attributes?: { name: string }[];
  members?: { name: string; kind: string }[];
  cssParts?: { name: string }[];
  cssProperties?: { name: string }[];
}

const manifest = JSON.parse(readFileSync(new URL('../custom-elements.json', import.meta.url), 'utf8')) as {
  modules: { declarations?: Decl[] }[];
};
const decls = manifest.modules.flatMap((m) => m.declarations ?? []).filter((d) => d.tagName);
const byTag = new Map(decls.map((d) => [d.tagName, d]));

describe('custom-elements.json', () => {
  it('lists the four elements by tag', () => {
    assert.deepEqual([...byTag.keys()].sort(), ['label-canvas', 'label-list', 'label-toolbar', 'label-workspace']);
  });

  it("documents <label-canvas>'s events, properties, methods, parts and CSS properties", () => {
    const canvas = byTag.get('label-canvas') as Decl;
    const events = (canvas.events ?? []).map((e) => e.name);
    for (const e of ['label-change', 'label-select', 'label-load', 'label-error']) assert.ok(events.includes(e), e);
    assert.ok(!events.includes('name'), 'no pseudo-event from the emit helper');
    const members = new Map((canvas.members ?? []).map((m) => [m.name, m.kind]));
    for (const p of ['src', 'labels', 'document', 'tool', 'activeLabel', 'segmenter', 'readonly'])
      assert.equal(members.get(p), 'field', p);
    for (const m of ['undo', 'redo', 'fit', 'zoomTo', 'select', 'deleteSelected'])
      assert.equal(members.get(m), 'method', m);
    assert.ok((canvas.cssParts ?? []).some((p) => p.name === 'stage'));
    assert.ok((canvas.cssProperties ?? []).some((p) => p.name === '--label-canvas-background'));
  });
});
