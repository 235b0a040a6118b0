/** Escapes text content and attribute values (both quote kinds, so the result is safe in either). */
export function escapeXml(s: string): string {
  let i = 0;
  // Most values (numbers, plain names) need nothing: find the first character that does before copying.
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 38 || c === 60 || c === 62 || c === 34 || c === 39 || (c < 32 && c !== 9 && c !== 10 && c !== 13)) break;
  }
  if (i === s.length) return s;
  let out = s.slice(0, i);
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // Control characters other than tab, newline and return cannot appear in XML 1.0, even escaped.
    if (c < 32 && c !== 9 && c !== 10 && c !== 13) continue;
    if (c === 38) out += '&amp;';
    else if (c === 60) out += '&lt;';
    else if (c === 62) out += '&gt;';
    else if (c === 34) out += '&quot;';
    else if (c === 39) out += '&apos;';
    else out += s[i];
  }
  return out;
}

/** ` key="value"` pairs, skipping undefined values, in the order given. */
export function xmlAttrs(attrs: Record<string, string | number | undefined>): string {
  let out = '';
  for (const k in attrs) {
    const v = attrs[k];
    if (v !== undefined) out += ` ${k}="${typeof v === 'number' ? v : escapeXml(v)}"`;
  }
  return out;
}
