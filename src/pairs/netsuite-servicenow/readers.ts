import type { NetSuiteClient } from '../../systems/netsuite/client.js';
import { STAMP_KEY, sqlStamp, sqlString, type SuiteQlRow } from '../../systems/netsuite/suiteql.js';
import { fromZoned } from '../../systems/netsuite/timezone.js';
import type { ReadWindow } from '../../systems/types.js';
import type { SourceRecord } from '../../sync/types.js';
import type {
  AccountData,
  CostCenterData,
  DocumentData,
  LineData,
  PostingData,
  SubsidiaryRef,
  VendorData,
} from './mappers.js';

/**
 * SuiteQL readers of the netsuite-servicenow pair (api notes §3, §3.1). Change windows run on
 * `lastmodifieddate` (the header's, for documents: lines carry no stamp the cursor could use), with
 * headers first and their lines fetched by `transaction IN (…)` afterwards, so a page never splits a
 * document. Reference columns are resolved through look-ups read once per pass.
 */
const NO_STAMP = new Date(0).toISOString();
/** Ids per `IN (…)` (SuiteQL allows 1,000) — small enough that lines stay far below the row ceiling. */
const IN_CHUNK = 200;

const s = (v: SuiteQlRow[string] | undefined): string | null =>
  v === null || v === undefined || v === '' ? null : String(v);
const n = (v: SuiteQlRow[string] | undefined): number | null =>
  v === null || v === undefined || v === '' ? null : Number(v);
const stampOf = (r: SuiteQlRow): string => s(r[STAMP_KEY]) ?? NO_STAMP;

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const idList = (ids: readonly string[]): string => ids.map((id) => String(Number(id))).join(', ');

/** NetSuite master data documents are enriched with, read once per pass. */
export class Lookups {
  private cache = new Map<string, Promise<Map<string, SuiteQlRow>>>();

  constructor(
    private readonly ns: NetSuiteClient,
    private readonly codePrefix: string,
  ) {}

  private table(key: string, q: string): Promise<Map<string, SuiteQlRow>> {
    let p = this.cache.get(key);
    if (!p) {
      p = this.ns.suiteql.all(q).then((rows) => new Map(rows.map((r) => [String(r.id), r])));
      p.catch(() => this.cache.delete(key));
      this.cache.set(key, p);
    }
    return p;
  }

  vendors = (): Promise<Map<string, SuiteQlRow>> =>
    this.table('vendor', 'SELECT v.id, v.entityid, v.companyname FROM vendor v ORDER BY v.id');
  accounts = (): Promise<Map<string, SuiteQlRow>> =>
    this.table(
      'account',
      'SELECT a.id, a.acctnumber, a.accountsearchdisplayname FROM account a ORDER BY a.id',
    );
  departments = (): Promise<Map<string, SuiteQlRow>> =>
    this.table('department', 'SELECT d.id, d.externalid FROM department d ORDER BY d.id');
  subsidiaries = (): Promise<Map<string, SuiteQlRow>> =>
    this.table('subsidiary', 'SELECT s.id, s.name FROM subsidiary s ORDER BY s.id');

  /** A department's cost center code: its external id, else `<codePrefix><id>`. */
  costCenterCode(id: string, externalId: string | null): string {
    return externalId ?? `${this.codePrefix}${id}`;
  }
}

// ---- master data --------------------------------------------------------------------------------

const ACCOUNT_SELECT =
  'a.id, a.acctnumber, a.accountsearchdisplayname, a.accttype, a.isinactive, a.subsidiary, BUILTIN.DF(a.subsidiary) AS subsidiaryname, BUILTIN.DF(a.currency) AS currency';

function account(r: SuiteQlRow): SourceRecord<AccountData> {
  const number = s(r.acctnumber) ?? String(r.id);
  const name = s(r.accountsearchdisplayname) ?? '';
  return {
    id: String(r.id),
    modified: stampOf(r),
    label: `${number} ${name}`.trim(),
    data: {
      number,
      name,
      type: s(r.accttype) ?? '',
      active: r.isinactive !== 'T',
      currency: s(r.currency),
      subsidiary: s(r.subsidiary) === null ? null : { id: String(r.subsidiary), name: s(r.subsidiaryname) },
    },
  };
}

const DEPARTMENT_SELECT = 'd.id, d.name, d.externalid, d.isinactive';

function department(lookups: Lookups, r: SuiteQlRow): SourceRecord<CostCenterData> {
  const code = lookups.costCenterCode(String(r.id), s(r.externalid));
  return {
    id: code,
    modified: stampOf(r),
    label: `${code} ${s(r.name) ?? ''}`.trim(),
    data: { code, name: s(r.name) ?? '', active: r.isinactive !== 'T' },
  };
}

const VENDOR_SELECT = 'v.id, v.entityid, v.companyname, v.isinactive, v.email, BUILTIN.DF(v.terms) AS terms';

function vendor(r: SuiteQlRow): SourceRecord<VendorData> {
  const entityId = s(r.entityid) ?? String(r.id);
  return {
    id: String(r.id),
    modified: stampOf(r),
    label: `${entityId} ${s(r.companyname) ?? ''}`.trim(),
    data: {
      entityId,
      name: s(r.companyname) ?? entityId,
      active: r.isinactive !== 'T',
      email: s(r.email),
      terms: s(r.terms),
    },
  };
}

export class Readers {
  constructor(
    private readonly ns: NetSuiteClient,
    readonly lookups: Lookups,
    /** The reference a document is known by (subsidiary prefix + number), for labels. */
    private readonly refOf: (subsidiary: string, tranId: string) => string,
  ) {}

  async *accounts(window: ReadWindow): AsyncGenerator<SourceRecord<AccountData>[]> {
    for await (const page of this.ns.suiteql.changed({ select: ACCOUNT_SELECT, from: 'account a' }, window))
      yield page.map(account);
  }

  async accountsById(ids: string[]): Promise<SourceRecord<AccountData>[]> {
    return this.byIds(ACCOUNT_SELECT, 'account a', 'a.id', ids, account);
  }

  async *departments(window: ReadWindow): AsyncGenerator<SourceRecord<CostCenterData>[]> {
    for await (const page of this.ns.suiteql.changed(
      { select: DEPARTMENT_SELECT, from: 'department d' },
      window,
    ))
      yield page.map((r) => department(this.lookups, r));
  }

  /** Departments by cost center code (external id, or `<codePrefix><id>`). */
  async departmentsByCode(codes: string[], codePrefix: string): Promise<SourceRecord<CostCenterData>[]> {
    const ids: string[] = [];
    const eids: string[] = [];
    for (const code of codes) {
      const rest = codePrefix && code.startsWith(codePrefix) ? code.slice(codePrefix.length) : '';
      if (/^\d+$/.test(rest)) ids.push(rest);
      else eids.push(code);
    }
    const where = [
      ...(ids.length ? [`d.id IN (${idList(ids)})`] : []),
      ...(eids.length ? [`d.externalid IN (${eids.map(sqlString).join(', ')})`] : []),
    ];
    if (where.length === 0) return [];
    const rows = await this.ns.suiteql.all(
      `SELECT ${DEPARTMENT_SELECT}, ${sqlStamp('d.lastmodifieddate')} AS ${STAMP_KEY} FROM department d WHERE ${where.join(' OR ')} ORDER BY d.id`,
    );
    return rows.map((r) => department(this.lookups, this.utc(r)));
  }

  async *vendors(window: ReadWindow): AsyncGenerator<SourceRecord<VendorData>[]> {
    for await (const page of this.ns.suiteql.changed({ select: VENDOR_SELECT, from: 'vendor v' }, window))
      yield page.map(vendor);
  }

  async vendorsById(ids: string[]): Promise<SourceRecord<VendorData>[]> {
    return this.byIds(VENDOR_SELECT, 'vendor v', 'v.id', ids, vendor);
  }

  /** A stamp read outside `changed()` is in the account's zone: to ISO UTC like the windowed reads. */
  private utc(r: SuiteQlRow): SuiteQlRow {
    const text = s(r[STAMP_KEY]);
    return { ...r, [STAMP_KEY]: text === null ? null : fromZoned(text, this.ns.timeZone).toISOString() };
  }

  private async byIds<T>(
    select: string,
    from: string,
    idCol: string,
    ids: string[],
    build: (r: SuiteQlRow) => SourceRecord<T>,
  ): Promise<SourceRecord<T>[]> {
    const out: SourceRecord<T>[] = [];
    const alias = from.split(/\s+/)[1]!;
    for (const part of chunks(
      ids.filter((id) => /^\d+$/.test(id)),
      IN_CHUNK,
    )) {
      const rows = await this.ns.suiteql.all(
        `SELECT ${select}, ${sqlStamp(`${alias}.lastmodifieddate`)} AS ${STAMP_KEY} FROM ${from} WHERE ${idCol} IN (${idList(part)}) ORDER BY ${idCol}`,
      );
      out.push(...rows.map((r) => build(this.utc(r))));
    }
    return out;
  }

  // ---- documents ----------------------------------------------------------------------------------

  private headerSelect =
    "t.id, t.tranid, t.type, t.entity, t.status, BUILTIN.DF(t.status) AS statustext, TO_CHAR(t.trandate,'YYYY-MM-DD') AS trandate, TO_CHAR(t.duedate,'YYYY-MM-DD') AS duedate, BUILTIN.DF(t.currency) AS currency, t.foreigntotal, t.memo, t.otherrefnum, ml.subsidiary";
  private headerFrom = "transaction t JOIN transactionline ml ON ml.transaction = t.id AND ml.mainline = 'T'";

  /** Documents of `types` (and `statuses`, when given) changed in the window, with their lines. */
  async *documents(
    window: ReadWindow,
    types: string[],
    statuses?: string[],
    lines = true,
  ): AsyncGenerator<SourceRecord<DocumentData>[]> {
    const where = [`t.type IN (${types.map(sqlString).join(', ')})`];
    if (statuses) where.push(`t.status IN (${statuses.map(sqlString).join(', ')})`);
    for await (const page of this.ns.suiteql.changed(
      { select: this.headerSelect, from: this.headerFrom, where },
      window,
    ))
      yield await this.withLines(page, lines);
  }

  async documentsById(
    ids: string[],
    types: string[],
    statuses?: string[],
    lines = true,
  ): Promise<SourceRecord<DocumentData>[]> {
    const out: SourceRecord<DocumentData>[] = [];
    for (const part of chunks(
      ids.filter((id) => /^\d+$/.test(id)),
      IN_CHUNK,
    )) {
      const where = [`t.id IN (${idList(part)})`, `t.type IN (${types.map(sqlString).join(', ')})`];
      if (statuses) where.push(`t.status IN (${statuses.map(sqlString).join(', ')})`);
      const rows = await this.ns.suiteql.all(
        `SELECT ${this.headerSelect}, ${sqlStamp('t.lastmodifieddate')} AS ${STAMP_KEY} FROM ${this.headerFrom} WHERE ${where.join(' AND ')} ORDER BY t.id`,
      );
      out.push(
        ...(await this.withLines(
          rows.map((r) => this.utc(r)),
          lines,
        )),
      );
    }
    return out;
  }

  private async subsidiary(id: SuiteQlRow[string] | undefined): Promise<SubsidiaryRef> {
    const subs = await this.lookups.subsidiaries();
    const key = String(id ?? '');
    return { id: key, name: s(subs.get(key)?.name) };
  }

  private async withLines(headers: SuiteQlRow[], withLines = true): Promise<SourceRecord<DocumentData>[]> {
    if (headers.length === 0) return [];
    const [vendors, accounts, departments] = await Promise.all([
      this.lookups.vendors(),
      this.lookups.accounts(),
      this.lookups.departments(),
    ]);
    const lines = new Map<string, SuiteQlRow[]>();
    for (const part of withLines
      ? chunks(
          headers.map((h) => String(h.id)),
          IN_CHUNK,
        )
      : []) {
      const rows = await this.ns.suiteql.all(
        `SELECT tl.transaction, tl.id, tl.item, BUILTIN.DF(tl.item) AS itemname, tl.quantity, tl.rate, tl.netamount, tl.expenseaccount, tl.department, tl.memo, TO_CHAR(tl.expectedreceiptdate,'YYYY-MM-DD') AS expected FROM transactionline tl WHERE tl.transaction IN (${idList(part)}) AND tl.mainline = 'F' AND tl.taxline = 'F' ORDER BY tl.transaction, tl.id`,
      );
      for (const r of rows) {
        const list = lines.get(String(r.transaction)) ?? [];
        list.push(r);
        lines.set(String(r.transaction), list);
      }
    }
    const out: SourceRecord<DocumentData>[] = [];
    for (const h of headers) {
      const id = String(h.id);
      const v = s(h.entity) === null ? undefined : vendors.get(String(h.entity));
      const sub = await this.subsidiary(h.subsidiary);
      const tranId = s(h.tranid) ?? id;
      const docLines: LineData[] = (lines.get(id) ?? []).map((l) => {
        const acct = s(l.expenseaccount) === null ? undefined : accounts.get(String(l.expenseaccount));
        const dept = s(l.department) === null ? undefined : departments.get(String(l.department));
        return {
          lineId: String(l.id),
          item: s(l.itemname),
          description: s(l.memo) ?? s(l.itemname) ?? '',
          quantity: n(l.quantity),
          rate: n(l.rate),
          amount: n(l.netamount) ?? 0,
          account: acct
            ? { number: s(acct.acctnumber) ?? String(acct.id), name: s(acct.accountsearchdisplayname) ?? '' }
            : null,
          costCenter:
            s(l.department) === null
              ? null
              : this.lookups.costCenterCode(String(l.department), s(dept?.externalid)),
          expected: s(l.expected),
        };
      });
      out.push({
        id,
        modified: stampOf(h),
        label: this.refOf(sub.id, tranId),
        data: {
          id,
          tranId,
          type: s(h.type) ?? '',
          status: s(h.status) ?? '',
          statusText: s(h.statustext) ?? s(h.status) ?? '',
          subsidiary: sub,
          vendor: v ? { entityId: s(v.entityid) ?? String(v.id), name: s(v.companyname) ?? '' } : null,
          date: s(h.trandate),
          dueDate: s(h.duedate),
          currency: s(h.currency),
          total: n(h.foreigntotal) ?? 0,
          memo: s(h.memo),
          vendorInvoice: s(h.otherrefnum),
          lines: docLines,
        },
      });
    }
    return out;
  }

  /** Posted GL lines of the documents a page names, one record per accounting line. */
  async postings(docs: SourceRecord<DocumentData>[]): Promise<SourceRecord<PostingData>[]> {
    if (docs.length === 0) return [];
    const [accounts, departments] = await Promise.all([this.lookups.accounts(), this.lookups.departments()]);
    const byId = new Map(docs.map((d) => [d.id, d]));
    const out: SourceRecord<PostingData>[] = [];
    for (const part of chunks([...byId.keys()], IN_CHUNK)) {
      const rows = await this.ns.suiteql.all(
        `SELECT tal.transaction, tal.transactionline, tal.account, tal.debit, tal.credit, tl.department, tl.memo FROM transactionaccountingline tal LEFT JOIN transactionline tl ON tl.transaction = tal.transaction AND tl.id = tal.transactionline WHERE tal.transaction IN (${idList(part)}) AND tal.posting = 'T' ORDER BY tal.transaction, tal.transactionline`,
      );
      for (const r of rows) {
        const doc = byId.get(String(r.transaction))!;
        const acct = s(r.account) === null ? undefined : accounts.get(String(r.account));
        const dept = s(r.department) === null ? undefined : departments.get(String(r.department));
        const line = String(r.transactionline);
        out.push({
          id: `${doc.id}:${line}`,
          modified: doc.modified,
          label: `${doc.label}/${line}`,
          data: {
            transactionId: doc.id,
            tranId: doc.data.tranId,
            type: doc.data.type,
            line,
            subsidiary: doc.data.subsidiary,
            date: doc.data.date,
            currency: doc.data.currency,
            account: acct
              ? { number: s(acct.acctnumber) ?? '', name: s(acct.accountsearchdisplayname) ?? '' }
              : null,
            costCenter:
              s(r.department) === null
                ? null
                : this.lookups.costCenterCode(String(r.department), s(dept?.externalid)),
            debit: n(r.debit) ?? 0,
            credit: n(r.credit) ?? 0,
            memo: s(r.memo) ?? doc.data.memo,
          },
        });
      }
    }
    return out;
  }
}
