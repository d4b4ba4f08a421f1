import { openSecretStore } from '../../commands/secret.js';
import { SIM_TENANTS } from '../../sim/servicetitan/index.js';
import { sleep, spawnMlc, type FaultEnv } from '../env.js';
import { simRows } from '../oracle.js';
import type { PairDescriptor } from '../types.js';
import {
  actualOdoo,
  expectedFromServiceTitan,
  scopes,
  st,
  TENANTS,
  text,
  type Row,
} from './servicetitan-odoo-oracles.js';

const PAIR = 'servicetitan-odoo';
/** The tenant the instance named after the pair reads (the simulator's first, connection `servicetitan`). */
const FIRST = TENANTS[0] ?? '';

/** The instance and connection of a tenant: the first keeps the pair's and the simulator's names. */
const instanceOf = (tenant: string): string => (tenant === FIRST ? PAIR : `${PAIR}-${tenant}`);
const connectionOf = (tenant: string): string =>
  tenant === FIRST ? 'servicetitan' : `servicetitan-${tenant}`;

const exec = (e: FaultEnv, model: string, method: string, args: unknown[]): Promise<unknown> =>
  e.control('odoo', 'POST', 'exec', { model, method, args });

/**
 * Every tenant of the simulator as its own pair instance (as the README sets them up), each in its
 * Odoo company: the bot user is granted the companies, each further tenant gets a connection with
 * its own client credentials (stored encrypted, and watched for as canaries) and an instance with
 * its own payment type. Payments are on for every instance.
 *
 * Payments flow back only for invoices already in Odoo, so the first tenant is synced once here,
 * cleanly, and Odoo then registers payments of its invoices (full and partial ones, and one of no
 * ServiceTitan invoice, which must stay in Odoo); a few of its records change as well. The faulted
 * passes then export those payments and carry the changes for the first tenant, and write every
 * record of the others from nothing.
 */
async function prepare(e: FaultEnv): Promise<void> {
  const login = String((e.sims.odoo?.credentials as { login?: unknown } | undefined)?.login ?? '');
  const [bot] = (await simRows(e, 'odoo', 'res.users')).filter((u) => u.login === login);
  if (!bot) throw new Error(`Odoo has no user ${login}`);
  const companies = (await scopes(e)).map((s) => s.company);
  await exec(e, 'res.users', 'write', [[Number(bot.id)], { company_ids: [[6, 0, companies]] }]);

  const typeOf = async (tenant: string): Promise<number> => {
    const [type] = await st(e, 'payment_types', tenant);
    if (!type) throw new Error(`ServiceTitan tenant ${tenant} has no payment type`);
    return Number(type.id);
  };
  const typeIds = new Map(await Promise.all(TENANTS.map(async (t) => [t, await typeOf(t)] as const)));
  const others = SIM_TENANTS.filter((t) => t.tenantId !== FIRST);
  const { store, close } = openSecretStore(e.config, e.env);
  try {
    for (const t of others) {
      const name = connectionOf(t.tenantId);
      // One application serves every tenant that installed it: the same key, stored per connection.
      const appKey = e.sims.servicetitan?.connection(name).secrets[`${name}.app_key`];
      if (!appKey) throw new Error('the ServiceTitan simulator gives no application key');
      store.set(`${name}.client_secret`, t.clientSecret);
      store.set(`${name}.app_key`, appKey);
    }
  } finally {
    close();
  }
  for (const t of others) {
    e.canaries.push(t.clientSecret);
    (e.secrets.servicetitan ??= []).push(t.clientSecret);
  }
  e.editConfig((c) => {
    const conns = c.connections as Record<string, Record<string, unknown>>;
    const pairs = c.pairs as Record<string, Record<string, unknown>>;
    const base = pairs[PAIR] ?? {};
    pairs[PAIR] = { ...base, payments: { typeId: typeIds.get(FIRST) } };
    for (const t of others) {
      const name = connectionOf(t.tenantId);
      conns[name] = {
        ...conns.servicetitan,
        tenantId: t.tenantId,
        clientId: t.clientId,
        clientSecret: `secret:${name}.client_secret`,
        appKey: `secret:${name}.app_key`,
      };
      pairs[instanceOf(t.tenantId)] = {
        ...base,
        type: PAIR,
        source: name,
        payments: { typeId: typeIds.get(t.tenantId) },
      };
    }
  });

  const first = await spawnMlc(e, ['sync', PAIR]).done;
  if (first.code !== 0)
    throw new Error(
      `the first tenant's first pass exited ${String(first.code)}: ${first.stderr.slice(-300)}`,
    );
  await registerPayments(e);
  // Changes for the faulted passes to carry besides the payments.
  const [customers, vendors] = await Promise.all([st(e, 'customers', FIRST), st(e, 'vendors', FIRST)]);
  for (const [entity, row] of [
    ...customers.slice(0, 3).map((r) => ['customers', r] as const),
    ...vendors.slice(0, 1).map((r) => ['vendors', r] as const),
  ])
    await e.control('servicetitan', 'POST', 'touch', {
      tenant: FIRST,
      entity,
      id: row.id,
      changes: { name: `${text(row.name)} (renamed)` },
    });
  // A pass reads up to the whole second before it starts: the next one is to see all of this.
  await sleep(1050 - (Date.now() % 1000));
}

/**
 * Odoo customer payments of the first tenant's invoices: every other invoice paid, in full or in
 * part (40 %), and one payment of no invoice, which must not reach ServiceTitan.
 */
async function registerPayments(e: FaultEnv): Promise<void> {
  const [s] = await scopes(e);
  if (!s) return;
  const invoices = (await simRows(e, 'odoo', 'account.move'))
    .filter((m) => m.move_type === 'out_invoice' && text(m.ref).startsWith(`${s.prefix}INV.`))
    .sort((a, b) => Number(a.id) - Number(b.id));
  const pay = async (partner: unknown, amount: number, invoice?: number): Promise<void> => {
    const created = (await exec(e, 'account.payment', 'create', [
      [
        {
          payment_type: 'inbound',
          partner_type: 'customer',
          partner_id: Array.isArray(partner) ? Number(partner[0]) : false,
          amount,
          date: '2026-11-20',
          ...(invoice === undefined ? {} : { reconciled_invoice_ids: [[6, 0, [invoice]]] }),
        },
      ],
    ])) as { result: number[] | number };
    const ids = Array.isArray(created.result) ? created.result : [created.result];
    await exec(e, 'account.payment', 'action_post', [ids]);
  };
  for (const [i, m] of invoices.entries()) {
    if (i % 2 === 1) continue;
    const total = Number(m.amount_total);
    await pay(m.partner_id, i % 4 === 0 ? total : Math.round(total * 40) / 100, Number(m.id));
  }
  if (invoices[0]) await pay(invoices[0].partner_id, 5);
}

let burst = 0;

export const serviceTitanOdoo: PairDescriptor = {
  name: PAIR,
  source: 'servicetitan',
  target: 'odoo',
  seed: 'volume:20',
  settings: {},
  syncArgs: ['sync', '--all', '-v'],
  prepare,
  sourceOracle: expectedFromServiceTitan,
  targetOracle: actualOdoo,
  /**
   * ServiceTitan's `modifiedOn` has millisecond precision and the simulator never stamps two changes
   * alike, so a burst of edits made back to back (consecutive stamps) stands in for a tie, in every
   * tenant: they still cross the small pages' boundaries between two passes.
   */
  async tieBurst(e, count) {
    burst += 1;
    for (const tenant of TENANTS) {
      const touch = (entity: string, id: unknown, changes: Row): Promise<unknown> =>
        e.control('servicetitan', 'POST', 'touch', { tenant, entity, id, changes });
      const [customers, vendors, orders] = await Promise.all([
        st(e, 'customers', tenant),
        st(e, 'vendors', tenant),
        st(e, 'purchase_orders', tenant),
      ]);
      await Promise.all([
        ...customers
          .slice(0, count)
          .map((c) =>
            touch('customers', c.id, { name: `${text(c.name).replace(/ \(b\d+\)$/, '')} (b${burst})` }),
          ),
        ...vendors.slice(0, 1).map((v) => touch('vendors', v.id, { name: `Vendor burst ${burst}` })),
        ...orders
          .slice(0, Math.ceil(count / 3))
          .map((po) => touch('purchase_orders', po.id, { summary: `burst ${burst}` })),
      ]);
    }
  },
  /**
   * The simulator cannot hold a transaction open, but it can move every stamp back (`/_sim/age`):
   * `count` customers of the first tenant renamed now and then aged `seconds` carry a change stamp
   * behind the cursor, as a commit that landed late would (rows already synced move back too, which
   * no pass minds). The reconcile of the scenario is the first tenant's instance's.
   */
  async lateCommit(e, count, seconds) {
    const customers = (await st(e, 'customers', FIRST)).slice(-count);
    for (const c of customers)
      await e.control('servicetitan', 'POST', 'touch', {
        tenant: FIRST,
        entity: 'customers',
        id: c.id,
        changes: { name: `${text(c.name)} (late)` },
      });
    await e.control('servicetitan', 'POST', 'age', { ms: seconds * 1000 });
  },
  smallPages(c) {
    for (const conn of Object.values(c.connections as Record<string, Record<string, unknown>>))
      if (conn.system === 'servicetitan' || conn.system === 'odoo') conn.pageSize = 4;
  },
};
