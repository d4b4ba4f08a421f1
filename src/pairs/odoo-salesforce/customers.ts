import { RecordError } from '../../errors.js';
import { upsertContacts, type ContactRow } from '../../systems/odoo/sinks/contacts.js';
import {
  fetchCustomers,
  idOfRef,
  readCustomers,
  type OdooCustomer,
} from '../../systems/odoo/sources/index.js';
import {
  parseSfDateTime,
  soqlString,
  type SfRecord,
  type WriteOutcome,
} from '../../systems/salesforce/index.js';
import type { Flow, SourceRecord, WriteResult } from '../../sync/types.js';
import { eachCompany, inEachCompany, type PairContext } from './context.js';
import {
  mapAccount,
  mapContact,
  mapContactToOdoo,
  type ContactPayload,
  type OdooContactPayload,
  type SfContactData,
  type SfValues,
} from './mappers.js';

type CustomerData = OdooCustomer & { companyCode: string };

const result = (o: WriteOutcome): WriteResult =>
  o.ok ? { ok: true, targetId: o.id, response: { created: o.created } } : { ok: false, error: o.error };

/**
 * Customers: Odoo customer companies -> Accounts, their people -> Contacts (by external id), and,
 * when enabled, Salesforce contacts changed by people -> Odoo contacts (never echoed: mlc's own
 * Salesforce writes are not read back and both directions hash the same canonical contact).
 */
export function customerFlows(ctx: PairContext): Flow[] {
  const { odoo, sf, options, f, companies, sfLookups, odooTime, sfTime } = ctx;
  const flows: Flow[] = [];
  const record = (c: OdooCustomer, companyCode: string): SourceRecord<CustomerData> => ({
    id: c.ref,
    modified: c.modified.toISOString(),
    label: c.name || c.ref,
    data: { ...c, companyCode },
  });
  const reader = (kind: 'company' | 'person') => (window: Parameters<Flow['read']>[0]) =>
    eachCompany(companies, async function* (c) {
      for await (const page of readCustomers(odoo, { window, scope: c, kinds: [kind] }))
        yield page.map((r) => record(r, c.code));
    });
  const fetcher = (kind: 'company' | 'person') => (refs: string[]) =>
    inEachCompany(companies, async (c) =>
      (await fetchCustomers(odoo, refs, c)).filter((r) => r.kind === kind).map((r) => record(r, c.code)),
    );

  if (options.customers.enabled) {
    flows.push({
      name: 'accounts',
      entity: 'account',
      direction: 'odoo -> salesforce',
      description: `Odoo customer companies -> Salesforce Accounts (by ${f.externalId})`,
      serverTime: odooTime,
      read: reader('company'),
      fetch: fetcher('company'),
      map: (r) => mapAccount(r.data, r.data.companyCode, f),
      write: async (items) =>
        (
          await sf.upsert(
            'Account',
            f.externalId,
            items.map((i) => i.payload),
          )
        ).map(result),
      provides: { kind: 'account', key: (p: SfValues) => String(p[f.externalId]) },
    } satisfies Flow<CustomerData, SfValues> as Flow);

    flows.push({
      name: 'contacts',
      entity: 'contact',
      direction: 'odoo -> salesforce',
      description: `Odoo contact people of customer companies -> Salesforce Contacts (by ${f.externalId})`,
      serverTime: odooTime,
      read: reader('person'),
      fetch: fetcher('person'),
      map: (r) => mapContact(r.data, r.data.companyCode, f),
      hashOf: (p: ContactPayload) => p.canonical,
      async write(items): Promise<WriteResult[]> {
        const out = new Array<WriteResult>(items.length);
        for (const key of [f.externalId, 'Id']) {
          const idx = items.map((it, i) => (it.payload.key.field === key ? i : -1)).filter((i) => i >= 0);
          if (idx.length === 0) continue;
          const outs = await sf.upsert(
            'Contact',
            key,
            idx.map((i) => {
              const p = items[i]?.payload as ContactPayload;
              return { ...p.values, [key]: p.key.value };
            }),
          );
          idx.forEach((i, k) => (out[i] = result(outs[k] as WriteOutcome)));
        }
        return out;
      },
    } satisfies Flow<CustomerData, ContactPayload> as Flow);
  }

  if (options.contactsToOdoo.enabled) {
    const FIELDS = [
      'FirstName',
      'LastName',
      'Email',
      'Phone',
      'AccountId',
      `Account.${f.externalId}`,
      `Account.${f.company}`,
      f.externalId,
      'LastModifiedById',
      'SystemModstamp',
    ];
    const toRecord = (r: SfRecord): SourceRecord<SfContactData> => {
      const account = (r.Account ?? null) as Record<string, unknown> | null;
      const odooRef =
        typeof r[f.externalId] === 'string' && r[f.externalId] !== '' ? String(r[f.externalId]) : null;
      const accountRef = typeof account?.[f.externalId] === 'string' ? String(account[f.externalId]) : null;
      return {
        id: odooRef ?? `salesforce:${r.Id}`,
        modified: parseSfDateTime(String(r.SystemModstamp)).toISOString(),
        label: [r.FirstName, r.LastName].filter((x) => typeof x === 'string' && x !== '').join(' ') || r.Id,
        data: {
          id: r.Id,
          odooRef,
          first: typeof r.FirstName === 'string' ? r.FirstName : null,
          last: String(r.LastName ?? ''),
          email: typeof r.Email === 'string' ? r.Email : null,
          phone: typeof r.Phone === 'string' ? r.Phone : null,
          accountRef: accountRef?.startsWith('res.partner:') ? accountRef : null,
          companyCode: typeof account?.[f.company] === 'string' ? String(account[f.company]) : null,
        },
      };
    };
    flows.push({
      name: 'contacts_to_odoo',
      entity: 'contact',
      direction: 'salesforce -> odoo',
      description: 'Salesforce Contacts changed by people (of Accounts from Odoo) -> Odoo contacts',
      serverTime: sfTime,
      async *read(window) {
        const me = await sf.integrationUserId();
        for await (const page of sf.readChanged('Contact', {
          fields: FIELDS,
          window,
          where: `LastModifiedById != ${soqlString(me)} AND AccountId != null`,
        }))
          yield page.map(toRecord);
      },
      async fetch(ids) {
        const refs = ids.filter((i) => !i.startsWith('salesforce:'));
        const sfIds = ids
          .filter((i) => i.startsWith('salesforce:'))
          .map((i) => i.slice('salesforce:'.length));
        const rows = [
          ...(refs.length ? await sfLookups.where('Contact', FIELDS, f.externalId, refs) : []),
          ...(sfIds.length ? await sfLookups.where('Contact', FIELDS, 'Id', sfIds) : []),
        ];
        return rows.map(toRecord);
      },
      map: (r) => mapContactToOdoo(r.data),
      hashOf: (p: OdooContactPayload) => p.canonical,
      async write(items): Promise<WriteResult[]> {
        const rows: Array<ContactRow | RecordError> = [];
        for (const it of items) {
          const p = it.payload;
          const parentId = idOfRef('res.partner', p.parentRef);
          const company = p.companyCode === null ? undefined : await companies.byCode(p.companyCode);
          if (parentId === undefined) {
            rows.push(
              new RecordError(`Account ${p.parentRef} is not an Odoo customer`, {
                code: 'odoo_salesforce.bad_account_ref',
              }),
            );
            continue;
          }
          rows.push({
            partnerId: p.partnerRef === null ? null : (idOfRef('res.partner', p.partnerRef) ?? null),
            ref: p.sfRef,
            name: p.name,
            email: p.email,
            phone: p.phone,
            parentId,
            companyId: company?.company ?? null,
          });
        }
        const good = rows.filter((r): r is ContactRow => !(r instanceof RecordError));
        const results = await upsertContacts(odoo, good);
        let k = 0;
        return rows.map((r): WriteResult => {
          if (r instanceof RecordError) return { ok: false, error: r };
          const res = results[k++];
          if (!res || res.error)
            return {
              ok: false,
              error: res?.error ?? new RecordError('no result', { code: 'odoo_salesforce.no_result' }),
            };
          return {
            ok: true,
            targetId: res.id === undefined ? null : String(res.id),
            response: { created: res.created },
          };
        });
      },
    } satisfies Flow<SfContactData, OdooContactPayload> as Flow);
  }
  return flows;
}
