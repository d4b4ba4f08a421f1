/**
 * Writes of the simulated Odoo: value coercion, defaults, required fields, create/write/unlink,
 * x2many commands and the stored-compute side effects that move `write_date` (api notes §2.3, §8).
 */
import { microsToNaive, parseDatetimeLiteral } from './domain.js';
import { OdooException } from './exceptions.js';
import { type FieldDef, type ModelDef } from './models.js';
import {
  LOG,
  MOVE_LINE_AMOUNT,
  PO_LINE_TRIGGERS,
  isEmpty,
  round2,
  type Env,
  type Rec,
  type WriteOptions,
} from './store-base.js';
import { registerDefaults } from './payment-register.js';
import { StoreSearch } from './search.js';

export abstract class StoreWrites extends StoreSearch {
  abstract recomputePurchase(po: Rec, stamp: number, uid: number): void;
  abstract recomputeSale(so: Rec, stamp: number, uid: number): void;
  abstract recomputeMove(move: Rec, stamp: number, uid: number, amounts?: boolean): void;

  // ---------------------------------------------------------------- writes

  protected coerce(model: ModelDef, name: string, def: FieldDef, value: unknown): unknown {
    if (value === null || value === undefined) return false;
    switch (def.type) {
      case 'many2one': {
        if (value === false || value === 0) return false;
        const id = Array.isArray(value) ? value[0] : value;
        if (typeof id !== 'number' || !Number.isInteger(id)) {
          throw new OdooException(
            'value_error',
            `Wrong value for ${model.name}.${name}: ${JSON.stringify(value)}`,
          );
        }
        if (def.relation && !this.get(def.relation, id)) {
          throw new OdooException(
            'validation',
            `The operation cannot be completed: another model requires the record being deleted. If possible, archive it instead.\n\nModel: ${model.description} (${model.name})\nField: ${def.string} (${name})`,
          );
        }
        return id;
      }
      case 'integer':
      case 'float':
      case 'monetary': {
        if (value === false) return 0;
        const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
        if (typeof n !== 'number' || Number.isNaN(n)) {
          throw new OdooException(
            'value_error',
            `Wrong value for ${model.name}.${name}: ${JSON.stringify(value)}`,
          );
        }
        return def.type === 'integer' ? Math.trunc(n) : def.type === 'monetary' ? round2(n) : n;
      }
      case 'boolean':
        return Boolean(value);
      case 'selection':
        if (value === false || value === '') return false;
        if (!def.selection?.includes(String(value))) {
          throw new OdooException('value_error', `Wrong value for ${model.name}.${name}: '${String(value)}'`);
        }
        return String(value);
      case 'datetime': {
        if (value === false || value === '') return false;
        const lit = parseDatetimeLiteral(value);
        return microsToNaive(lit.us);
      }
      case 'date': {
        if (value === false || value === '') return false;
        if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(value)) {
          throw new OdooException(
            'value_error',
            `time data ${JSON.stringify(value)} does not match format '%Y-%m-%d'`,
          );
        }
        return value.slice(0, 10);
      }
      case 'json':
        if (value === false) return false;
        if (typeof value !== 'object' || Array.isArray(value)) {
          throw new OdooException(
            'value_error',
            `Wrong value for ${model.name}.${name}: ${JSON.stringify(value)}`,
          );
        }
        return JSON.parse(JSON.stringify(value)) as unknown;
      default:
        if (value === false) return false;
        return typeof value === 'string' ? value : String(value);
    }
  }

  protected defaults(modelName: string, v: Record<string, unknown>, env: Env): void {
    const model = this.model(modelName);
    for (const [name, def] of Object.entries(model.fields)) {
      if (!(name in v) && def.default !== undefined && !def.computed) v[name] = def.default;
    }
    const today = microsToNaive(env.now).slice(0, 10);
    const set = (name: string, value: unknown): void => {
      if (model.fields[name] && isEmpty(v[name])) v[name] = value;
    };
    switch (modelName) {
      case 'purchase.order':
        set('company_id', this.currentCompany);
        // Purchase order numbers come from a sequence per company (§9).
        if (v.name === 'New' || isEmpty(v.name))
          v.name = `P${String(this.nextSequence(this.companyKey('purchase.order', v.company_id))).padStart(5, '0')}`;
        set('date_order', microsToNaive(env.now));
        set('currency_id', 2);
        set('user_id', env.uid);
        break;
      case 'sale.order':
        if (v.name === 'New' || isEmpty(v.name))
          v.name = `S${String(this.nextSequence('sale.order')).padStart(5, '0')}`;
        set('date_order', microsToNaive(env.now));
        set('currency_id', 2);
        set('company_id', this.currentCompany);
        break;
      case 'account.move': {
        set('company_id', this.currentCompany);
        if (isEmpty(v.journal_id)) {
          const type = String(v.move_type ?? 'entry');
          const jt = type.startsWith('in_') ? 'purchase' : type.startsWith('out_') ? 'sale' : 'general';
          const journal = this.journalOf(jt, v.company_id);
          if (journal) v.journal_id = journal.id;
        }
        set('date', isEmpty(v.invoice_date) ? today : v.invoice_date);
        set('currency_id', 2);
        if (!('name' in v)) v.name = false;
        break;
      }
      case 'account.payment': {
        if (isEmpty(v.journal_id)) {
          const journal = this.journalOf('bank', this.currentCompany);
          if (journal) v.journal_id = journal.id;
        }
        // A payment's company is its journal's.
        if (isEmpty(v.company_id)) {
          const journal =
            typeof v.journal_id === 'number' ? this.get('account.journal', v.journal_id) : undefined;
          v.company_id =
            typeof journal?.v.company_id === 'number' ? journal.v.company_id : this.currentCompany;
        }
        set('date', today);
        set('currency_id', 2);
        if (!('name' in v)) v.name = false;
        break;
      }
      case 'account.payment.register':
        registerDefaults(this, v, env);
        break;
      case 'project.task': {
        // A task's company is its project's (computed, stored, writable); without one, the current company.
        const project =
          typeof v.project_id === 'number' ? this.get('project.project', v.project_id) : undefined;
        if (isEmpty(v.company_id))
          v.company_id =
            typeof project?.v.company_id === 'number' ? project.v.company_id : this.currentCompany;
        break;
      }
      case 'hr.employee':
      case 'account.analytic.account':
        // An explicit `false` is a shared record; only a missing value takes the current company.
        if (!('company_id' in v)) v.company_id = this.currentCompany;
        break;
      default:
        break;
    }
  }

  /** The first journal of a type in a company (a journal of no company serves every company). */
  journalOf(type: string, company: unknown): Rec | undefined {
    const of = this.all('account.journal').filter((j) => j.v.type === type && j.v.active !== false);
    of.sort((a, b) => Number(a.v.sequence ?? 0) - Number(b.v.sequence ?? 0) || a.id - b.id);
    return of.find((j) => j.v.company_id === company) ?? of.find((j) => isEmpty(j.v.company_id));
  }

  protected checkRequired(model: ModelDef, v: Record<string, unknown>): void {
    for (const [name, def] of Object.entries(model.fields)) {
      if (!def.required || def.computed || LOG.has(name)) continue;
      if (def.type === 'float' || def.type === 'integer' || def.type === 'monetary' || def.type === 'boolean')
        continue;
      if (isEmpty(v[name])) {
        throw new OdooException(
          'validation',
          `The operation cannot be completed: Missing required value for the field '${def.string}' (${name}).\nModel: '${model.description}' (${model.name})\n- create/update: a mandatory field is not set\n- delete: another model requires the record being deleted, you can archive it instead\n`,
        );
      }
    }
  }

  /**
   * The multi-company rules of the project models (Odoo's "multi-company" record rules and
   * `_check_company`): a task or project in a company the call may not use is refused as a record
   * rule refuses it, and a task's company must be its project's.
   */
  protected checkCompanyRules(modelName: string, rec: Rec, op: 'create' | 'write', env: Env): void {
    if (modelName !== 'project.task' && modelName !== 'project.project') return;
    const model = this.model(modelName);
    const company = rec.v.company_id;
    const companyName = (id: unknown): string =>
      typeof id === 'number' ? String(this.get('res.company', id)?.v.name ?? id) : '';
    if (this.scope && typeof company === 'number' && !this.scope.allowed.includes(company)) {
      const user = this.get('res.users', env.uid);
      throw new OdooException(
        'access_error',
        `Uh-oh! Looks like you have stumbled upon some top-secret records.\n\nSorry, ${String(user?.v.name ?? '')} (id=${env.uid}) doesn't have '${op}' access to:\n- ${model.description}, '${String(rec.v.name ?? '')}' (${modelName}: ${rec.id}, company=${companyName(company)})\n\nIf you really, really need access, perhaps you can win over your friendly administrator with a batch of freshly baked cookies.`,
      );
    }
    if (modelName !== 'project.task' || typeof rec.v.project_id !== 'number') return;
    const project = this.get('project.project', rec.v.project_id);
    const own = project?.v.company_id;
    if (typeof own === 'number' && own !== company)
      throw new OdooException(
        'user_error',
        `Incompatible companies on records:\n- '${String(rec.v.name ?? '')}' belongs to company '${companyName(company)}' and 'Project' (project_id: '${String(project?.v.name ?? '')}') belongs to another company.`,
      );
  }

  create(modelName: string, valsList: unknown[], env: Env, opts: WriteOptions = {}): Rec[] {
    const model = this.model(modelName);
    const stamp = opts.stamp ?? env.now;
    const created: Rec[] = [];
    const pending: Array<{ rec: Rec; x2m: Array<[string, FieldDef, unknown]> }> = [];
    for (const vals of valsList) {
      if (vals === null || typeof vals !== 'object' || Array.isArray(vals)) {
        throw new OdooException(
          'value_error',
          `Invalid values ${JSON.stringify(vals)} for ${modelName}.create()`,
        );
      }
      const v: Record<string, unknown> = {};
      const x2m: Array<[string, FieldDef, unknown]> = [];
      for (const [name, value] of Object.entries(vals as Record<string, unknown>)) {
        const def = model.fields[name];
        if (!def) throw this.invalidField(model, name);
        if (LOG.has(name) || def.computed) continue;
        if (def.type === 'one2many' || def.type === 'many2many') x2m.push([name, def, value]);
        else v[name] = this.coerce(model, name, def, value);
      }
      this.defaults(modelName, v, env);
      if (modelName === 'purchase.order.line' || modelName === 'sale.order.line') {
        if (isEmpty(v.name) && typeof v.product_id === 'number')
          v.name = this.get('product.product', v.product_id)?.v.name ?? false;
      }
      if (modelName === 'account.move.line' && isEmpty(v.display_type)) v.display_type = 'product';
      // A journal item's partner is its entry's, unless given.
      if (modelName === 'account.move.line' && !('partner_id' in v) && typeof v.move_id === 'number')
        v.partner_id = this.get('account.move', v.move_id)?.v.partner_id ?? false;
      this.checkRequired(model, v);
      // ir.model.data is unique on (module, name), uncommitted rows included (a unique index).
      if (
        modelName === 'ir.model.data' &&
        [...this.table(modelName).values()].some((d) => d.v.module === v.module && d.v.name === v.name)
      )
        throw new OdooException(
          'validation',
          'The operation cannot be completed: duplicate key value violates unique constraint "ir_model_data_module_name_uniq_index"',
        );
      const rec = this.insertRaw(modelName, v, stamp, env.uid, opts.txn);
      this.checkCompanyRules(modelName, rec, 'create', env);
      created.push(rec);
      pending.push({ rec, x2m });
    }
    for (const { rec, x2m } of pending) {
      for (const [name, def, value] of x2m) this.applyX2m(model, rec, name, def, value, env, opts);
    }
    for (const rec of created) this.afterChange(modelName, rec, Object.keys(rec.v), env, opts, true);
    return created;
  }

  write(modelName: string, recs: Rec[], vals: unknown, env: Env, opts: WriteOptions = {}): void {
    const model = this.model(modelName);
    if (vals === null || typeof vals !== 'object' || Array.isArray(vals)) {
      throw new OdooException(
        'value_error',
        `Invalid values ${JSON.stringify(vals)} for ${modelName}.write()`,
      );
    }
    const simple: Record<string, unknown> = {};
    const x2m: Array<[string, FieldDef, unknown]> = [];
    for (const [name, value] of Object.entries(vals as Record<string, unknown>)) {
      const def = model.fields[name];
      if (!def) throw this.invalidField(model, name);
      if (LOG.has(name) || def.computed) continue;
      if (def.type === 'one2many' || def.type === 'many2many') x2m.push([name, def, value]);
      else simple[name] = this.coerce(model, name, def, value);
    }
    for (const rec of recs) {
      this.checkCompanyRules(modelName, rec, 'write', env);
      this.touch(rec);
      Object.assign(rec.v, simple);
      this.checkCompanyRules(modelName, rec, 'write', env);
      this.checkRequired(model, rec.v);
      rec.writeUs = opts.stamp ?? env.now;
      rec.writeUid = env.uid;
      for (const [name, def, value] of x2m) this.applyX2m(model, rec, name, def, value, env, opts);
      this.mutation += 1;
      this.afterChange(modelName, rec, Object.keys(vals as Record<string, unknown>), env, opts, false);
    }
  }

  unlink(modelName: string, recs: Rec[], env: Env): void {
    const model = this.model(modelName);
    const table = this.table(modelName);
    for (const rec of recs) {
      if (modelName === 'account.move' && rec.v.state === 'posted') {
        throw new OdooException('user_error', 'You cannot delete an entry which has been posted once.');
      }
      if (modelName === 'purchase.order' && rec.v.state !== 'cancel') {
        throw new OdooException(
          'user_error',
          'In order to delete a purchase order, you must cancel it first.',
        );
      }
      // Cascade: lines go with their document.
      for (const [, def] of Object.entries(model.fields)) {
        if (def.type === 'one2many' && def.relation && def.inverse && def.relation !== modelName) {
          const kids = this.browse(def.relation, this.children(def.relation, def.inverse, rec.id));
          if (kids.length > 0) this.unlink(def.relation, kids, env);
        }
      }
      table.delete(rec.id);
      this.mutation += 1;
      if (this.undo) this.undo.push(() => table.set(rec.id, rec));
      // Odoo's unlink deletes the records' external ids with them.
      if (modelName !== 'ir.model.data') {
        const xmlids = this.all('ir.model.data').filter(
          (d) => d.v.model === modelName && d.v.res_id === rec.id,
        );
        if (xmlids.length > 0) this.unlink('ir.model.data', xmlids, env);
      }
      this.afterChange(modelName, rec, ['__unlink__'], env, {}, false);
    }
  }

  /** x2many commands 0–6 (api notes §3); a plain id list on a many2many is a replace. */
  protected applyX2m(
    model: ModelDef,
    rec: Rec,
    name: string,
    def: FieldDef,
    value: unknown,
    env: Env,
    opts: WriteOptions,
  ): void {
    const relation = def.relation as string;
    const bad = (): OdooException =>
      new OdooException('value_error', `Invalid command ${JSON.stringify(value)} for ${model.name}.${name}`);
    if (value === false || value === null) value = [[5]];
    if (!Array.isArray(value)) throw bad();
    const commands: unknown[][] = value.every((x) => typeof x === 'number')
      ? [[6, 0, value]]
      : (value as unknown[][]);
    if (def.type === 'one2many') {
      const inverse = def.inverse as string;
      for (const cmd of commands) {
        if (!Array.isArray(cmd)) throw bad();
        const [code, id, payload] = cmd as [number, number, unknown];
        switch (code) {
          case 0:
            this.create(
              relation,
              [{ ...(payload as Record<string, unknown>), [inverse]: rec.id }],
              env,
              opts,
            );
            break;
          case 1:
            this.write(relation, this.browseExisting(relation, [id], env), payload, env, opts);
            break;
          case 2:
          case 3:
            this.unlink(relation, this.browseExisting(relation, [id], env), env);
            break;
          case 4:
            this.write(relation, this.browseExisting(relation, [id], env), { [inverse]: rec.id }, env, opts);
            break;
          case 5:
            this.unlink(relation, this.browse(relation, this.children(relation, inverse, rec.id)), env);
            break;
          case 6: {
            const keep = new Set((payload as number[] | undefined) ?? []);
            const drop = this.children(relation, inverse, rec.id).filter((cid) => !keep.has(cid));
            this.unlink(relation, this.browse(relation, drop), env);
            for (const kid of keep)
              this.write(
                relation,
                this.browseExisting(relation, [kid], env),
                { [inverse]: rec.id },
                env,
                opts,
              );
            break;
          }
          default:
            throw bad();
        }
      }
      return;
    }
    let ids = [...(((rec.v[name] as number[] | undefined) ?? []) as number[])];
    for (const cmd of commands) {
      if (!Array.isArray(cmd)) throw bad();
      const [code, id, payload] = cmd as [number, number, unknown];
      switch (code) {
        case 0:
          ids.push(...this.create(relation, [payload], env, opts).map((r) => r.id));
          break;
        case 1:
          this.write(relation, this.browseExisting(relation, [id], env), payload, env, opts);
          break;
        case 2:
          this.unlink(relation, this.browseExisting(relation, [id], env), env);
          ids = ids.filter((x) => x !== id);
          break;
        case 3:
          ids = ids.filter((x) => x !== id);
          break;
        case 4:
          this.browseExisting(relation, [id], env);
          if (!ids.includes(id)) ids.push(id);
          break;
        case 5:
          ids = [];
          break;
        case 6:
          ids = [...new Set((payload as number[] | undefined) ?? [])];
          this.browseExisting(relation, ids, env);
          break;
        default:
          throw bad();
      }
    }
    rec.v[name] = ids;
  }

  /** Stored-compute side effects (api notes §2.3 and §8). */
  protected afterChange(
    modelName: string,
    rec: Rec,
    changed: string[],
    env: Env,
    opts: WriteOptions,
    isCreate: boolean,
  ): void {
    const stamp = opts.stamp ?? env.now;
    if (modelName === 'purchase.order.line') {
      // §8: qty/price/date change, line create/unlink bump the header; a description-only change does not.
      if (isCreate || changed.includes('__unlink__') || changed.some((c) => PO_LINE_TRIGGERS.includes(c))) {
        const po =
          typeof rec.v.order_id === 'number' ? this.get('purchase.order', rec.v.order_id) : undefined;
        if (po) this.recomputePurchase(po, stamp, env.uid);
      }
    } else if (modelName === 'purchase.order' && (isCreate || changed.includes('order_line'))) {
      this.recomputePurchase(rec, stamp, env.uid);
    } else if (modelName === 'account.move.line') {
      const move = typeof rec.v.move_id === 'number' ? this.get('account.move', rec.v.move_id) : undefined;
      if (!move || rec.v.display_type === 'payment_term') return;
      // §8: on a draft bill even a description-only line edit bumps the move.
      const amounts =
        isCreate || changed.includes('__unlink__') || changed.some((c) => MOVE_LINE_AMOUNT.includes(c));
      if (amounts || move.v.state === 'draft') this.recomputeMove(move, stamp, env.uid, amounts);
    } else if (
      modelName === 'account.move' &&
      (isCreate || changed.includes('invoice_line_ids') || changed.includes('line_ids'))
    ) {
      this.recomputeMove(rec, stamp, env.uid, true);
    } else if (modelName === 'sale.order.line') {
      const so = typeof rec.v.order_id === 'number' ? this.get('sale.order', rec.v.order_id) : undefined;
      if (so) this.recomputeSale(so, stamp, env.uid);
    } else if (modelName === 'sale.order' && isCreate) {
      this.recomputeSale(rec, stamp, env.uid);
    }
  }
}
