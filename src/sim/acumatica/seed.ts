import type { PlainInput, Store } from './store.js';

/**
 * Seeds: `empty`, `demo` (Acme Building Supply), `volume:N` (reference data + N POs with 5 lines and
 * N/5 bills with 3 lines). Records are stamped in the past, spread over the hour before seeding;
 * in `volume`, records share timestamps in threes so that paging crosses equal LastModifiedDateTime.
 */
type Doc = Record<string, unknown> & { lines?: Record<string, Array<Record<string, unknown>>> };

function input(doc: Doc): PlainInput {
  const { lines, ...fields } = doc;
  return {
    fields,
    lines: Object.fromEntries(
      Object.entries(lines ?? {}).map(([k, ls]) => [k, ls.map((l) => ({ fields: l }))]),
    ),
  };
}

const ACCOUNTS: Array<[string, string, string]> = [
  ['10100', 'Cash', 'Asset'],
  ['20000', 'Accounts Payable', 'Liability'],
  ['50000', 'Cost of Goods Sold', 'Expense'],
  ['60000', 'Office Expense', 'Expense'],
  ['61000', 'IT Expense', 'Expense'],
  ['62000', 'Freight In', 'Expense'],
  ['64000', 'Repairs', 'Expense'],
];
const SUBACCOUNTS: Array<[string, string]> = [
  ['000-000', 'Default'],
  ['100-000', 'Operations'],
  ['200-000', 'IT'],
  ['300-000', 'Warehouse'],
];
const VENDORS: Array<[string, string, string, string, string]> = [
  ['V000001', 'Alpha Lumber', 'LUMBER', 'Portland', 'US'],
  ['V000002', 'Beacon Fasteners', 'HARDWARE', 'Toronto', 'CA'],
  ['V000003', 'Cobalt Tools', 'TOOLS', 'Austin', 'US'],
];

export function seedStore(store: Store, spec: string, now = Date.now()): void {
  store.reset();
  if (spec === 'empty') return;
  const volume = /^volume:(\d+)$/.exec(spec);
  if (spec !== 'demo' && !volume) throw new Error(`unknown seed ${spec} (empty | demo | volume:N)`);
  store.company = { CompanyID: 'ACME', CompanyName: 'Acme Building Supply' };
  store.branches = [
    { BranchID: 'HQ', BranchName: 'Acme Headquarters' },
    { BranchID: 'EAST', BranchName: 'Acme East' },
  ];
  const docs: Array<[string, Doc]> = [];
  for (const [cd, description, type] of ACCOUNTS) {
    docs.push([
      'Account',
      {
        AccountCD: cd,
        AccountID: Number(cd.slice(0, 3)),
        Description: description,
        Type: type,
        AccountClass: type.toUpperCase(),
        Active: true,
      },
    ]);
  }
  SUBACCOUNTS.forEach(([cd, description], i) =>
    docs.push([
      'Subaccount',
      { SubaccountCD: cd, SubaccountID: i + 1, Description: description, Active: true },
    ]),
  );
  for (const [id, name, cls, city, country] of VENDORS) {
    docs.push([
      'Vendor',
      {
        VendorID: id,
        VendorName: name,
        LegalName: `${name} Inc.`,
        VendorClass: cls,
        Status: 'Active',
        Terms: '30D',
        CurrencyID: 'USD',
        PaymentMethod: 'CHECK',
        TaxRegistrationID: `TX-${id.slice(-3)}`,
        MainContact: {
          Email: `ap@${name.split(' ')[0]?.toLowerCase() ?? 'vendor'}.example`,
          Address: { City: city, Country: country },
        },
      },
    ]);
  }
  if (volume) {
    const n = Number(volume[1]);
    for (let i = 0; i < n; i += 1) {
      docs.push(['PurchaseOrder', po(i, 5)]);
    }
    for (let i = 0; i < Math.floor(n / 5); i += 1) docs.push(['Bill', bill(i, 3, '61000')]);
  } else {
    docs.push(
      ['PurchaseOrder', po(0, 2)],
      ['PurchaseOrder', po(1, 3)],
      ['PurchaseOrder', po(2, 2)],
      ['PurchaseOrder', po(3, 3)],
    );
    docs.push(
      ['Bill', bill(0, 2, '60000')],
      ['Bill', bill(1, 3, '61000')],
      ['Bill', bill(2, 2, '64000')],
      ['Bill', { ...bill(3, 1, '62000'), Hold: true }],
    );
    docs.push([
      'Check',
      {
        Type: 'Payment',
        Vendor: 'V000001',
        PaymentMethod: 'CHECK',
        CashAccount: '10100',
        PaymentRef: '10001',
        ApplicationDate: day(now, -3),
        PaymentAmount: 480,
        Description: 'Payment Alpha Lumber',
        lines: { Details: [{ DocType: 'Bill', ReferenceNbr: '000001', AmountPaid: 480, Balance: 0 }] },
      },
    ]);
    docs.push([
      'Check',
      {
        Type: 'Payment',
        Vendor: 'V000002',
        PaymentMethod: 'CHECK',
        CashAccount: '10100',
        PaymentRef: '10002',
        ApplicationDate: day(now, -1),
        PaymentAmount: 250,
        Description: 'Payment Beacon Fasteners',
        lines: { Details: [{ DocType: 'Bill', ReferenceNbr: '000002', AmountPaid: 250, Balance: 0 }] },
      },
    ]);
    docs.push([
      'Payment',
      {
        Type: 'Payment',
        CustomerID: 'C000001',
        PaymentMethod: 'CHECK',
        CashAccount: '10100',
        PaymentRef: 'AR-7781',
        ApplicationDate: day(now, -2),
        PaymentAmount: 1200,
        Description: 'Customer receipt (accounts receivable)',
      },
    ]);
  }
  const start = now - 3_600_000;
  const step = Math.max(1, Math.floor(3_500_000 / Math.max(1, docs.length)));
  docs.forEach(([entity, doc], i) => {
    const stamp = volume ? start + Math.floor(i / 3) * 3 * step : start + i * step;
    const { record } = store.upsert(entity, input(doc), stamp - (stamp % 1000) + 233);
    // The first bills are released (Open); the rest stay Balanced.
    if (entity === 'Bill' && !volume && i < docs.length && String(record.fields.VendorRef) <= 'INV-4401')
      record.fields.Status = 'Open';
  });
}

function day(now: number, offsetDays: number): string {
  const d = new Date(now + offsetDays * 86_400_000);
  return `${d.toISOString().slice(0, 10)}T00:00:00+00:00`;
}

const ITEMS: Array<[string, string, number, string, string]> = [
  ['LUMBER2X4', '2x4 studs, 8 ft', 4.25, '50000', '300-000'],
  ['SCREWS-BOX', 'Deck screws, box of 500', 32.5, '50000', '300-000'],
  ['DRILL-18V', 'Cordless drill 18V', 129, '64000', '100-000'],
  ['LAPTOP', 'Laptop for site office', 1150, '61000', '200-000'],
  ['FREIGHT', 'Freight charge', 85, '62000', '100-000'],
  ['PAPER', 'Copy paper, case', 42, '60000', '000-000'],
];

function po(i: number, lines: number): Doc {
  const vendor = VENDORS[i % VENDORS.length]?.[0] ?? 'V000001';
  return {
    Type: 'Normal',
    VendorID: vendor,
    Location: 'MAIN',
    Date: `2025-03-${String((i % 27) + 1).padStart(2, '0')}T00:00:00+00:00`,
    Description: `Purchase order ${i + 1}`,
    VendorRef: `Q-${1000 + i}`,
    Branch: i % 2 === 0 ? 'HQ' : 'EAST',
    Hold: false,
    lines: {
      Details: Array.from({ length: lines }, (_, j) => {
        const [item, desc, cost, account, sub] = ITEMS[(i + j) % ITEMS.length] ?? ITEMS[0]!;
        return {
          InventoryID: item,
          LineDescription: desc,
          OrderQty: (j + 1) * 2,
          UnitCost: cost,
          Account: account,
          Subaccount: sub,
          BranchID: 'HQ',
        };
      }),
    },
  };
}

function bill(i: number, lines: number, account: string): Doc {
  const vendor = VENDORS[i % VENDORS.length]?.[0] ?? 'V000001';
  return {
    Type: 'Bill',
    Vendor: vendor,
    VendorRef: `INV-${4400 + i}`,
    Date: `2025-03-${String((i % 27) + 1).padStart(2, '0')}T00:00:00+00:00`,
    DueDate: `2025-04-${String((i % 27) + 1).padStart(2, '0')}T00:00:00+00:00`,
    PostPeriod: '032025',
    BranchID: 'HQ',
    Description: `Vendor invoice ${4400 + i}`,
    Hold: false,
    lines: {
      Details: Array.from({ length: lines }, (_, j) => {
        const amount = 100 + 10 * j + i;
        return {
          Branch: 'HQ',
          Account: j === 0 ? account : '60000',
          Subaccount: j === 0 && account === '64000' ? '300-000' : '000-000',
          TransactionDescription: j === 0 && account === '64000' ? 'Forklift repair' : `Line ${j + 1}`,
          Qty: 1,
          UnitCost: amount,
          Amount: amount,
        };
      }),
    },
  };
}
