/**
 * Field values of the simulated Odoo: display names, raw values, computed fields (line amounts,
 * related fields, company-dependent account codes) and their rendering in read results (api notes
 * §2.2, §8, §9).
 */
import { microsToNaive } from './domain.js';
import { PyFloat } from './pyvalue.js';
import { type ModelDef } from './models.js';
import { isEmpty, round2, type Rec } from './store-base.js';
import { StoreBase } from './store-base.js';

export abstract class StoreValues extends StoreBase {
  // ---------------------------------------------------------------- values

  displayName(model: string, rec: Rec): string {
    const v = rec.v;
    const s = (x: unknown): string => (typeof x === 'string' ? x : '');
    switch (model) {
      case 'res.partner': {
        const parent = typeof v.parent_id === 'number' ? this.get('res.partner', v.parent_id) : undefined;
        return parent ? `${s(parent.v.name)}, ${s(v.name)}` : s(v.name);
      }
      case 'purchase.order':
        return isEmpty(v.partner_ref) ? s(v.name) : `${s(v.name)} (${s(v.partner_ref)})`;
      case 'purchase.order.line':
      case 'sale.order.line': {
        const order =
          typeof v.order_id === 'number' ? this.get(model.replace('.line', ''), v.order_id) : undefined;
        return `${order ? s(order.v.name) : ''}: ${s(v.name).split('\n')[0] ?? ''}`;
      }
      case 'account.account':
        return `${s(v.code)} ${s(v.name)}`;
      case 'account.analytic.account':
      case 'product.product':
        return isEmpty(v[model === 'product.product' ? 'default_code' : 'code'])
          ? s(v.name)
          : `[${s(v[model === 'product.product' ? 'default_code' : 'code'])}] ${s(v.name)}`;
      case 'account.move': {
        if (!isEmpty(v.name) && v.name !== '/') return s(v.name);
        const label =
          v.move_type === 'in_invoice'
            ? 'Draft Bill'
            : v.move_type === 'out_invoice'
              ? 'Draft Invoice'
              : 'Draft Entry';
        return `${label} (* ${rec.id})`;
      }
      case 'account.move.line': {
        const move = typeof v.move_id === 'number' ? this.get('account.move', v.move_id) : undefined;
        return [move ? this.displayName('account.move', move) : '', s(v.name)].filter(Boolean).join(' - ');
      }
      case 'account.payment':
        return isEmpty(v.name) ? 'Draft Payment' : s(v.name);
      case 'res.partner.bank':
        return s(v.acc_number);
      case 'ir.model.data':
        return `${s(v.module)}.${s(v.name)}`;
      default:
        return isEmpty(v.name) ? `${model},${rec.id}` : s(v.name);
    }
  }

  /** Raw value of a field: stored, computed on the fly, or derived (m2o as id, x2many as ids). */
  raw(model: ModelDef, rec: Rec, name: string): unknown {
    switch (name) {
      case 'id':
        return rec.id;
      case 'display_name':
        return this.displayName(model.name, rec);
      case 'create_date':
        return rec.createUs;
      case 'write_date':
        return rec.writeUs;
      case 'create_uid':
        return rec.createUid;
      case 'write_uid':
        return rec.writeUid;
      default:
        break;
    }
    const def = model.fields[name];
    if (!def) return false;
    if (def.type === 'one2many' && def.relation && def.inverse) {
      let ids = this.children(def.relation, def.inverse, rec.id);
      if (model.name === 'account.move' && name === 'invoice_line_ids') {
        ids = ids.filter((id) => {
          const t = this.get('account.move.line', id)?.v.display_type;
          return t === 'product' || t === 'line_section' || t === 'line_note';
        });
      }
      return ids;
    }
    if (def.computed && !(name in rec.v)) return this.compute(model.name, rec, name);
    // §9: from 18 an account's code is company-dependent: it answers for the current company only.
    if (model.name === 'account.account' && name === 'code' && this.version >= 18) {
      const cids = rec.v.company_ids;
      if (Array.isArray(cids) && cids.length > 0 && !cids.includes(this.currentCompany)) return false;
    }
    const value = rec.v[name];
    if (value === undefined || value === null)
      return def.type === 'many2many'
        ? []
        : def.type === 'integer' || def.type === 'float' || def.type === 'monetary'
          ? 0
          : false;
    return value;
  }

  protected compute(model: string, rec: Rec, name: string): unknown {
    const v = rec.v;
    const num = (x: unknown): number => (typeof x === 'number' ? x : 0);
    if (model === 'purchase.order.line' || model === 'account.move.line' || model === 'sale.order.line') {
      const qty = num(
        v[
          model === 'purchase.order.line'
            ? 'product_qty'
            : model === 'sale.order.line'
              ? 'product_uom_qty'
              : 'quantity'
        ],
      );
      const subtotal = round2(qty * num(v.price_unit) * (1 - num(v.discount) / 100));
      const taxField =
        model === 'purchase.order.line' ? (this.version >= 19 ? 'tax_ids' : 'taxes_id') : 'tax_ids';
      const rate = ((v[taxField] as number[] | undefined) ?? []).reduce(
        (acc, id) => acc + num(this.get('account.tax', id)?.v.amount),
        0,
      );
      const tax = round2((subtotal * rate) / 100);
      const parentModel = model === 'account.move.line' ? 'account.move' : model.replace('.line', '');
      const parentField = model === 'account.move.line' ? 'move_id' : 'order_id';
      const parent =
        typeof v[parentField] === 'number' ? this.get(parentModel, v[parentField] as number) : undefined;
      switch (name) {
        case 'price_subtotal':
          return v.display_type === 'payment_term' ? 0 : subtotal;
        case 'price_tax':
          return tax;
        case 'price_total':
          return round2(subtotal + tax);
        case 'product_uom_qty':
          return qty;
        case 'qty_to_invoice':
          return round2(num(v.qty_received) - num(v.qty_invoiced));
        case 'balance':
          return round2(num(v.debit) - num(v.credit));
        case 'amount_currency':
          return round2(num(v.debit) - num(v.credit));
        case 'move_name':
          return parent ? (parent.v.name ?? false) : false;
        case 'date':
          return parent ? (parent.v.date ?? false) : false;
        case 'parent_state':
          return parent ? (parent.v.state ?? false) : false;
        case 'state':
        case 'company_id':
        case 'partner_id':
        case 'currency_id':
          return parent ? (parent.v[name] ?? false) : false;
        default:
          return false;
      }
    }
    if (model === 'res.partner') {
      if (name === 'complete_name') return this.displayName(model, rec);
      if (name === 'commercial_partner_id') {
        let cur = rec;
        while (typeof cur.v.parent_id === 'number' && !cur.v.is_company) {
          const parent = this.get('res.partner', cur.v.parent_id);
          if (!parent) break;
          cur = parent;
        }
        return cur.id;
      }
    }
    if (model === 'account.move' && name === 'commercial_partner_id') return v.partner_id ?? false;
    if (name.startsWith('amount_') || name === 'balance') return 0;
    return false;
  }

  /** A value as Odoo serializes it in read results (§2.2, §8): `false` for empty, never null. */
  render(model: ModelDef, rec: Rec, name: string, load: string): unknown {
    const def = model.fields[name];
    const raw = this.raw(model, rec, name);
    if (name === 'create_date' || name === 'write_date') return microsToNaive(raw as number);
    if (!def) return raw;
    switch (def.type) {
      case 'many2one': {
        if (typeof raw !== 'number' || !def.relation) return false;
        if (load !== '_classic_read') return raw;
        const target = this.get(def.relation, raw);
        return [raw, target ? this.displayName(def.relation, target) : ''];
      }
      case 'one2many':
      case 'many2many':
        return Array.isArray(raw) ? [...raw] : [];
      case 'integer':
        return typeof raw === 'number' ? raw : 0;
      case 'float':
      case 'monetary':
        return new PyFloat(typeof raw === 'number' ? raw : 0);
      case 'boolean':
        return raw === true;
      case 'json':
        // analytic_distribution: {"24": 100.0}, shares as floats.
        return raw !== null && typeof raw === 'object'
          ? Object.fromEntries(
              Object.entries(raw as Record<string, unknown>).map(([k, x]) => [
                k,
                typeof x === 'number' ? new PyFloat(x) : x,
              ]),
            )
          : false;
      default:
        return isEmpty(raw) ? false : raw;
    }
  }
}
