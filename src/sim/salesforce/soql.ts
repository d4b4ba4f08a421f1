/**
 * A SOQL subset, parsed for real (https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/):
 *
 *   SELECT field[, field…] FROM Object
 *     [WHERE cond]          cond: cond AND cond | cond OR cond | NOT cond | (cond)
 *                                 | field op literal | field [NOT] IN (literal, …) | field LIKE 'pattern'
 *     [ORDER BY field [ASC|DESC] [NULLS FIRST|LAST], …]
 *     [LIMIT n]
 *
 * Fields may be relationship paths (`Account.Name`). Literals: 'strings' with backslash escapes,
 * numbers, true/false, null, unquoted datetimes with a zone (`2024-01-15T09:55:00Z`,
 * `…+01:00`, `….000Z`) and dates (`2024-01-15`). Mixing AND and OR without parentheses is refused,
 * as Salesforce refuses it. Errors are thrown as `SoqlError` (MALFORMED_QUERY).
 */

export type Literal =
  | { type: 'string'; value: string }
  | { type: 'number'; value: number }
  | { type: 'boolean'; value: boolean }
  | { type: 'null' }
  | { type: 'datetime'; value: number; text: string }
  | { type: 'date'; value: string };

export type CmpOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type Cond =
  | { kind: 'and' | 'or'; parts: Cond[] }
  | { kind: 'not'; cond: Cond }
  | { kind: 'cmp'; field: string; op: CmpOp; value: Literal }
  | { kind: 'in'; field: string; negated: boolean; values: Literal[] }
  | { kind: 'like'; field: string; pattern: string };

export interface OrderTerm {
  field: string;
  desc: boolean;
  nullsLast: boolean;
}

export interface SoqlQuery {
  fields: string[];
  from: string;
  where?: Cond;
  orderBy: OrderTerm[];
  limit?: number;
}

export class SoqlError extends Error {
  constructor(
    message: string,
    readonly errorCode = 'MALFORMED_QUERY',
  ) {
    super(message);
  }
}

type Token =
  | { t: 'ident'; v: string }
  | { t: 'string'; v: string }
  | { t: 'number'; v: number; raw: string }
  | { t: 'datetime'; v: number; raw: string }
  | { t: 'date'; v: string }
  | { t: 'op'; v: string }
  | { t: 'punct'; v: '(' | ')' | ',' }
  | { t: 'end' };

const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})/;
const DATETIME_NO_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?/;
const DATE = /^\d{4}-\d{2}-\d{2}(?![\dT])/;
const NUMBER = /^-?\d+(\.\d+)?/;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*/;

export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const ch = text.charAt(i);
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    let m: RegExpExecArray | null;
    if ((m = DATETIME.exec(rest))) {
      const v = Date.parse(m[0]);
      if (Number.isNaN(v)) throw new SoqlError(`invalid date/time: ${m[0]}`);
      out.push({ t: 'datetime', v, raw: m[0] });
      i += m[0].length;
    } else if ((m = DATETIME_NO_ZONE.exec(rest))) {
      // An offset's unencoded `+` arrives as a space: `2024-01-15T09:55:00 01:00`.
      throw new SoqlError(
        `line 1:${i} no viable alternative at character '${text.charAt(i + m[0].length) || ' '}': datetime ${m[0]} lacks a time zone`,
      );
    } else if ((m = DATE.exec(rest))) {
      out.push({ t: 'date', v: m[0] });
      i += m[0].length;
    } else if ((m = NUMBER.exec(rest)) && !(ch === '-' && /[\w)]/.test(prevChar(text, i)))) {
      out.push({ t: 'number', v: Number(m[0]), raw: m[0] });
      i += m[0].length;
    } else if ((m = IDENT.exec(rest))) {
      out.push({ t: 'ident', v: m[0] });
      i += m[0].length;
    } else if (ch === "'") {
      let j = i + 1;
      let v = '';
      for (;;) {
        if (j >= text.length) throw new SoqlError(`unterminated string literal at ${i}`);
        const c = text.charAt(j);
        if (c === '\\') {
          const e = text.charAt(j + 1);
          const map: Record<string, string> = {
            n: '\n',
            r: '\r',
            t: '\t',
            b: '\b',
            f: '\f',
            '"': '"',
            "'": "'",
            '\\': '\\',
            _: '\\_',
            '%': '\\%',
          };
          const mapped = map[e];
          if (mapped === undefined) throw new SoqlError(`invalid escape sequence \\${e} at ${j}`);
          v += mapped;
          j += 2;
          continue;
        }
        if (c === "'") break;
        v += c;
        j++;
      }
      out.push({ t: 'string', v });
      i = j + 1;
    } else if ((m = /^(<=|>=|!=|<>|=|<|>)/.exec(rest))) {
      out.push({ t: 'op', v: m[0] === '<>' ? '!=' : m[0] });
      i += m[0].length;
    } else if (ch === '(' || ch === ')' || ch === ',') {
      out.push({ t: 'punct', v: ch });
      i++;
    } else {
      throw new SoqlError(`line 1:${i} no viable alternative at character '${ch}'`);
    }
  }
  out.push({ t: 'end' });
  return out;
}

function prevChar(text: string, i: number): string {
  let j = i - 1;
  while (j >= 0 && /\s/.test(text.charAt(j))) j--;
  return j >= 0 ? text.charAt(j) : '';
}

const KEYWORDS = new Set([
  'SELECT',
  'FROM',
  'WHERE',
  'AND',
  'OR',
  'NOT',
  'IN',
  'LIKE',
  'ORDER',
  'BY',
  'ASC',
  'DESC',
  'NULLS',
  'FIRST',
  'LAST',
  'LIMIT',
  'NULL',
  'TRUE',
  'FALSE',
  'OFFSET',
]);

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.pos] as Token;
  }
  private next(): Token {
    return this.tokens[this.pos++] as Token;
  }
  private isKw(word: string, tok = this.peek()): boolean {
    return tok.t === 'ident' && tok.v.toUpperCase() === word;
  }
  private isPunct(p: string): boolean {
    const tok = this.peek();
    return tok.t === 'punct' && tok.v === p;
  }
  private expectKw(word: string): void {
    const tok = this.next();
    if (!this.isKw(word, tok)) throw new SoqlError(`expected ${word}, found ${describe(tok)}`);
  }
  private field(): string {
    const tok = this.next();
    if (tok.t !== 'ident' || KEYWORDS.has(tok.v.toUpperCase()))
      throw new SoqlError(`expected a field name, found ${describe(tok)}`);
    return tok.v;
  }

  query(): SoqlQuery {
    this.expectKw('SELECT');
    const fields = [this.field()];
    while (this.isPunct(',')) {
      this.next();
      fields.push(this.field());
    }
    this.expectKw('FROM');
    // `Order` is an object name even though ORDER is a keyword.
    const fromTok = this.next();
    if (fromTok.t !== 'ident') throw new SoqlError(`expected an object name, found ${describe(fromTok)}`);
    const from = fromTok.v;
    const q: SoqlQuery = { fields, from, orderBy: [] };
    if (this.isKw('WHERE')) {
      this.next();
      q.where = this.condition();
    }
    if (this.isKw('ORDER')) {
      this.next();
      this.expectKw('BY');
      for (;;) {
        const term: OrderTerm = { field: this.field(), desc: false, nullsLast: false };
        if (this.isKw('ASC')) this.next();
        else if (this.isKw('DESC')) {
          this.next();
          term.desc = true;
          term.nullsLast = true;
        }
        if (this.isKw('NULLS')) {
          this.next();
          if (this.isKw('FIRST')) term.nullsLast = false;
          else if (this.isKw('LAST')) term.nullsLast = true;
          else throw new SoqlError(`expected FIRST or LAST, found ${describe(this.peek())}`);
          this.next();
        }
        q.orderBy.push(term);
        if (this.isPunct(',')) this.next();
        else break;
      }
    }
    if (this.isKw('LIMIT')) {
      this.next();
      const n = this.next();
      if (n.t !== 'number' || !Number.isInteger(n.v) || n.v < 0)
        throw new SoqlError(`expected a row count after LIMIT, found ${describe(n)}`);
      q.limit = n.v;
    }
    if (this.isKw('OFFSET'))
      throw new SoqlError('OFFSET is not supported by this simulator: page with nextRecordsUrl');
    const end = this.peek();
    if (end.t !== 'end') throw new SoqlError(`unexpected token: ${describe(end)}`);
    return q;
  }

  /** One level: terms joined by a single kind of connective (mixing needs parentheses). */
  private condition(): Cond {
    const first = this.unary();
    let kind: 'and' | 'or' | undefined;
    const parts = [first];
    for (;;) {
      const word = this.isKw('AND') ? 'and' : this.isKw('OR') ? 'or' : undefined;
      if (!word) break;
      if (kind && kind !== word)
        throw new SoqlError(`unexpected token: '${word.toUpperCase()}' (use parentheses to mix AND and OR)`);
      kind = word;
      this.next();
      parts.push(this.unary());
    }
    return kind ? { kind, parts } : first;
  }

  private unary(): Cond {
    if (this.isKw('NOT')) {
      this.next();
      return { kind: 'not', cond: this.unary() };
    }
    const tok = this.peek();
    if (tok.t === 'punct' && tok.v === '(') {
      this.next();
      const inner = this.condition();
      const close = this.next();
      if (close.t !== 'punct' || close.v !== ')')
        throw new SoqlError(`expected ')', found ${describe(close)}`);
      return inner;
    }
    const field = this.field();
    if (this.isKw('NOT') || this.isKw('IN')) {
      const negated = this.isKw('NOT');
      if (negated) this.next();
      this.expectKw('IN');
      const open = this.next();
      if (open.t !== 'punct' || open.v !== '(')
        throw new SoqlError(`expected '(' after IN, found ${describe(open)}`);
      const values = [this.literal()];
      for (;;) {
        const t = this.next();
        if (t.t === 'punct' && t.v === ',') values.push(this.literal());
        else if (t.t === 'punct' && t.v === ')') break;
        else throw new SoqlError(`expected ',' or ')', found ${describe(t)}`);
      }
      return { kind: 'in', field, negated, values };
    }
    if (this.isKw('LIKE')) {
      this.next();
      const p = this.next();
      if (p.t !== 'string') throw new SoqlError(`LIKE needs a string pattern, found ${describe(p)}`);
      return { kind: 'like', field, pattern: p.v };
    }
    const op = this.next();
    if (op.t !== 'op') throw new SoqlError(`expected an operator after ${field}, found ${describe(op)}`);
    return { kind: 'cmp', field, op: op.v as CmpOp, value: this.literal() };
  }

  private literal(): Literal {
    const tok = this.next();
    switch (tok.t) {
      case 'string':
        return { type: 'string', value: tok.v };
      case 'number':
        return { type: 'number', value: tok.v };
      case 'datetime':
        return { type: 'datetime', value: tok.v, text: tok.raw };
      case 'date':
        return { type: 'date', value: tok.v };
      case 'ident': {
        const w = tok.v.toUpperCase();
        if (w === 'NULL') return { type: 'null' };
        if (w === 'TRUE' || w === 'FALSE') return { type: 'boolean', value: w === 'TRUE' };
        throw new SoqlError(`expected a value, found ${tok.v}`);
      }
      default:
        throw new SoqlError(`expected a value, found ${describe(tok)}`);
    }
  }
}

function describe(tok: Token): string {
  switch (tok.t) {
    case 'end':
      return 'end of query';
    case 'punct':
    case 'op':
      return `'${tok.v}'`;
    case 'string':
      return `'${tok.v}'`;
    case 'number':
    case 'datetime':
      return tok.raw;
    default:
      return String(tok.v);
  }
}

export function parseSoql(text: string): SoqlQuery {
  return new Parser(tokenize(text)).query();
}
