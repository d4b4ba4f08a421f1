/**
 * Wire helpers of the Odoo conformance test: a JSON parser and an XML-RPC response parser that keep
 * the difference between an integer and a float (`3000.0`), which `JSON.parse` loses and which the
 * recordings show (api notes §9: numbers are floats on the wire).
 */

/** A number written as a float on the wire (`<double>`, or JSON with a fraction or exponent). */
export class Float {
  constructor(readonly value: number) {}
}

export type Wire = null | boolean | number | string | Float | Wire[] | { [k: string]: Wire };

/** JSON.parse, except that numbers written with `.` or an exponent become `Float`. */
export function parseJsonLossless(text: string): Wire {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && /\s/.test(text[i] as string)) i += 1;
  };
  const value = (): Wire => {
    ws();
    const c = text[i];
    if (c === '{') {
      i += 1;
      const out: { [k: string]: Wire } = {};
      ws();
      if (text[i] === '}') {
        i += 1;
        return out;
      }
      for (;;) {
        ws();
        const key = value() as string;
        ws();
        i += 1; // ':'
        out[key] = value();
        ws();
        if (text[i] === ',') {
          i += 1;
          continue;
        }
        i += 1; // '}'
        return out;
      }
    }
    if (c === '[') {
      i += 1;
      const out: Wire[] = [];
      ws();
      if (text[i] === ']') {
        i += 1;
        return out;
      }
      for (;;) {
        out.push(value());
        ws();
        if (text[i] === ',') {
          i += 1;
          continue;
        }
        i += 1; // ']'
        return out;
      }
    }
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const s = JSON.parse(text.slice(i, j + 1)) as string;
      i = j + 1;
      return s;
    }
    const m = /^(?:true|false|null|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 40));
    if (!m) throw new Error(`bad JSON at ${i}: ${text.slice(i, i + 20)}`);
    i += m[0].length;
    if (m[0] === 'true') return true;
    if (m[0] === 'false') return false;
    if (m[0] === 'null') return null;
    return /[.eE]/.test(m[0]) ? new Float(Number(m[0])) : Number(m[0]);
  };
  const out = value();
  return out;
}

function unescapeXml(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
    .replace(/&amp;/g, '&');
}

/** An XML-RPC `methodResponse`: `{result}` or `{fault: {faultCode, faultString}}`; `<double>` → Float. */
export function parseXmlRpcResponse(
  xml: string,
): { result: Wire } | { fault: { faultCode: number; faultString: string } } {
  const tokens = [...xml.matchAll(/<(\/?)([\w.:]+)[^>]*?(\/?)>|([^<]+)/g)];
  let k = 0;
  const skipText = (): void => {
    while (k < tokens.length && tokens[k]?.[4] !== undefined && tokens[k]?.[4]?.trim() === '') k += 1;
  };
  const expectOpen = (name: string): void => {
    skipText();
    const t = tokens[k];
    if (!t || t[1] !== '' || t[2] !== name) throw new Error(`expected <${name}> at token ${k}: ${t?.[0]}`);
    k += 1;
  };
  const expectClose = (name: string): void => {
    skipText();
    const t = tokens[k];
    if (!t || t[1] !== '/' || t[2] !== name) throw new Error(`expected </${name}> at token ${k}: ${t?.[0]}`);
    k += 1;
  };
  const textUntilClose = (name: string): string => {
    let s = '';
    while (k < tokens.length && !(tokens[k]?.[1] === '/' && tokens[k]?.[2] === name)) {
      s += tokens[k]?.[4] ?? '';
      k += 1;
    }
    k += 1;
    return unescapeXml(s);
  };
  const value = (): Wire => {
    expectOpen('value');
    // Text directly inside <value> is a string.
    const t = tokens[k];
    if (t && t[4] !== undefined) {
      const next = tokens[k + 1];
      if (next && next[1] === '/' && next[2] === 'value') {
        k += 2;
        return unescapeXml(t[4]);
      }
    }
    skipText();
    const open = tokens[k];
    if (open && open[1] === '/' && open[2] === 'value') {
      k += 1;
      return '';
    }
    const type = open?.[2] as string;
    const selfClosing = open?.[3] === '/';
    k += 1;
    let out: Wire;
    switch (type) {
      case 'int':
      case 'i4':
      case 'i8':
        out = Number(textUntilClose(type));
        break;
      case 'double':
        out = new Float(Number(textUntilClose(type)));
        break;
      case 'boolean':
        out = textUntilClose(type).trim() === '1';
        break;
      case 'string':
        out = selfClosing ? '' : textUntilClose(type);
        break;
      case 'nil':
        if (!selfClosing) expectClose('nil');
        out = null;
        break;
      case 'array': {
        expectOpen('data');
        const items: Wire[] = [];
        for (;;) {
          skipText();
          if (tokens[k]?.[1] === '/' && tokens[k]?.[2] === 'data') break;
          items.push(value());
        }
        expectClose('data');
        expectClose('array');
        out = items;
        break;
      }
      case 'struct': {
        const obj: { [key: string]: Wire } = {};
        for (;;) {
          skipText();
          if (tokens[k]?.[1] === '/' && tokens[k]?.[2] === 'struct') break;
          expectOpen('member');
          expectOpen('name');
          const name = textUntilClose('name');
          obj[name] = value();
          expectClose('member');
        }
        expectClose('struct');
        out = obj;
        break;
      }
      default:
        throw new Error(`unknown XML-RPC type ${type}`);
    }
    expectClose('value');
    return out;
  };
  const start = tokens.findIndex((t) => t[2] === 'params' || t[2] === 'fault');
  if (start < 0) throw new Error(`not a methodResponse: ${xml.slice(0, 200)}`);
  k = start;
  if (tokens[k]?.[2] === 'fault') {
    k += 1;
    const f = value() as { faultCode: number; faultString: string };
    return { fault: { faultCode: f.faultCode, faultString: f.faultString } };
  }
  expectOpen('params');
  expectOpen('param');
  return { result: value() };
}
