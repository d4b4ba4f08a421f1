import type { SnCredentials } from './auth.js';
import { TABLES } from './schema.js';
import { STAGING_TABLES } from './staging.js';
import type { Store } from './store.js';

/**
 * Seeds: `empty` (the instance's configuration only: users, properties, the staging tables'
 * dictionary, transform maps and insertMultiple settings), `bare` (users and properties only: no S2P
 * staging tables, columns, transform maps or insertMultiple settings, as before `mlc setup`; `demo+bare`
 * is the demo data so), `demo` (plus S2P reference data,
 * companies, catalog requests and requisitions; target tables empty) and `volume:N` (the demo
 * reference data, no requests). Records are stamped in the hour before seeding.
 */
export function seedStore(store: Store, seed: string, credentials: SnCredentials): void {
  store.clear();
  const now = Date.now();
  let tick = 0;
  // Spread over the hour before seeding, in insertion order, a few rows per second.
  const past = (): number => now - 3_600_000 + Math.floor((tick++ * 7_919) % 3_500_000);
  const add = (table: string, values: Record<string, string>, at = past()) =>
    store.insert(table, values, at, 'admin');

  add('sys_user', {
    user_name: 'admin',
    name: 'System Administrator',
    email: 'admin@example.com',
    active: 'true',
    time_zone: 'UTC',
  });
  add('sys_user', {
    user_name: credentials.username,
    name: 'MLC Integration',
    email: 'mlc@example.com',
    active: 'true',
    time_zone: 'UTC',
    web_service_access_only: 'true',
  });
  add('sys_properties', { name: 'glide.buildname', value: 'Zurich' });
  add('sys_properties', { name: 'glide.invalid_query.returns_no_rows', value: 'false' });

  const bare = seed === 'bare' || seed.endsWith('+bare');
  if (bare) for (const t of STAGING_TABLES) store.hide(t.name);
  for (const def of TABLES.values()) {
    if (bare && def.staging) continue;
    add('sys_db_object', {
      name: def.name,
      label: def.label,
      super_class: def.staging ? 'sys_import_set_row' : '',
    });
    // The collection row (no element) describes the table itself.
    add('sys_dictionary', {
      name: def.name,
      element: '',
      column_label: def.label,
      internal_type: 'collection',
      mandatory: 'false',
      active: 'true',
    });
    const own = def.staging
      ? Object.entries(def.fields).filter(([f]) => f.startsWith('u_'))
      : Object.entries(def.fields);
    for (const [element, f] of own) {
      add('sys_dictionary', {
        name: def.name,
        element,
        column_label: f.label ?? element.replace(/_/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase()),
        mandatory: f.mandatory ? 'true' : 'false',
        internal_type: f.type,
        reference: f.ref ?? '',
        max_length: f.type === 'string' ? '255' : '40',
        active: 'true',
      });
    }
  }
  for (const t of bare ? [] : STAGING_TABLES) {
    const map = add('sys_transform_map', {
      name: t.label,
      source_table: t.name,
      target_table: t.target,
      active: 'true',
      run_business_rules: 'true',
      // The platform default (api notes §8): mlc sends NULL for a cleared value instead.
      copy_empty: 'false',
    });
    for (const m of t.maps) {
      add('sys_transform_entry', {
        map: map.sys_id as string,
        source_table: t.name,
        source_field: m.source,
        target_table: t.target,
        target_field: m.target,
        coalesce: m.coalesce ? 'true' : 'false',
        coalesce_case_sensitive: 'false',
        coalesce_empty_fields: 'false',
        choice_action: m.ref?.action ?? 'create',
        referenced_value_field: m.ref?.field ?? '',
        use_source_script: m.invert ? 'true' : 'false',
        source_script: m.invert ? `answer = source.${m.source} == 'true' ? 'false' : 'true';` : '',
      });
    }
    // The S2P staging tables are configured to map insertMultiple records by column name (§3.1).
    add('sys_rest_insert_multiple', {
      source_table: t.name,
      column_mapping: 'name',
      transform: 'asynchronous',
      active: 'true',
    });
  }

  const kind = seed.replace(/\+bare$/, '').split(':')[0];
  if (kind === 'empty' || (kind !== 'demo' && kind !== 'volume')) return;

  const odoo = add('sn_fin_erp_source', { name: 'ODOO', description: 'Odoo', active: 'true' });
  add('sn_fin_erp_source', { name: 'ACUMATICA', description: 'Acumatica', active: 'true' });
  const netsuite = add('sn_fin_erp_source', {
    name: 'NETSUITE',
    description: 'Oracle NetSuite',
    active: 'true',
  });
  // A second legal entity: NetSuite's second subsidiary maps to it.
  add('sn_fin_legal_entity', {
    name: 'Acme Europe',
    erp_source: netsuite.sys_id as string,
    currency: 'EUR',
    country: 'DE',
  });
  const entity = add('sn_fin_legal_entity', {
    name: 'Acme Distribution',
    erp_source: odoo.sys_id as string,
    currency: 'USD',
    country: 'US',
  });
  const admin = store.query('sys_user', 'user_name=admin')[0]?.sys_id ?? '';
  const cc: Record<string, string> = {};
  for (const [code, name, account] of [
    ['CC-100', 'Operations', '100'],
    ['CC-200', 'IT', '200'],
    ['CC-300', 'Warehouse', '300'],
    ['CC-500', 'Facilities', '500'],
  ] as const) {
    cc[code] = add('cmn_cost_center', {
      code,
      name,
      account_number: account,
      parent: code === 'CC-100' ? '' : (cc['CC-100'] ?? ''),
      manager: admin,
      valid_from: '2024-01-01',
      valid_to: '',
    }).sys_id as string;
  }
  for (const [code, name, category, type] of [
    ['600000', 'Purchases', 'Expense', 'Expense'],
    ['610000', 'Office Supplies', 'Expense', 'Expense'],
    ['620000', 'IT Equipment', 'Expense', 'Expense'],
    ['211000', 'Accounts Payable', 'Liability', 'Liability'],
  ] as const) {
    add('sn_fin_gl_account', { code, name, currency: 'USD', category, type, active: 'true' });
  }
  const vendorA = add('core_company', {
    name: 'Wood Corner',
    vendor: 'true',
    customer: 'false',
    manufacturer: 'false',
    vendor_type: 'Supplier',
    city: 'Chicago',
    country: 'US',
  });
  add('core_company', {
    name: 'Office Depot',
    vendor: 'true',
    customer: 'false',
    manufacturer: 'false',
    vendor_type: 'Supplier',
    city: 'Boca Raton',
    country: 'US',
  });
  void vendorA;
  if (kind === 'volume') return;

  const requests: Array<[string, string, string, string, string, string]> = [
    ['REQ0010001', 'approved', 'approved', 'Ergonomic chairs for the warehouse office', 'CC-300', '4'],
    ['REQ0010002', 'approved', 'approved', 'Laptops for new hires', 'CC-200', '2'],
    ['REQ0010003', 'requested', 'requested', 'Standing desk', 'CC-100', '1'],
  ];
  const prices: Record<string, string> = {
    REQ0010001: '189.00',
    REQ0010002: '1249.00',
    REQ0010003: '540.00',
  };
  let item = 20001;
  for (const [number, approval, state, description, costCenter, quantity] of requests) {
    const at = past();
    const price = prices[number] ?? '0';
    const total = (Number(price) * Number(quantity)).toFixed(2);
    const request = add(
      'sc_request',
      {
        number,
        approval,
        request_state: state,
        short_description: description,
        requested_for: admin,
        opened_at: new Date(at).toISOString().slice(0, 19).replace('T', ' '),
        price: total,
      },
      at,
    );
    add(
      'sc_req_item',
      {
        number: `RITM00${item++}`,
        request: request.sys_id as string,
        cat_item: description,
        quantity,
        price,
        short_description: description,
        requested_for: admin,
        approval,
        stage: approval === 'approved' ? 'fulfillment' : 'waiting_for_approval',
      },
      at,
    );
    add(
      'sn_shop_purchase_requisition',
      {
        state: approval === 'approved' ? 'approved' : 'draft',
        request: request.sys_id as string,
        supplier: '',
        cost_center: cc[costCenter] ?? '',
        legal_entity: entity.sys_id as string,
        total_amount: total,
        purchase_order: '',
      },
      at,
    );
  }
}
