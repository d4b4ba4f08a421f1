/**
 * Odoo's numbers as Python writes them (api notes §9: floats are always floats on the wire, `3000.0`
 * over JSON-2 and `<double>3000.0</double>` over XML-RPC, never an integer). A float field's value
 * is a `PyFloat` in answers; elsewhere (control routes, `/_sim/state`) it serialises as a plain
 * number.
 */
let marking = false;

export class PyFloat {
  constructor(readonly value: number) {}

  /** Python's `repr` of a float: a whole number keeps `.0`. */
  repr(): string {
    return Number.isInteger(this.value) && Math.abs(this.value) < 1e16
      ? this.value.toFixed(1)
      : String(this.value);
  }

  toJSON(): number | string {
    return marking ? `\u0000F${this.repr()}\u0000` : this.value;
  }
}

/** JSON as Odoo's JSON-2 writes it: floats with their `.0`. */
export function pyJson(value: unknown): string {
  marking = true;
  try {
    return JSON.stringify(value).replace(/"\\u0000F([^"\\]*)\\u0000"/g, '$1');
  } finally {
    marking = false;
  }
}
