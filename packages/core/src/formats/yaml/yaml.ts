/**
 * The subset of YAML that Ultralytics `data.yaml` files use: top-level `key: value` pairs, comments,
 * scalars (plain, 'single' or "double" quoted), flow lists `[a, b]`, flow maps `{0: a}`, and one level of
 * block lists (`- a`) or block maps (`0: a`) under a key. Anything else is a `format/invalid-yaml` error
 * with the line, never a guess.
 */
import { FormatError } from '../../errors.ts';
import { err, ok, type Result } from '../../result.ts';

export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue };

class YamlSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

export function parseYaml(text: string, file = 'data.yaml'): Result<Record<string, YamlValue>, FormatError> {
  try {
    return ok(parseDocument(text));
  } catch (e) {
    if (!(e instanceof YamlSyntaxError)) throw e;
    return err(
      new FormatError('format/invalid-yaml', `${file}:${e.line}: ${e.message}`, { file, path: `line ${e.line}` }),
    );
  }
}

interface Line {
  n: number;
  indent: number;
  text: string;
}

function stripComment(s: string): string {
  let q: string | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (q) {
      if (c === q) q = undefined;
    } else if (c === '"' || c === "'") q = c;
    else if (c === '#' && (i === 0 || s[i - 1] === ' ' || s[i - 1] === '\t')) return s.slice(0, i);
  }
  return s;
}

function parseDocument(text: string): Record<string, YamlValue> {
  const lines: Line[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    if (raw.includes('\t') && /^\s*\t/.test(raw))
      throw new YamlSyntaxError('tabs are not allowed for indentation', i + 1);
    const t = stripComment(raw).trimEnd();
    if (t.trim() === '' || t.trim() === '---') return;
    lines.push({ n: i + 1, indent: t.length - t.trimStart().length, text: t.trim() });
  });
  const out: Record<string, YamlValue> = {};
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] as Line;
    if (line.indent !== 0) throw new YamlSyntaxError('unexpected indentation', line.n);
    const [key, rest] = splitKey(line);
    if (key in out) throw new YamlSyntaxError(`duplicate key "${key}"`, line.n);
    i++;
    if (rest !== '') {
      out[key] = scalarOrFlow(rest, line.n);
      continue;
    }
    // A block under the key: every following line indented deeper.
    const block: Line[] = [];
    while (i < lines.length && (lines[i] as Line).indent > 0) block.push(lines[i++] as Line);
    out[key] = block.length === 0 ? null : parseBlock(block);
  }
  return out;
}

function splitKey(line: Line): [string, string] {
  const m = /^("[^"]*"|'[^']*'|[^:'"[\]{}]+?)\s*:(?:\s+(.*)|$)/.exec(line.text);
  if (!m) throw new YamlSyntaxError(`expected "key: value", found "${line.text}"`, line.n);
  return [unquote(m[1] as string, line.n), (m[2] ?? '').trim()];
}

function parseBlock(block: Line[]): YamlValue {
  const indent = (block[0] as Line).indent;
  for (const l of block)
    if (l.indent !== indent) throw new YamlSyntaxError('nested blocks are not supported in data.yaml', l.n);
  if ((block[0] as Line).text.startsWith('-')) {
    return block.map((l) => {
      if (!/^-(\s|$)/.test(l.text)) throw new YamlSyntaxError('expected a list item "- value"', l.n);
      return scalarOrFlow(l.text.slice(1).trim(), l.n);
    });
  }
  const map: Record<string, YamlValue> = {};
  for (const l of block) {
    const [k, v] = splitKey(l);
    if (k in map) throw new YamlSyntaxError(`duplicate key "${k}"`, l.n);
    if (v === '') throw new YamlSyntaxError(`key "${k}" has no value`, l.n);
    map[k] = scalarOrFlow(v, l.n);
  }
  return map;
}

function scalarOrFlow(s: string, n: number): YamlValue {
  if (s.startsWith('[')) {
    if (!s.endsWith(']')) throw new YamlSyntaxError('unterminated flow list', n);
    return splitFlow(s.slice(1, -1), n).map((x) => scalar(x, n));
  }
  if (s.startsWith('{')) {
    if (!s.endsWith('}')) throw new YamlSyntaxError('unterminated flow map', n);
    const map: Record<string, YamlValue> = {};
    for (const part of splitFlow(s.slice(1, -1), n)) {
      const [k, v] = splitKey({ n, indent: 0, text: part });
      map[k] = scalar(v, n);
    }
    return map;
  }
  return scalar(s, n);
}

/** Splits a flow collection's body at top-level commas, respecting quotes. */
function splitFlow(body: string, n: number): string[] {
  const parts: string[] = [];
  let cur = '';
  let q: string | undefined;
  for (const c of body) {
    if (q) {
      cur += c;
      if (c === q) q = undefined;
    } else if (c === '"' || c === "'") {
      q = c;
      cur += c;
    } else if (c === '[' || c === '{') throw new YamlSyntaxError('nested flow collections are not supported', n);
    else if (c === ',') {
      parts.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  if (q) throw new YamlSyntaxError('unterminated quoted string', n);
  if (cur.trim() !== '') parts.push(cur.trim());
  else if (parts.length > 0) throw new YamlSyntaxError('empty item in a flow list', n);
  return parts;
}

function unquote(s: string, n: number): string {
  if (s.startsWith('"')) {
    if (!s.endsWith('"') || s.length < 2) throw new YamlSyntaxError('unterminated quoted string', n);
    try {
      return JSON.parse(s) as string;
    } catch {
      throw new YamlSyntaxError(`bad double-quoted string ${s}`, n);
    }
  }
  if (s.startsWith("'")) {
    if (!s.endsWith("'") || s.length < 2) throw new YamlSyntaxError('unterminated quoted string', n);
    return s.slice(1, -1).replace(/''/g, "'");
  }
  return s.trim();
}

function scalar(s: string, n: number): YamlValue {
  if (s.startsWith('"') || s.startsWith("'")) return unquote(s, n);
  if (s === '' || s === '~' || s === 'null') return null;
  if (s === 'true' || s === 'True') return true;
  if (s === 'false' || s === 'False') return false;
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) return Number(s);
  if (/^[&*!|>%@`]/.test(s)) throw new YamlSyntaxError(`unsupported YAML syntax "${s}"`, n);
  return s;
}

/** Writes `data.yaml` as Ultralytics does: `names` as an index map. */
export function writeDataYaml(
  fields: { path?: string; train?: string; val?: string; test?: string },
  names: string[],
): string {
  let out = '';
  for (const k of ['path', 'train', 'val', 'test'] as const)
    if (fields[k] !== undefined) out += `${k}: ${quote(fields[k] as string)}\n`;
  out += `nc: ${names.length}\nnames:\n`;
  names.forEach((n, i) => {
    out += `  ${i}: ${quote(n)}\n`;
  });
  return out;
}

function quote(s: string): string {
  return /^[\w./ -]+$/.test(s) && s.trim() === s && !/^(true|false|null|~|[-+]?[\d.]+)$/i.test(s)
    ? s
    : JSON.stringify(s);
}
