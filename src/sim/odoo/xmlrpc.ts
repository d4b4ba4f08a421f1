/**
 * Server-side XML-RPC codec for the Odoo simulator: parses a `methodCall`, serializes a
 * `methodResponse` or a `fault` with the framing of the api notes §1.2 (`<?xml version='1.0'?>`,
 * `<array><data>`, `<struct><member>`, faults as `faultCode`/`faultString` with HTTP 200).
 */
import { PyFloat } from './pyvalue.js';

export interface MethodCall {
  methodName: string;
  params: unknown[];
}

export class XmlRpcParseError extends Error {}

type Token = { kind: 'open' | 'close' | 'empty'; name: string } | { kind: 'text'; text: string };

function tokenize(xml: string): Token[] {
  const tokens: Token[] = [];
  const re =
    /<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!\[CDATA\[([\s\S]*?)\]\]>|<(\/?)([A-Za-z_][\w.:-]*)[^>]*?(\/?)>|([^<]+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(xml)) !== null) {
    if (m[1] !== undefined) tokens.push({ kind: 'text', text: m[1] });
    else if (m[5] !== undefined) tokens.push({ kind: 'text', text: decodeEntities(m[5]) });
    else if (m[3] !== undefined) {
      const name = m[3];
      if (m[2] === '/') tokens.push({ kind: 'close', name });
      else if (m[4] === '/') tokens.push({ kind: 'empty', name });
      else tokens.push({ kind: 'open', name });
    }
  }
  return tokens;
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);/g, (_all, ent: string) => {
    switch (ent) {
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'amp':
        return '&';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
      default:
        return String.fromCodePoint(
          ent.startsWith('#x') ? parseInt(ent.slice(2), 16) : parseInt(ent.slice(1), 10),
        );
    }
  });
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token | undefined {
    // Whitespace-only text between elements is insignificant.
    while (true) {
      const t = this.tokens[this.i];
      if (t && t.kind === 'text' && t.text.trim() === '') {
        this.i += 1;
        continue;
      }
      return t;
    }
  }

  private next(): Token {
    const t = this.peek();
    if (!t) throw new XmlRpcParseError('unexpected end of document');
    this.i += 1;
    return t;
  }

  private expectOpen(name: string): void {
    const t = this.next();
    if (t.kind !== 'open' || t.name !== name) throw new XmlRpcParseError(`expected <${name}>`);
  }

  private expectClose(name: string): void {
    const t = this.next();
    if (t.kind !== 'close' || t.name !== name) throw new XmlRpcParseError(`expected </${name}>`);
  }

  /** Raw text up to the closing tag (whitespace kept). */
  private textUntil(name: string): string {
    let text = '';
    while (true) {
      const t = this.tokens[this.i];
      if (!t) throw new XmlRpcParseError('unexpected end of document');
      this.i += 1;
      if (t.kind === 'text') text += t.text;
      else if (t.kind === 'close' && t.name === name) return text;
      else throw new XmlRpcParseError(`unexpected <${t.name}> in <${name}>`);
    }
  }

  methodCall(): MethodCall {
    this.expectOpen('methodCall');
    this.expectOpen('methodName');
    const methodName = this.textUntil('methodName').trim();
    const params: unknown[] = [];
    const t = this.peek();
    if (t && t.kind === 'empty' && t.name === 'params') this.i += 1;
    else if (t && t.kind === 'open' && t.name === 'params') {
      this.i += 1;
      while (true) {
        const p = this.peek();
        if (p && p.kind === 'close' && p.name === 'params') {
          this.i += 1;
          break;
        }
        this.expectOpen('param');
        params.push(this.value());
        this.expectClose('param');
      }
    }
    this.expectClose('methodCall');
    return { methodName, params };
  }

  value(): unknown {
    const open = this.next();
    if (open.kind === 'empty' && open.name === 'value') return '';
    if (open.kind !== 'open' || open.name !== 'value') throw new XmlRpcParseError('expected <value>');
    // A bare <value>text</value> is a string.
    const raw = this.tokens[this.i];
    if (raw && raw.kind === 'text') {
      const after = this.tokens[this.i + 1];
      if (after && after.kind === 'close' && after.name === 'value') {
        this.i += 2;
        return raw.text;
      }
    }
    const t = this.next();
    let out: unknown;
    if (t.kind === 'close' && t.name === 'value') return '';
    if (t.kind === 'empty') {
      if (t.name === 'nil') out = null;
      else if (t.name === 'string') out = '';
      else if (t.name === 'array') out = [];
      else if (t.name === 'struct') out = {};
      else throw new XmlRpcParseError(`unexpected <${t.name}/>`);
    } else if (t.kind === 'open') {
      out = this.typed(t.name);
    } else {
      throw new XmlRpcParseError('malformed <value>');
    }
    this.expectClose('value');
    return out;
  }

  private typed(name: string): unknown {
    switch (name) {
      case 'string':
        return this.textUntil('string');
      case 'int':
      case 'i4':
      case 'i8': {
        const text = this.textUntil(name).trim();
        if (!/^[-+]?\d+$/.test(text)) throw new XmlRpcParseError(`bad <${name}> ${text}`);
        return Number(text);
      }
      case 'double': {
        const n = Number(this.textUntil(name).trim());
        if (Number.isNaN(n)) throw new XmlRpcParseError('bad <double>');
        return n;
      }
      case 'boolean':
        return this.textUntil(name).trim() === '1';
      case 'nil':
        this.textUntil(name);
        return null;
      case 'dateTime.iso8601':
        return this.textUntil(name).trim();
      case 'base64':
        return this.textUntil(name).trim();
      case 'array': {
        const items: unknown[] = [];
        const d = this.next();
        if (d.kind === 'empty' && d.name === 'data') {
          this.expectClose('array');
          return items;
        }
        if (d.kind !== 'open' || d.name !== 'data') throw new XmlRpcParseError('expected <data>');
        while (true) {
          const p = this.peek();
          if (p && p.kind === 'close' && p.name === 'data') {
            this.i += 1;
            break;
          }
          items.push(this.value());
        }
        this.expectClose('array');
        return items;
      }
      case 'struct': {
        const obj: Record<string, unknown> = {};
        while (true) {
          const p = this.peek();
          if (p && p.kind === 'close' && p.name === 'struct') {
            this.i += 1;
            break;
          }
          this.expectOpen('member');
          this.expectOpen('name');
          const key = this.textUntil('name');
          obj[key] = this.value();
          this.expectClose('member');
        }
        return obj;
      }
      default:
        throw new XmlRpcParseError(`unknown XML-RPC type <${name}>`);
    }
  }
}

export function parseMethodCall(xml: string): MethodCall {
  return new Parser(tokenize(xml)).methodCall();
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Odoo marshals with allow_none, but its values never contain None: empty is `False` (§1.2). */
export function serializeValue(value: unknown): string {
  if (value === null || value === undefined || value === false) return '<value><boolean>0</boolean></value>';
  if (value === true) return '<value><boolean>1</boolean></value>';
  if (value instanceof PyFloat) return `<value><double>${value.repr()}</double></value>`;
  if (typeof value === 'number') {
    return Number.isInteger(value) && Math.abs(value) < 2 ** 31
      ? `<value><int>${value}</int></value>`
      : `<value><double>${Number.isInteger(value) ? value.toFixed(1) : String(value)}</double></value>`;
  }
  if (typeof value === 'string') return `<value><string>${escape(value)}</string></value>`;
  if (Array.isArray(value))
    return `<value><array><data>\n${value.map(serializeValue).join('\n')}\n</data></array></value>`;
  if (typeof value === 'object') {
    const members = Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `<member>\n<name>${escape(k)}</name>\n${serializeValue(v)}\n</member>`)
      .join('\n');
    return `<value><struct>\n${members}\n</struct></value>`;
  }
  return `<value><string>${escape(String(value))}</string></value>`;
}

export function serializeResponse(value: unknown): string {
  return `<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n${serializeValue(value)}\n</param>\n</params>\n</methodResponse>\n`;
}

export function serializeFault(faultCode: number, faultString: string): string {
  return `<?xml version='1.0'?>\n<methodResponse>\n<fault>\n${serializeValue({ faultCode, faultString })}\n</fault>\n</methodResponse>\n`;
}
