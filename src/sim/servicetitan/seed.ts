import { addMoney, cents, lineTotal, money } from './money.js';
import type { SimStore, SimEntity, Row } from './store.js';

/**
 * Seeds: `empty`, `demo` (two tenants, two business units each, merged customers, an inactive
 * vendor, a deleted inventory bill, purchase orders, jobs, invoices, payments), `volume:N` (N
 * customers, N purchase orders with 3 lines, N/2 invoices, jobs and bills per tenant).
 * Change stamps lie in the past (the demo's three days back, one minute apart).
 */
export const SIM_TENANTS = [
  {
    tenantId: '1000001',
    name: 'Acme Heating & Air',
    clientId: 'cid.sim1000001',
    clientSecret: 'cs1.sim-secret-heating-0001',
  },
  {
    tenantId: '1000002',
    name: 'Acme Plumbing',
    clientId: 'cid.sim1000002',
    clientSecret: 'cs1.sim-secret-plumbing-0002',
  },
];

type Add = (entity: SimEntity, row: Record<string, unknown>) => Row;

export function seedStore(store: SimStore, spec: string, now = Date.now()): void {
  store.reset();
  for (const t of SIM_TENANTS) store.table(t.tenantId, 'business_units');
  if (spec === 'empty') return;
  const volume = /^volume:(\d+)$/.exec(spec);
  if (spec !== 'demo' && !volume) throw new Error(`unknown seed ${spec}: expected empty, demo or volume:N`);
  SIM_TENANTS.forEach((t, ti) => {
    let clock = now - 3 * 86_400_000 + ti * 1000;
    const add: Add = (entity, row) => {
      clock += volume ? 50 : 60_000;
      return store.insert(t.tenantId, entity, row as Omit<Row, 'id' | 'modifiedOn' | 'createdOn'>, clock);
    };
    if (volume) seedVolume(add, Number(volume[1]), ti);
    else seedDemo(add, ti);
  });
}

const address = (street: string, city: string) => ({
  street,
  unit: '',
  city,
  state: 'TX',
  zip: '78701',
  country: 'USA',
});

function paymentTypes(add: Add): Row[] {
  return ['Cash', 'Check', 'Credit Card'].map((name) => add('payment_types', { name, active: true }));
}

function businessUnit(add: Add, name: string, code: string): Row {
  return add('business_units', {
    active: true,
    name,
    officialName: `${name} LLC`,
    email: `${code.toLowerCase()}@acme.example`,
    currency: 'USD',
    phoneNumber: '5125550100',
    accountCode: code,
    quickbooksClass: code,
    defaultTaxRate: '8.25',
    address: { ...address('1 Main St', 'Austin'), isManualCoordinates: false, isMilitary: false },
    tagTypeIds: [],
    externalData: [],
  });
}

function customer(add: Add, name: string, extra: Record<string, unknown> = {}): Row {
  return add('customers', {
    active: true,
    name,
    type: 'Residential',
    address: address(`${name.length} Oak Ave`, 'Austin'),
    customFields: [],
    balance: '0.00',
    taxExempt: false,
    tagTypeIds: [],
    doNotMail: false,
    doNotService: false,
    nationalAccount: false,
    createdById: 1,
    mergedToId: null,
    externalData: [],
    ...extra,
  });
}

function vendor(add: Add, name: string, active = true): Row {
  return add('vendors', {
    name,
    active,
    isTruckReplenishment: false,
    isMobileCreationRestricted: false,
    memo: '',
    deliveryOption: 'None',
    defaultTaxRate: '0.00',
    contactInfo: {
      firstName: 'Pat',
      lastName: 'Supplier',
      phone: '5125550199',
      email: 'ap@vendor.example',
      fax: '',
    },
    address: address('9 Supply Rd', 'Dallas'),
    externalData: [],
    customFields: [],
  });
}

export function purchaseOrder(
  add: Add,
  n: number,
  vendorRow: Row,
  bu: Row,
  lines: Array<[string, string, string]>,
  tax = '0.00',
  shipping = '0.00',
): Row {
  const items = lines.map(([sku, quantity, cost], i) => ({
    id: n * 100 + i + 1,
    skuId: 500 + i,
    description: `${sku} part`,
    skuName: sku,
    skuCode: sku,
    skuType: 'Material',
    vendorPartNumber: `VP-${sku}`,
    quantity,
    quantityReceived: '0',
    cost,
    total: lineTotal(quantity, cost),
    serialNumbers: [],
    status: 'Pending',
    chargeable: true,
    createdOn: new Date(0).toISOString(),
    modifiedOn: new Date(0).toISOString(),
  }));
  const row = add('purchase_orders', {
    number: `PO-${n}`,
    status: 'Pending',
    typeId: 1,
    vendorId: vendorRow.id,
    businessUnitId: bu.id,
    inventoryLocationId: 1,
    shipTo: address('1 Main St', 'Austin'),
    vendorDocumentNumber: '',
    date: new Date(Date.UTC(2026, 10, 1)).toISOString(),
    tax,
    shipping,
    total: addMoney([...items.map((i) => i.total), tax, shipping]),
    summary: '',
    items,
    customFields: [],
  });
  for (const i of row.items as Array<Record<string, unknown>>) {
    i.createdOn = row.createdOn;
    i.modifiedOn = row.modifiedOn;
  }
  return row;
}

function inventoryBill(add: Add, po: Row, vendorRow: Row, bu: Row, extra: Record<string, unknown> = {}): Row {
  const items = (po.items as Array<Record<string, unknown>>).map((it, i) => ({
    order: i + 1,
    name: it.skuName,
    description: it.description,
    quantity: it.quantity,
    cost: it.cost,
    generalLedgerAccount: {
      id: 40,
      name: 'Materials',
      number: '5000',
      type: 'Expense',
      detailType: 'Supplies',
    },
    id: (it.id as number) + 10_000,
    skuId: it.skuId,
    skuType: 'Material',
    skuCode: it.skuCode,
  }));
  return add('inventory_bills', {
    purchaseOrderId: po.id,
    syncStatus: 'Pending',
    referenceNumber: `BILL-${String(po.number)}`,
    vendorNumber: `INV-${po.id}`,
    summary: '',
    billDate: new Date(Date.UTC(2026, 10, 5)).toISOString(),
    billAmount: po.total,
    taxAmount: po.tax,
    shippingAmount: po.shipping,
    businessUnit: { id: bu.id, name: bu.name },
    vendor: { id: vendorRow.id, name: vendorRow.name },
    items,
    customFields: [],
    jobId: null,
    jobNumber: null,
    ...extra,
  });
}

function job(add: Add, n: number, cust: Row, bu: Row): Row {
  return add('jobs', {
    jobNumber: `J-${n}`,
    customerId: cust.id,
    locationId: cust.id + 1,
    jobStatus: 'Completed',
    businessUnitId: bu.id,
    jobTypeId: 7,
    priority: 'Normal',
    campaignId: 3,
    appointmentCount: 1,
    firstAppointmentId: n,
    lastAppointmentId: n,
    noCharge: false,
    notificationsEnabled: true,
    createdById: 1,
    tagTypeIds: [],
    customerPo: '',
    invoiceId: null,
    estimateIds: [],
    total: '0.00',
    summary: 'Replace capacitor',
    customFields: [],
    externalData: [],
  });
}

function invoice(add: Add, n: number, cust: Row, bu: Row, jobRow: Row, lines: Array<[string, string]>): Row {
  const items = lines.map(([quantity, price], i) => ({
    id: n * 100 + i,
    description: `Service ${i + 1}`,
    quantity,
    cost: '0.00',
    totalCost: '0.00',
    price,
    skuName: `SVC-${i + 1}`,
    skuId: 900 + i,
    total: lineTotal(quantity, price),
    inventory: false,
    taxable: true,
    isChargeable: true,
    order: i + 1,
    generalLedgerAccount: {
      id: 41,
      name: 'Service Income',
      number: '4000',
      type: 'Income',
      detailType: 'Service',
    },
  }));
  const subTotal = addMoney(items.map((i) => i.total));
  return add('invoices', {
    syncStatus: 'Posted',
    referenceNumber: `INV-${n}`,
    invoiceDate: new Date(Date.UTC(2026, 10, 10)).toISOString(),
    dueDate: new Date(Date.UTC(2026, 11, 10)).toISOString(),
    subTotal,
    salesTax: '0.00',
    total: subTotal,
    balance: subTotal,
    customer: { id: cust.id, name: cust.name },
    businessUnit: { id: bu.id, name: bu.name },
    job: { id: jobRow.id, number: jobRow.jobNumber, type: 'Service' },
    items,
    customFields: [],
    active: true,
    discountTotal: '0.00',
  });
}

function seedDemo(add: Add, ti: number): void {
  const types = paymentTypes(add);
  const prefix = ti === 0 ? 'HVAC' : 'PLMB';
  const bus = [
    businessUnit(add, `${prefix} Residential`, `${prefix}-R`),
    businessUnit(add, `${prefix} Commercial`, `${prefix}-C`),
  ];
  businessUnit(add, `${prefix} Closed Branch`, `${prefix}-X`).active = false;
  const [bu0, bu1] = bus as [Row, Row];
  const jane = customer(add, ti === 0 ? 'Jane Doe' : 'Ravi Patel', { balance: '98765432109876.54' });
  const survivor = customer(add, ti === 0 ? 'Doe Holdings' : 'Patel Family Trust', { type: 'Commercial' });
  const middle = customer(add, ti === 0 ? 'J. Doe (old)' : 'R. Patel (dup)', {
    active: false,
    mergedToId: survivor.id,
  });
  customer(add, ti === 0 ? 'Jane Doe (dup)' : 'Ravi P.', { active: false, mergedToId: middle.id });
  for (const c of [jane, survivor]) {
    add('customer_contacts', {
      type: 'Email',
      value: `${String(c.name).toLowerCase().replace(/\W+/g, '.')}@example.com`,
      memo: null,
      customerId: c.id,
      phoneSettings: { phoneNumber: '', doNotText: false },
    });
    add('locations', {
      customerId: c.id,
      active: true,
      name: `${String(c.name)} home`,
      address: address('12 Elm St', 'Austin'),
      customFields: [],
      taxZoneId: null,
      tagTypeIds: [],
      externalData: [],
    });
  }
  const v1 = vendor(add, ti === 0 ? 'Ferguson HVAC Supply' : 'Hughes Plumbing Supply');
  const v2 = vendor(add, ti === 0 ? 'Johnstone Supply' : 'Winsupply', false);
  const po1 = purchaseOrder(
    add,
    100 + ti * 10,
    v1,
    bu0,
    [
      ['CAP-45', '3', '19.99'],
      ['FUSE-30', '10', '0.10'],
      ['COIL-2T', '1', '1234.56'],
    ],
    '4.80',
    '12.35',
  );
  const po2 = purchaseOrder(add, 101 + ti * 10, v2, bu1, [['PIPE-1', '2.5', '7.33']]);
  inventoryBill(add, po1, v1, bu0);
  inventoryBill(add, po2, v2, bu1, { _deleted: true });
  const j1 = job(add, 5000 + ti * 100, jane, bu0);
  const j2 = job(add, 5001 + ti * 100, survivor, bu1);
  const inv1 = invoice(add, 7000 + ti * 100, jane, bu0, j1, [
    ['1', '125.50'],
    ['2', '0.10'],
    ['0.5', '0.15'],
  ]);
  const inv2 = invoice(add, 7001 + ti * 100, survivor, bu1, j2, [['1', '980.00']]);
  // Payments collected in the field: half of the first invoice at the counter, then one payment
  // split over the rest of it and part of the second invoice. Balances follow.
  const half = '62.75';
  const rest = money(cents(String(inv1.total)) - cents(half));
  const part = '500.00';
  const applied = (inv: Row, amount: string, n: number, by: string) => ({
    appliedAmount: amount,
    appliedBy: by,
    appliedId: n,
    appliedOn: inv.modifiedOn,
    appliedTo: inv.id,
    appliedToReferenceNumber: inv.referenceNumber,
  });
  const payment = (n: number, type: Row | undefined, memo: string, day: number, splits: unknown[]) =>
    add('payments', {
      active: true,
      appliedTo: splits,
      customer: { id: jane.id, name: jane.name },
      date: new Date(Date.UTC(2026, 10, day)).toISOString(),
      memo,
      referenceNumber: `PAY-${ti}${n}`,
      syncStatus: 'Posted',
      total: addMoney((splits as Array<{ appliedAmount: string }>).map((sp) => sp.appliedAmount)),
      type: type?.name,
      typeId: String(type?.id),
      unappliedAmount: '0.00',
      customFields: [],
    });
  payment(1, types[1], 'Counter payment', 12, [applied(inv1, half, 1, 'office')]);
  payment(2, types[2], 'Collected on site', 14, [
    applied(inv1, rest, 1, 'technician'),
    applied(inv2, part, 2, 'technician'),
  ]);
  inv1.balance = '0.00';
  inv2.balance = money(cents(String(inv2.total)) - cents(part));
}

function seedVolume(add: Add, n: number, ti: number): void {
  const [cash] = paymentTypes(add);
  const bu0 = businessUnit(add, `BU ${ti}-A`, `B${ti}A`);
  businessUnit(add, `BU ${ti}-B`, `B${ti}B`);
  const vendors = Array.from({ length: Math.max(1, Math.floor(n / 50)) }, (_, i) =>
    vendor(add, `Vendor ${ti}-${i}`),
  );
  const customers: Row[] = [];
  for (let i = 0; i < n; i += 1) customers.push(customer(add, `Customer ${ti}-${i}`));
  for (let i = 0; i < n; i += 1) {
    const v = vendors[i % vendors.length] as Row;
    const po = purchaseOrder(add, i + 1, v, bu0, [
      ['A', '1', '1.10'],
      ['B', '2', '2.20'],
      ['C', '3', '3.30'],
    ]);
    if (i % 2 === 0) inventoryBill(add, po, v, bu0);
  }
  const invoices: Row[] = [];
  for (let i = 0; i < Math.floor(n / 2); i += 1) {
    const c = customers[i] as Row;
    const j = job(add, i + 1, c, bu0);
    invoices.push(invoice(add, i + 1, c, bu0, j, [['1', '10.01']]));
  }
  // Field payments: every third invoice paid in part; every fifth pair of invoices by one payment
  // split over both.
  const applied = (inv: Row, amount: string) => ({
    appliedAmount: amount,
    appliedBy: 'technician',
    appliedId: inv.id,
    appliedOn: inv.modifiedOn,
    appliedTo: inv.id,
    appliedToReferenceNumber: inv.referenceNumber,
  });
  const pay = (splits: Array<ReturnType<typeof applied>>, k: number): void => {
    const first = invoices.find((inv) => inv.id === splits[0]?.appliedTo) as Row;
    add('payments', {
      active: true,
      appliedTo: splits,
      customer: first.customer,
      date: new Date(Date.UTC(2026, 10, 15)).toISOString(),
      memo: 'Collected on site',
      referenceNumber: `FP-${ti}-${k}`,
      syncStatus: 'Posted',
      total: addMoney(splits.map((sp) => sp.appliedAmount)),
      type: cash?.name,
      typeId: String(cash?.id),
      unappliedAmount: '0.00',
      customFields: [],
    });
    for (const sp of splits) {
      const inv = invoices.find((x) => x.id === sp.appliedTo) as Row;
      inv.balance = money(cents(String(inv.balance)) - cents(sp.appliedAmount));
    }
  };
  invoices.forEach((inv, i) => {
    if (i % 3 === 1) pay([applied(inv, '4.00')], i);
    const next = invoices[i + 1];
    if (i % 5 === 2 && next) pay([applied(inv, '2.50'), applied(next, '1.25')], i + 1000);
  });
}
