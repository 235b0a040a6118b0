import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FormatError } from '@labelkit/core';
import { escapeXml, parseXml, xmlAttrs } from './index.ts';

function error(src: string) {
  const r = parseXml(src, 'a.xml');
  assert.equal(r.ok, false, `expected an error for ${JSON.stringify(src)}`);
  if (r.ok) throw new Error('unreachable');
  assert.ok(r.error instanceof FormatError);
  assert.equal(r.error.file, 'a.xml');
  return r.error;
}

describe('parseXml', () => {
  it('reads elements, attributes, text, CDATA, comments and the declaration', () => {
    const r = parseXml(
      '\uFEFF<?xml version="1.0" encoding="utf-8"?>\n<!-- c -->\n<a x="1" y=\'two\'>\n  <b>hi <![CDATA[<raw> & ]]>there</b><!-- inner --><c/>\n</a>\n',
    );
    assert.ok(r.ok);
    const a = r.value;
    assert.equal(a.name, 'a');
    assert.deepEqual({ ...a.attrs }, { x: '1', y: 'two' });
    assert.deepEqual(
      a.children.map((c) => c.name),
      ['b', 'c'],
    );
    assert.equal(a.children[0]?.text, 'hi <raw> & there');
  });

  it('decodes the five predefined entities and numeric references, in text and attributes', () => {
    const r = parseXml('<a t="&lt;&gt;&amp;&quot;&apos;&#65;&#x42;">&#x1F600;&amp;amp;</a>');
    assert.ok(r.ok);
    assert.equal(r.value.attrs.t, `<>&"'AB`);
    assert.equal(r.value.text, '😀&amp;');
  });

  it('refuses DOCTYPE and ENTITY declarations (no XXE, no billion laughs)', () => {
    const xxe = '<?xml version="1.0"?>\n<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<a>&x;</a>';
    const e = error(xxe);
    assert.equal(e.code, 'format/xml-doctype');
    assert.equal(e.path, '2:1');
    const laughs = '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><lolz>&lol2;</lolz>';
    assert.equal(error(laughs).code, 'format/xml-doctype');
    assert.equal(error('<a><!ENTITY x "y"></a>').code, 'format/xml-doctype');
  });

  it('refuses unknown entities even without a DOCTYPE', () => {
    const e = error('<a>\n  x &nbsp; y</a>');
    assert.equal(e.code, 'format/invalid-xml');
    assert.equal(e.path, '2:5');
    assert.match(e.message, /unknown entity &nbsp;/);
  });

  it('refuses absurdly deep nesting with an error, not a stack overflow', () => {
    const e = error(`${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}`);
    assert.equal(e.code, 'format/invalid-xml');
    assert.match(e.message, /nest deeper than 256 levels/);
    assert.ok(parseXml(`${'<a>'.repeat(200)}${'</a>'.repeat(200)}`).ok);
  });

  it('reports malformed input with line and column', () => {
    const cases: [string, string, RegExp][] = [
      ['<a>\n<b></a>', '2:6', /expected <\/b>, found <\/a>/],
      ['<a x="1" x="2"/>', '1:10', /duplicate attribute x/],
      ['<a x=1/>', '1:6', /must be quoted/],
      ['<a>', '1:1', /not closed/],
      ['<a/><b/>', '1:5', /more than one root/],
      ['', '1:1', /no root element/],
      ['<a x="<"/>', '1:7', /"<" in the value/],
      ['<a>&#0;</a>', '1:4', /not a legal XML character/],
      ['<a>&amp</a>', '1:4', /unterminated reference/],
      ['text<a/>', '1:1', /text before the root/],
      ['<a/>\ntail', '2:1', /text after the root/],
      ['<a><!-- x </a>', '1:4', /unterminated comment/],
      ['<a><![CDATA[x</a>', '1:4', /unterminated CDATA/],
      ['<a b="1"c="2"/>', '1:9', /whitespace between attributes/],
      ['<1a/>', '1:2', /expected a name/],
    ];
    for (const [src, where, msg] of cases) {
      const e = error(src);
      assert.equal(e.path, where, src);
      assert.match(e.message, msg, src);
      assert.match(e.message, new RegExp(`^a\\.xml:${where}: `), src);
    }
  });
});

describe('XML writing', () => {
  it('escapes what would break text or attributes and drops characters XML cannot hold', () => {
    assert.equal(escapeXml(`a<b>&"c'\u0001`), 'a&lt;b&gt;&amp;&quot;c&apos;');
    assert.equal(xmlAttrs({ a: 'x"y', b: undefined, c: 3 }), ' a="x&quot;y" c="3"');
  });

  it('round-trips any string through an attribute and text', () => {
    const s = `<&>"' \u00e9 \ud83d\ude00 ]]> &amp;`;
    const r = parseXml(`<a v="${escapeXml(s)}">${escapeXml(s)}</a>`);
    assert.ok(r.ok);
    assert.equal(r.value.attrs.v, s);
    assert.equal(r.value.text, s);
  });
});
