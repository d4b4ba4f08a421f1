/**
 * The simulator's records, per tenant and entity, in the wire shape of the list models (money as
 * canonical decimal strings; the serializer writes numbers where a model wants them). Rows marked
 * `_deleted` are gone from lists and stay in the export feeds as inactive rows (api notes §3.2).
 */
export type SimEntity =
  | 'business_units'
  | 'customers'
  | 'customer_contacts'
  | 'locations'
  | 'vendors'
  | 'purchase_orders'
  | 'inventory_bills'
  | 'jobs'
  | 'invoices'
  | 'payments'
  | 'payment_types';

export type Row = Record<string, unknown> & { id: number; modifiedOn: string; createdOn: string };

export class SimStore {
  private readonly tenants = new Map<string, Map<SimEntity, Map<number, Row>>>();
  private nextId = 1000;
  /** Stamps strictly increase, so that two changes in one millisecond still order. */
  private lastStamp = 0;

  table(tenant: string, entity: SimEntity): Map<number, Row> {
    let t = this.tenants.get(tenant);
    if (!t) this.tenants.set(tenant, (t = new Map()));
    let table = t.get(entity);
    if (!table) t.set(entity, (table = new Map()));
    return table;
  }

  hasTenant(tenant: string): boolean {
    return this.tenants.has(tenant);
  }

  tenantIds(): string[] {
    return [...this.tenants.keys()];
  }

  newId(): number {
    this.nextId += 1;
    return this.nextId;
  }

  /** A change stamp at `at` (ms), later than every stamp given before. */
  stamp(at: number): string {
    this.lastStamp = Math.max(this.lastStamp + 1, at);
    return new Date(this.lastStamp).toISOString();
  }

  insert(
    tenant: string,
    entity: SimEntity,
    row: Omit<Row, 'id' | 'modifiedOn' | 'createdOn'> & {
      id?: number;
      modifiedOn?: string;
      createdOn?: string;
    },
    at: number,
  ): Row {
    const id = row.id ?? this.newId();
    if (id > this.nextId) this.nextId = id;
    const stamp = row.modifiedOn ?? this.stamp(at);
    const full = { ...row, id, createdOn: row.createdOn ?? stamp, modifiedOn: stamp } as Row;
    this.table(tenant, entity).set(id, full);
    return full;
  }

  /** Applies changes as a user would, stamping modifiedOn; undefined when the row does not exist. */
  update(
    tenant: string,
    entity: SimEntity,
    id: number,
    changes: Record<string, unknown>,
    at: number,
  ): Row | undefined {
    const table = this.table(tenant, entity);
    const row = table.get(id);
    if (!row) return undefined;
    const next = { ...row, ...changes, id, createdOn: row.createdOn, modifiedOn: this.stamp(at) } as Row;
    table.set(id, next);
    return next;
  }

  /** Rows in change order (modifiedOn, id): the order of the export feeds. */
  inChangeOrder(tenant: string, entity: SimEntity): Row[] {
    return [...this.table(tenant, entity).values()].sort(
      (a, b) => a.modifiedOn.localeCompare(b.modifiedOn) || a.id - b.id,
    );
  }

  /** Moves every change stamp back (a later pass sees the data as older). */
  age(ms: number): void {
    for (const t of this.tenants.values())
      for (const table of t.values())
        for (const row of table.values()) {
          row.modifiedOn = new Date(Date.parse(row.modifiedOn) - ms).toISOString();
          row.createdOn = new Date(Date.parse(row.createdOn) - ms).toISOString();
        }
  }

  counts(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const [tenant, t] of this.tenants)
      out[tenant] = Object.fromEntries([...t].map(([e, table]) => [e, table.size]));
    return out;
  }

  reset(): void {
    this.tenants.clear();
    this.nextId = 1000;
  }
}
