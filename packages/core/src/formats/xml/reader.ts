import { FormatError } from '../../errors.ts';
import { err, ok, type Result } from '../../result.ts';

/** An element of a parsed XML document. Text is the concatenation of its character data. */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
  /** Offset of `<` in the source, turned into line/column only when an error needs it. */
  offset: number;
}

const MAX_DEPTH = 256;
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
/** XML name characters, simplified to ASCII letters, digits, `_:.-` and everything from U+00B7 up. */
function isNameChar(c: number, first: boolean): boolean {
  if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 58 || c >= 0xc0) return true;
  return !first && ((c >= 48 && c <= 57) || c === 46 || c === 45 || c === 0xb7);
}

/** 1-based line and column of an offset. */
export function lineColumn(src: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = src.indexOf('\n'); i !== -1 && i < offset; i = src.indexOf('\n', i + 1)) {
    line++;
    last = i;
  }
  return { line, column: offset - last };
}

class XmlSyntaxError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

/**
 * Parses a whole XML document strictly. DOCTYPE and ENTITY declarations are refused outright (no external
 * entities, no entity expansion bombs); only the five predefined entities and numeric references are known.
 * Errors carry `file` and a `path` of the form `line:column`.
 */
export function parseXml(src: string, file?: string): Result<XmlElement, FormatError> {
  try {
    return ok(new Parser(src).document());
  } catch (e) {
    if (!(e instanceof XmlSyntaxError)) throw e;
    const { line, column } = lineColumn(src, e.at);
    return err(
      new FormatError(e.code, `${file ?? 'XML'}:${line}:${column}: ${e.message}`, {
        path: `${line}:${column}`,
        ...(file === undefined ? {} : { file }),
      }),
    );
  }
}

class Parser {
  private i = 0;
  constructor(private readonly s: string) {
    if (s.charCodeAt(0) === 0xfeff) this.i = 1;
  }

  private fail(message: string, at = this.i, code = 'format/invalid-xml'): never {
    throw new XmlSyntaxError(code, message, at);
  }

  document(): XmlElement {
    let root: XmlElement | undefined;
    for (;;) {
      this.skipSpace();
      if (this.i >= this.s.length) break;
      if (this.s.startsWith('<?', this.i)) this.pi();
      else if (this.s.startsWith('<!--', this.i)) this.comment();
      else if (this.s.startsWith('<!DOCTYPE', this.i) || this.s.startsWith('<!ENTITY', this.i))
        this.fail('DOCTYPE and ENTITY declarations are not allowed', this.i, 'format/xml-doctype');
      else if (this.s[this.i] === '<') {
        if (root) this.fail('more than one root element');
        root = this.element(0);
      } else this.fail(root ? 'text after the root element' : 'text before the root element');
    }
    if (!root) this.fail('no root element');
    return root;
  }

  private skipSpace(): void {
    const s = this.s;
    let c = s.charCodeAt(this.i);
    while (c === 32 || c === 10 || c === 13 || c === 9) c = s.charCodeAt(++this.i);
  }

  private pi(): void {
    const end = this.s.indexOf('?>', this.i + 2);
    if (end === -1) this.fail('unterminated processing instruction');
    this.i = end + 2;
  }

  private comment(): void {
    const end = this.s.indexOf('-->', this.i + 4);
    if (end === -1) this.fail('unterminated comment');
    this.i = end + 3;
  }

  private name(): string {
    const start = this.i;
    const s = this.s;
    if (!isNameChar(s.charCodeAt(this.i), true)) this.fail('expected a name');
    this.i++;
    while (this.i < s.length && isNameChar(s.charCodeAt(this.i), false)) this.i++;
    return s.slice(start, this.i);
  }

  private element(depth: number): XmlElement {
    const offset = this.i;
    // Annotation files nest a few levels; a deep nest is an attack on the stack, not data.
    if (depth > MAX_DEPTH) this.fail(`elements nest deeper than ${MAX_DEPTH} levels`);
    this.i++; // <
    const name = this.name();
    const attrs: Record<string, string> = Object.create(null);
    for (;;) {
      const before = this.i;
      this.skipSpace();
      const c = this.s[this.i];
      if (c === '/') {
        if (this.s[this.i + 1] !== '>') this.fail('expected "/>"');
        this.i += 2;
        return { name, attrs, children: [], text: '', offset };
      }
      if (c === '>') {
        this.i++;
        break;
      }
      if (c === undefined) this.fail(`unterminated start tag <${name}>`, offset);
      if (before === this.i) this.fail('expected whitespace between attributes');
      const attrAt = this.i;
      const key = this.name();
      this.skipSpace();
      if (this.s[this.i] !== '=') this.fail(`expected "=" after attribute ${key}`);
      this.i++;
      this.skipSpace();
      const q = this.s[this.i];
      if (q !== '"' && q !== "'") this.fail(`attribute ${key} must be quoted`);
      const end = this.s.indexOf(q, this.i + 1);
      if (end === -1) this.fail(`unterminated value of attribute ${key}`);
      const raw = this.s.slice(this.i + 1, end);
      if (raw.includes('<')) this.fail(`"<" in the value of attribute ${key}`, this.i + 1 + raw.indexOf('<'));
      if (key in attrs) this.fail(`duplicate attribute ${key}`, attrAt);
      attrs[key] = this.decode(raw, this.i + 1);
      this.i = end + 1;
    }
    const children: XmlElement[] = [];
    let text = '';
    for (;;) {
      const lt = this.s.indexOf('<', this.i);
      if (lt === -1) this.fail(`element <${name}> is not closed`, offset);
      if (lt > this.i) {
        const raw = this.s.slice(this.i, lt);
        if (raw.includes(']]>')) this.fail('"]]>" in text', this.i + raw.indexOf(']]>'));
        text += this.decode(raw, this.i);
      }
      this.i = lt;
      if (this.s.startsWith('</', lt)) {
        this.i += 2;
        const closeAt = this.i;
        const close = this.name();
        if (close !== name) this.fail(`expected </${name}>, found </${close}>`, closeAt);
        this.skipSpace();
        if (this.s[this.i] !== '>') this.fail('expected ">"');
        this.i++;
        return { name, attrs, children, text, offset };
      }
      if (this.s.startsWith('<!--', lt)) this.comment();
      else if (this.s.startsWith('<![CDATA[', lt)) {
        const end = this.s.indexOf(']]>', lt + 9);
        if (end === -1) this.fail('unterminated CDATA section');
        text += this.s.slice(lt + 9, end);
        this.i = end + 3;
      } else if (this.s.startsWith('<?', lt)) this.pi();
      else if (this.s.startsWith('<!', lt))
        this.fail('declarations are not allowed inside elements', lt, 'format/xml-doctype');
      else children.push(this.element(depth + 1));
    }
  }

  /** Replaces entity and character references; anything else after `&` is an error. */
  private decode(raw: string, at: number): string {
    if (!raw.includes('&')) return raw;
    return raw.replace(/&([^;&\s]*)(;?)/g, (whole, ref: string, semi: string, pos: number) => {
      if (!semi) this.fail(`unterminated reference "${whole}"`, at + pos);
      if (ref.startsWith('#')) {
        const hex = ref[1] === 'x';
        const digits = ref.slice(hex ? 2 : 1);
        if (!(hex ? /^[0-9A-Fa-f]+$/ : /^[0-9]+$/).test(digits))
          this.fail(`bad character reference &${ref};`, at + pos);
        const code = Number.parseInt(digits, hex ? 16 : 10);
        const legal =
          code === 9 ||
          code === 10 ||
          code === 13 ||
          (code >= 0x20 && code <= 0xd7ff) ||
          (code >= 0xe000 && code <= 0xfffd) ||
          (code >= 0x10000 && code <= 0x10ffff);
        if (!legal) this.fail(`character reference &${ref}; is not a legal XML character`, at + pos);
        return String.fromCodePoint(code);
      }
      const v = PREDEFINED[ref];
      if (v === undefined) this.fail(`unknown entity &${ref}; (only the five predefined ones are allowed)`, at + pos);
      return v;
    });
  }
}

/** The first child with this name. */
export function child(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}

/** Text of the first child with this name, trimmed. */
export function childText(el: XmlElement, name: string): string | undefined {
  const c = child(el, name);
  return c === undefined ? undefined : c.text.trim();
}
