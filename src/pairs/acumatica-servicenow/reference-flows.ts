import type { AcuRow } from '../../systems/acumatica/client.js';
import type { Flow, SourceRecord } from '../../sync/types.js';
import { importFlat, type StagingRow } from '../s2p.js';
import { bool, text } from '../values.js';
import { NO_STAMP, lines, linked, stamp, type FlowContext } from './context.js';
import {
  mapCostCenter,
  mapGlAccount,
  mapVendor,
  type AccountData,
  type CostCenterData,
  type VendorData,
} from './mappers.js';

/** Reference data first: GL accounts, cost centers (subaccounts or branches), vendors. */
export function referenceFlows(ctx: FlowContext): Flow[] {
  const { acu, sn, t, opts, options, q, acuTime, batchSize } = ctx;
  const flows: Flow[] = [];

  // ---- GL accounts --------------------------------------------------------------------------------
  const account = (r: AcuRow): SourceRecord<AccountData> => ({
    id: r.id,
    modified: stamp(r),
    label: `${text(r.AccountCD) ?? ''} ${text(r.Description) ?? ''}`.trim(),
    data: {
      code: text(r.AccountCD) ?? '',
      description: text(r.Description) ?? '',
      type: text(r.Type) ?? '',
      active: r.Active === undefined || r.Active === null ? true : bool(r.Active),
      currency: text(r.CurrencyID),
    },
  });
  if (options.glAccounts.enabled) {
    flows.push({
      name: 'gl_accounts',
      entity: 'gl_account',
      direction: 'acumatica -> servicenow',
      description: `Acumatica GL accounts of types ${options.glAccounts.types.join(', ')} -> ${t.glAccountStaging}`,
      serverTime: acuTime,
      async *read(window) {
        for await (const page of acu.readChanged('Account', { window, select: q.accounts.select ?? [] }))
          yield page.map(account);
      },
      async fetch(ids) {
        const rows = await Promise.all(ids.map((id) => acu.get('Account', id)));
        return rows.filter((r): r is AcuRow => r !== null).map(account);
      },
      map: (r) => mapGlAccount(r.data, opts),
      write: (items) => importFlat(sn, t.glAccountStaging, items as never),
      provides: { kind: 'gl_account', key: (p: StagingRow) => p.u_number ?? '' },
    } satisfies Flow<AccountData, StagingRow> as Flow);
  }

  // ---- cost centers (Subaccount or Branch; no change stamp: full scan, diffed by hash) ------------
  const readCostCenters = async (): Promise<SourceRecord<CostCenterData>[]> => {
    if (options.costCenters.source === 'Subaccount') {
      const rows = await acu.list('Subaccount', { select: q.subaccounts.select ?? [] });
      return rows
        .filter((r) => text(r.SubaccountCD))
        .map((r) => ({
          id: text(r.SubaccountCD) as string,
          modified: NO_STAMP,
          label: `${text(r.SubaccountCD) ?? ''} ${text(r.Description) ?? ''}`.trim(),
          data: {
            code: text(r.SubaccountCD) as string,
            name: text(r.Description) ?? (text(r.SubaccountCD) as string),
            active: r.Active === undefined || r.Active === null ? true : bool(r.Active),
          },
        }));
    }
    // Branches come from the CompaniesStructure inquiry (§2: PUT with $expand=Results).
    const inquiry = await acu.put('CompaniesStructure', {}, { expand: ['Results'] });
    return lines(inquiry, 'Results')
      .filter((r) => text(r.BranchID))
      .map((r) => ({
        id: text(r.BranchID) as string,
        modified: NO_STAMP,
        label: `${text(r.BranchID) ?? ''} ${text(r.BranchName) ?? ''}`.trim(),
        data: {
          code: text(r.BranchID) as string,
          name: text(r.BranchName) ?? (text(r.BranchID) as string),
          active: r.BranchStatus === undefined || r.BranchStatus === null ? true : bool(r.BranchStatus),
        },
      }));
  };
  if (options.costCenters.enabled) {
    flows.push({
      name: 'cost_centers',
      entity: 'cost_center',
      direction: 'acumatica -> servicenow',
      description: `Acumatica ${options.costCenters.source === 'Subaccount' ? 'subaccounts' : 'branches'} -> ${t.costCenterStaging}`,
      serverTime: acuTime,
      async *read() {
        const all = await readCostCenters();
        for (let i = 0; i < all.length; i += batchSize) yield all.slice(i, i + batchSize);
      },
      async fetch(codes) {
        const want = new Set(codes.map((c) => c.toUpperCase()));
        return (await readCostCenters()).filter((r) => want.has(r.id.toUpperCase()));
      },
      map: (r) => mapCostCenter(r.data, opts),
      write: (items) => importFlat(sn, t.costCenterStaging, items as never),
      provides: { kind: 'cost_center', key: (p: StagingRow) => p.u_code ?? '' },
    } satisfies Flow<CostCenterData, StagingRow> as Flow);
  }

  // ---- vendors ------------------------------------------------------------------------------------
  const vendor = (r: AcuRow): SourceRecord<VendorData> => {
    const contact = linked(r.MainContact);
    const address = linked(contact?.Address);
    return {
      id: r.id,
      modified: stamp(r),
      label: `${text(r.VendorID) ?? ''} ${text(r.VendorName) ?? ''}`.trim(),
      data: {
        vendorId: text(r.VendorID) ?? '',
        name: text(r.VendorName) ?? '',
        legalName: text(r.LegalName),
        status: text(r.Status) ?? 'Active',
        currency: text(r.CurrencyID),
        terms: text(r.Terms),
        vendorClass: text(r.VendorClass),
        taxId: text(r.TaxRegistrationID),
        email: text(contact?.Email),
        city: text(address?.City),
        country: text(address?.Country),
      },
    };
  };
  if (options.vendors.enabled) {
    flows.push({
      name: 'vendors',
      entity: 'supplier',
      direction: 'acumatica -> servicenow',
      description: `Acumatica vendors -> ${t.supplierStaging}`,
      serverTime: acuTime,
      async *read(window) {
        const { entity, ...query } = q.vendors;
        for await (const page of acu.readChanged(entity, { window, ...query })) yield page.map(vendor);
      },
      async fetch(ids) {
        const expand = q.vendors.expand ?? [];
        const rows = await Promise.all(ids.map((id) => acu.get('Vendor', id, { expand })));
        return rows.filter((r): r is AcuRow => r !== null).map(vendor);
      },
      map: (r) => mapVendor(r.data, opts),
      write: (items) => importFlat(sn, t.supplierStaging, items as never),
      provides: { kind: 'supplier', key: (p: StagingRow) => p.u_erp_company_code ?? '' },
    } satisfies Flow<VendorData, StagingRow> as Flow);
  }

  return flows;
}
