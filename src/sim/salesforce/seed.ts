import type { Store } from './store.js';
import type { Dml } from './writes.js';

/**
 * Seeds: `empty`; `demo` (two companies' accounts, contacts, products, the standard and a custom
 * price book, a Draft and an Activated order, an invoice); `demo-no-invoice` (the same in an org
 * without the Invoice object); `volume:N` (N accounts with two contacts each, N/5 products).
 * Seed names ending in `-no-invoice` build an org without Invoice.
 */
export const COMPANIES = ['acme-us', 'acme-eu'] as const;

export function hasInvoice(seed: string): boolean {
  return !seed.endsWith('-no-invoice');
}

export function seedStore(store: Store, dml: Dml, seed: string, userId: string): void {
  const name = seed.replace(/-no-invoice$/, '');
  store.put(
    'User',
    { Id: userId, Username: 'integration@acme.example', Name: 'Integration User' },
    true,
    userId,
  );
  store.integrationUserId = userId;
  const admin = store.newId('User');
  store.adminUserId = admin;
  store.put('User', { Id: admin, Username: 'admin@acme.example', Name: 'Jane Admin' }, true, userId);
  if (name === 'empty') return;
  const standard = store.put('Pricebook2', {
    Id: store.newId('Pricebook2'),
    Name: 'Standard Price Book',
    IsActive: true,
    IsStandard: true,
    Description: null,
  });
  if (name === 'demo') return demo(store, dml, standard.Id, admin);
  const m = /^volume:(\d+)$/.exec(name);
  if (m) return volume(store, dml, standard.Id, Number(m[1]));
  throw new Error(`unknown seed ${seed}: expected empty, demo, demo-no-invoice or volume:N`);
}

function demo(store: Store, dml: Dml, standardBook: string, admin: string): void {
  const eu = dml.create('Pricebook2', { Name: 'EU Price Book', IsActive: true });
  const accounts = [
    {
      Name: 'Azure Interior',
      AccountNumber: 'C-0010',
      Odoo_Id__c: 'res.partner:10',
      Odoo_Company__c: 'acme-us',
      BillingCity: 'Fremont',
      BillingCountry: 'United States',
    },
    {
      Name: 'Deco Addict',
      AccountNumber: 'C-0011',
      Odoo_Id__c: 'res.partner:11',
      Odoo_Company__c: 'acme-us',
      BillingCity: 'Pleasant Hill',
      BillingCountry: 'United States',
    },
    {
      Name: 'Lumen Möbel GmbH',
      AccountNumber: 'C-0020',
      Odoo_Id__c: 'res.partner:20',
      Odoo_Company__c: 'acme-eu',
      BillingCity: 'Berlin',
      BillingCountry: 'Germany',
    },
    {
      Name: 'Atelier Rive Gauche',
      AccountNumber: 'C-0021',
      Odoo_Id__c: 'res.partner:21',
      Odoo_Company__c: 'acme-eu',
      BillingCity: 'Paris',
      BillingCountry: 'France',
    },
  ].map((a) => dml.create('Account', a));
  const contacts: Array<Record<string, unknown>> = [
    {
      FirstName: 'Brandon',
      LastName: 'Freeman',
      Email: 'brandon@azure.example',
      AccountId: accounts[0]?.Id,
      Odoo_Id__c: 'res.partner:30',
      Odoo_Company__c: 'acme-us',
    },
    {
      FirstName: 'Colleen',
      LastName: 'Diaz',
      Email: 'colleen@deco.example',
      AccountId: accounts[1]?.Id,
      Odoo_Id__c: 'res.partner:31',
      Odoo_Company__c: 'acme-us',
    },
    {
      FirstName: 'Jonas',
      LastName: 'Keller',
      Email: 'jonas@lumen.example',
      AccountId: accounts[2]?.Id,
      Odoo_Id__c: 'res.partner:40',
      Odoo_Company__c: 'acme-eu',
    },
    {
      FirstName: 'Claire',
      LastName: 'Morel',
      Email: 'claire@rive.example',
      AccountId: accounts[3]?.Id,
      Odoo_Id__c: 'res.partner:41',
      Odoo_Company__c: 'acme-eu',
    },
    // Two contacts carrying one external id value (the field is External ID, not Unique): upserts by it answer 300.
    {
      FirstName: 'Sam',
      LastName: 'Twin',
      AccountId: accounts[0]?.Id,
      Odoo_Id__c: 'res.partner:99',
      Odoo_Company__c: 'acme-us',
    },
    {
      FirstName: 'Sam',
      LastName: 'Twin (copy)',
      AccountId: accounts[0]?.Id,
      Odoo_Id__c: 'res.partner:99',
      Odoo_Company__c: 'acme-us',
    },
  ];
  for (const c of contacts) dml.create('Contact', c);
  const products = [
    {
      Name: 'Office Chair',
      ProductCode: 'FURN-0001',
      IsActive: true,
      Odoo_Id__c: 'product.product:1',
      Odoo_Company__c: 'acme-us',
      price: 120,
    },
    {
      Name: 'Standing Desk',
      ProductCode: 'FURN-0002',
      IsActive: true,
      Odoo_Id__c: 'product.product:2',
      Odoo_Company__c: 'acme-us',
      price: 640,
    },
    {
      Name: 'Desk Lamp',
      ProductCode: 'FURN-0003',
      IsActive: true,
      Odoo_Id__c: 'product.product:3',
      Odoo_Company__c: 'acme-eu',
      price: 45.5,
    },
    {
      Name: 'Acoustic Panel',
      ProductCode: 'FURN-0004',
      IsActive: true,
      Odoo_Id__c: 'product.product:4',
      Odoo_Company__c: 'acme-eu',
      price: 89.9,
    },
  ].map(({ price, ...p }) => {
    const product = dml.create('Product2', p);
    const entry = dml.create('PricebookEntry', {
      Pricebook2Id: standardBook,
      Product2Id: product.Id,
      UnitPrice: price,
      IsActive: true,
    });
    return { product, entry, price };
  });
  const euEntries = products.slice(2).map((p) =>
    dml.create('PricebookEntry', {
      Pricebook2Id: eu.Id,
      Product2Id: p.product.Id,
      UnitPrice: Math.round(p.price * 0.95 * 100) / 100,
      IsActive: true,
    }),
  );
  const draft = dml.create('Order', {
    AccountId: accounts[0]?.Id,
    EffectiveDate: '2026-11-02',
    Status: 'Draft',
    Pricebook2Id: standardBook,
    Odoo_Id__c: 'sale.order:1',
    Odoo_Company__c: 'acme-us',
  });
  dml.create('OrderItem', {
    OrderId: draft.Id,
    PricebookEntryId: products[0]?.entry.Id,
    Quantity: 4,
    UnitPrice: 120,
    Odoo_Line_Id__c: 'sale.order.line:1',
  });
  dml.create('OrderItem', {
    OrderId: draft.Id,
    PricebookEntryId: products[1]?.entry.Id,
    Quantity: 1,
    UnitPrice: 640,
    Odoo_Line_Id__c: 'sale.order.line:2',
  });
  const active = dml.create('Order', {
    AccountId: accounts[2]?.Id,
    EffectiveDate: '2026-11-05',
    Status: 'Draft',
    Pricebook2Id: eu.Id,
    Odoo_Id__c: 'sale.order:2',
    Odoo_Company__c: 'acme-eu',
  });
  dml.create('OrderItem', {
    OrderId: active.Id,
    PricebookEntryId: euEntries[0]?.Id,
    Quantity: 10,
    UnitPrice: 43.23,
    Odoo_Line_Id__c: 'sale.order.line:3',
  });
  dml.update('Order', active.Id, { Status: 'Activated' });
  if (store.tables.has('Invoice')) {
    store.put(
      'Invoice',
      {
        Id: store.newId('Invoice'),
        DocumentNumber: 'INV-000001',
        BillingAccountId: accounts[2]?.Id,
        InvoiceDate: '2026-11-06',
        Status: 'Posted',
        TotalAmount: 432.3,
        Description: null,
      },
      true,
      admin,
    );
  }
}

function volume(store: Store, dml: Dml, standardBook: string, n: number): void {
  for (let i = 0; i < n; i++) {
    const company = COMPANIES[i % 2] as string;
    const a = dml.create('Account', {
      Name: `Customer ${i}`,
      AccountNumber: `C-${String(i).padStart(6, '0')}`,
      Odoo_Id__c: `res.partner:${1000 + i}`,
      Odoo_Company__c: company,
    });
    for (let k = 0; k < 2; k++) {
      dml.create('Contact', {
        LastName: `Contact ${i}-${k}`,
        AccountId: a.Id,
        Odoo_Id__c: `res.partner:${100000 + i * 2 + k}`,
        Odoo_Company__c: company,
      });
    }
  }
  for (let i = 0; i < Math.ceil(n / 5); i++) {
    const p = dml.create('Product2', {
      Name: `Product ${i}`,
      ProductCode: `P-${String(i).padStart(5, '0')}`,
      IsActive: true,
      Odoo_Id__c: `product.product:${i + 1}`,
      Odoo_Company__c: COMPANIES[i % 2],
    });
    dml.create('PricebookEntry', {
      Pricebook2Id: standardBook,
      Product2Id: p.Id,
      UnitPrice: 10 + (i % 90),
      IsActive: true,
    });
  }
  spreadStamps(store);
}

/** Volume records share stamps seven at a time, one second apart, ending now: ties on every second. */
function spreadStamps(store: Store): void {
  for (const t of store.tables.values()) {
    const recs = [...t.values()];
    const end = store.now();
    recs.forEach((r, i) => {
      const stamp = end - Math.floor((recs.length - 1 - i) / 7) * 1000;
      r.SystemModstamp = stamp;
      r.LastModifiedDate = stamp;
      r.CreatedDate = stamp;
    });
  }
}
