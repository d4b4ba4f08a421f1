import type { FieldDef, ObjectDef, Schema } from './schema.js';
import type { Rec, Store } from './store.js';

/** A refusal as the REST API reports it: status, `errorCode`/`statusCode`, message, fields. */
export class SfFault extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly fields: string[] = [],
    /** For 300: the URLs of the matching records. */
    readonly matches: string[] = [],
  ) {
    super(message);
  }
}

const ID = /^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const ACTIVATED_ITEMS =
  "You can't add, change or delete order products of an activated order. Set the order back to Draft first.";

/**
 * Create, update, upsert and delete with the org's validation: field-level security (createable /
 * updateable), types, lengths, restricted picklists, references and relationship references by
 * external id, required fields, unique external ids, and the Order / OrderItem / PricebookEntry
 * rules of the Object Reference
 * (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_order.htm).
 */
export class Dml {
  private orderNumber = 100;

  constructor(
    private readonly schema: Schema,
    private readonly store: Store,
  ) {}

  object(name: string): ObjectDef {
    const o = this.schema.object(name);
    if (!o) throw new SfFault(404, 'NOT_FOUND', 'The requested resource does not exist');
    return o;
  }

  create(objectName: string, body: Record<string, unknown>): Rec {
    const o = this.object(objectName);
    if (!o.createable)
      throw new SfFault(400, 'INVALID_TYPE_FOR_OPERATION', `entity type cannot be inserted: ${o.name}`);
    const values = this.coerce(o, body, 'create');
    const missing = o.fields
      .filter((f) => f.required && (values[f.name] === undefined || values[f.name] === null))
      .map((f) => f.name);
    if (missing.length > 0)
      throw new SfFault(
        400,
        'REQUIRED_FIELD_MISSING',
        `Required fields are missing: [${missing.join(', ')}]`,
        missing,
      );
    const rec: Rec = { ...defaults(o), ...values, Id: this.store.newId(o.name) };
    this.rules(o, undefined, rec);
    this.unique(o, rec);
    const saved = this.store.put(o.name, rec);
    this.after(o, saved);
    return saved;
  }

  update(objectName: string, id: string, body: Record<string, unknown>): Rec {
    const o = this.object(objectName);
    const before = ID.test(id) ? this.store.get(o.name, id) : undefined;
    if (!before || before.IsDeleted === true) {
      throw new SfFault(
        400,
        before ? 'ENTITY_IS_DELETED' : 'INVALID_CROSS_REFERENCE_KEY',
        before ? 'entity is deleted' : 'invalid cross reference id',
      );
    }
    if (!o.updateable)
      throw new SfFault(400, 'INVALID_TYPE_FOR_OPERATION', `entity type cannot be updated: ${o.name}`);
    const values = this.coerce(o, body, 'update');
    const cleared = o.fields
      .filter((f) => f.required && f.name in values && values[f.name] === null)
      .map((f) => f.name);
    if (cleared.length > 0)
      throw new SfFault(
        400,
        'REQUIRED_FIELD_MISSING',
        `Required fields are missing: [${cleared.join(', ')}]`,
        cleared,
      );
    const rec: Rec = { ...before, ...values, Id: before.Id };
    this.rules(o, before, rec);
    this.unique(o, rec);
    const saved = this.store.put(o.name, rec);
    this.after(o, saved);
    return saved;
  }

  /** Upsert by external id: 0 matches creates, 1 updates, several is a 300. */
  upsert(
    objectName: string,
    field: string,
    value: string,
    body: Record<string, unknown>,
  ): { rec: Rec; created: boolean } {
    const o = this.object(objectName);
    const f = this.schema.field(o.name, field);
    if (!f || (!f.externalId && f.name !== 'Id')) {
      throw new SfFault(
        404,
        'NOT_FOUND',
        `Provided external ID field does not exist or is not accessible: ${field}`,
      );
    }
    if (value === '') throw new SfFault(400, 'MISSING_ARGUMENT', `${f.name} not specified`, [f.name]);
    const ids =
      f.name === 'Id'
        ? this.store.get(o.name, value)
          ? [value]
          : []
        : this.store.byExternalId(o.name, f.name, value);
    if (ids.length > 1) {
      throw new SfFault(
        300,
        'DUPLICATE_EXTERNAL_ID',
        `${f.name}: more than one record found for external id field: [${ids.join(', ')}]`,
        [],
        ids.map((id) => `/sobjects/${o.name}/${id}`),
      );
    }
    const { [f.name]: _own, ...rest } = body;
    if (ids.length === 1) return { rec: this.update(o.name, ids[0] as string, rest), created: false };
    if (f.name === 'Id') throw new SfFault(404, 'NOT_FOUND', 'The requested resource does not exist');
    return { rec: this.create(o.name, { ...rest, [f.name]: value }), created: true };
  }

  remove(objectName: string, id: string): void {
    const o = this.object(objectName);
    const rec = ID.test(id) ? this.store.get(o.name, id) : undefined;
    if (!rec || rec.IsDeleted === true) throw new SfFault(404, 'ENTITY_IS_DELETED', 'entity is deleted');
    if (o.name === 'OrderItem') this.draftOrder(rec.OrderId);
    this.store.put(o.name, { ...rec, IsDeleted: true });
    // An order's products go with it.
    if (o.name === 'Order')
      for (const item of this.items(rec.Id)) this.store.put('OrderItem', { ...item, IsDeleted: true });
    this.after(o, rec);
  }

  private coerce(
    o: ObjectDef,
    body: Record<string, unknown>,
    mode: 'create' | 'update',
  ): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(body)) {
      if (key === 'attributes') continue;
      const f = this.schema.field(o.name, key);
      if (!f) {
        const rel = this.schema.relationship(o.name, key);
        if (rel && value !== null && typeof value === 'object') {
          out[rel.name] = this.byForeignKey(rel, value as Record<string, unknown>, mode);
          continue;
        }
        throw new SfFault(400, 'INVALID_FIELD', `No such column '${key}' on sobject of type ${o.name}`, [
          key,
        ]);
      }
      if ((mode === 'create' && f.createable === false) || (mode === 'update' && f.updateable === false)) {
        if (mode === 'update' && f.name === 'Id') continue;
        throw new SfFault(
          400,
          'INVALID_FIELD_FOR_INSERT_UPDATE',
          `Unable to ${mode} fields: ${f.name}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
          [f.name],
        );
      }
      out[f.name] = this.value(f, value);
    }
    return out;
  }

  private value(f: FieldDef, v: unknown): unknown {
    if (v === null) return null;
    const bad = (what: string): SfFault =>
      new SfFault(
        400,
        'JSON_PARSER_ERROR',
        `Cannot deserialize instance of ${what} from ${JSON.stringify(v)} for field ${f.name}`,
        [f.name],
      );
    switch (f.type) {
      case 'boolean':
        if (typeof v !== 'boolean') throw bad('boolean');
        return v;
      case 'double':
      case 'currency':
        if (typeof v !== 'number' || !Number.isFinite(v)) throw bad('double');
        return v;
      case 'date':
        if (typeof v !== 'string' || !DATE.test(v) || Number.isNaN(Date.parse(v))) throw bad('date');
        return v;
      case 'datetime': {
        const ms = typeof v === 'string' ? Date.parse(v) : NaN;
        if (Number.isNaN(ms)) throw bad('datetime');
        return ms;
      }
      case 'reference':
      case 'id': {
        if (typeof v !== 'string' || !ID.test(v)) {
          throw new SfFault(400, 'MALFORMED_ID', `${f.name}: id value of incorrect type: ${String(v)}`, [
            f.name,
          ]);
        }
        const target = f.ref ? this.schema.object(f.ref) : undefined;
        if (target && !v.startsWith(target.prefix)) {
          throw new SfFault(400, 'FIELD_INTEGRITY_EXCEPTION', `${f.name}: id value of incorrect type: ${v}`, [
            f.name,
          ]);
        }
        const rec = target ? this.store.get(target.name, v) : undefined;
        if (!rec || rec.IsDeleted === true)
          throw new SfFault(400, 'INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', [f.name]);
        return rec.Id;
      }
      case 'picklist':
        if (typeof v !== 'string' || (f.picklist && !f.picklist.includes(v))) {
          throw new SfFault(
            400,
            'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
            `${f.name}: bad value for restricted picklist field: ${String(v)}`,
            [f.name],
          );
        }
        return v;
      default:
        if (typeof v !== 'string') throw bad('String');
        if (f.length !== undefined && v.length > f.length) {
          throw new SfFault(
            400,
            'STRING_TOO_LONG',
            `${f.name}: data value too large: ${v.slice(0, 40)}... (max length=${f.length})`,
            [f.name],
          );
        }
        return v;
    }
  }

  /** `"Account": {"Odoo_Id__c": "42"}`: a reference set through the target's external id. */
  private byForeignKey(rel: FieldDef, value: Record<string, unknown>, mode: 'create' | 'update'): string {
    if ((mode === 'create' && rel.createable === false) || (mode === 'update' && rel.updateable === false)) {
      throw new SfFault(400, 'INVALID_FIELD_FOR_INSERT_UPDATE', `Unable to ${mode} fields: ${rel.name}.`, [
        rel.name,
      ]);
    }
    const target = this.schema.object(rel.ref as string) as ObjectDef;
    const keys = Object.keys(value).filter((k) => k !== 'attributes');
    const field = keys.length === 1 ? this.schema.field(target.name, keys[0] as string) : undefined;
    if (!field || !field.externalId) {
      throw new SfFault(
        400,
        'INVALID_FIELD',
        `Foreign key external ID field must be a single external id field of ${target.name}`,
        [rel.relationship as string],
      );
    }
    const v = String(value[keys[0] as string]);
    const ids = this.store.byExternalId(target.name, field.name, v);
    if (ids.length === 0)
      throw new SfFault(
        400,
        'INVALID_FIELD',
        `Foreign key external ID: ${v} not found for field ${field.name} in entity ${target.name}`,
        [rel.relationship as string],
      );
    if (ids.length > 1)
      throw new SfFault(
        400,
        'INVALID_FIELD',
        `Foreign key external ID: ${v} matches multiple records for field ${field.name} in entity ${target.name}`,
        [rel.relationship as string],
      );
    return ids[0] as string;
  }

  private unique(o: ObjectDef, rec: Rec): void {
    for (const f of o.fields) {
      if (!f.unique || rec[f.name] === null || rec[f.name] === undefined) continue;
      const other = this.store.byExternalId(o.name, f.name, String(rec[f.name])).find((id) => id !== rec.Id);
      if (other)
        throw new SfFault(
          400,
          'DUPLICATE_VALUE',
          `duplicate value found: ${f.name} duplicates value on record with id: ${other}`,
          [f.name],
        );
    }
  }

  private draftOrder(orderId: unknown): Rec {
    const order = typeof orderId === 'string' ? this.store.get('Order', orderId) : undefined;
    if (!order)
      throw new SfFault(400, 'INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', ['OrderId']);
    if (order.Status !== 'Draft')
      throw new SfFault(400, 'FIELD_INTEGRITY_EXCEPTION', ACTIVATED_ITEMS, ['OrderId']);
    return order;
  }

  private items(orderId: string): Rec[] {
    return [...this.store.table('OrderItem').values()].filter(
      (i) => i.OrderId === orderId && i.IsDeleted !== true,
    );
  }

  private rules(o: ObjectDef, before: Rec | undefined, rec: Rec): void {
    const fault = (message: string, fields: string[]): SfFault =>
      new SfFault(400, 'FIELD_INTEGRITY_EXCEPTION', message, fields);
    if (o.name === 'PricebookEntry' && !before) {
      const dup = [...this.store.table('PricebookEntry').values()].find(
        (e) => e.Pricebook2Id === rec.Pricebook2Id && e.Product2Id === rec.Product2Id && e.IsDeleted !== true,
      );
      if (dup)
        throw new SfFault(
          400,
          'DUPLICATE_VALUE',
          'This price definition already exists in this price book',
          [],
        );
      const book = this.store.get('Pricebook2', rec.Pricebook2Id as string);
      if (book?.IsStandard !== true) {
        const standard = [...this.store.table('PricebookEntry').values()].find(
          (e) =>
            e.Product2Id === rec.Product2Id &&
            e.IsActive === true &&
            this.store.get('Pricebook2', e.Pricebook2Id as string)?.IsStandard === true,
        );
        if (!standard)
          throw new SfFault(
            400,
            'STANDARD_PRICE_NOT_DEFINED',
            'Before creating a custom price, create a standard price.',
            [],
          );
      }
      const product = this.store.get('Product2', rec.Product2Id as string);
      rec.Name = product?.Name ?? null;
      rec.ProductCode = product?.ProductCode ?? null;
    }
    if (o.name === 'Order') {
      if (!before) {
        if (rec.Status !== 'Draft') throw fault('An order must be created with the Draft status', ['Status']);
        rec.OrderNumber = String(this.orderNumber++).padStart(8, '0');
        rec.TotalAmount = 0;
        return;
      }
      if (before.Status === 'Activated') {
        for (const f of ['AccountId', 'Pricebook2Id', 'EffectiveDate'])
          if (rec[f] !== before[f]) throw fault(`You can't change ${f} on an activated order`, [f]);
      }
      const items = this.items(rec.Id);
      if (rec.Pricebook2Id !== before.Pricebook2Id && items.length > 0) {
        throw fault("The price book can't be changed once the order has order products", ['Pricebook2Id']);
      }
      if (rec.Status === 'Activated' && before.Status !== 'Activated' && items.length === 0) {
        throw fault("You can't activate an order without order products", ['Status']);
      }
    }
    if (o.name === 'OrderItem') {
      const order = this.draftOrder(rec.OrderId);
      const entry = this.store.get('PricebookEntry', rec.PricebookEntryId as string);
      if (!before) {
        if (!entry || !order.Pricebook2Id || entry.Pricebook2Id !== order.Pricebook2Id) {
          throw fault(
            'field integrity exception: PricebookEntryId (pricebook entry is in a different pricebook than the one assigned to the Order, or Order has null pricebook)',
            ['PricebookEntryId'],
          );
        }
        if (entry.IsActive !== true)
          throw fault('field integrity exception: PricebookEntryId (inactive price book entry)', [
            'PricebookEntryId',
          ]);
        if (rec.Product2Id !== undefined && rec.Product2Id !== null && rec.Product2Id !== entry.Product2Id) {
          throw fault(
            'field integrity exception: Product2Id (the product differs from the price book entry)',
            ['Product2Id'],
          );
        }
        rec.Product2Id = entry.Product2Id;
      }
    }
  }

  /** Roll-ups: an order's TotalAmount follows its items (a system update of the order). */
  private after(o: ObjectDef, rec: Rec): void {
    if (o.name !== 'OrderItem') return;
    const order = this.store.get('Order', rec.OrderId as string);
    if (!order) return;
    const total = this.items(order.Id).reduce((s, i) => s + Number(i.Quantity) * Number(i.UnitPrice), 0);
    this.store.put('Order', { ...order, TotalAmount: Math.round(total * 100) / 100 });
  }
}

function defaults(o: ObjectDef): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of o.fields) {
    if (f.name === 'IsActive') out[f.name] = o.name === 'Product2' || o.name === 'Pricebook2' ? false : true;
    else if (f.type === 'boolean') out[f.name] = false;
  }
  return out;
}
