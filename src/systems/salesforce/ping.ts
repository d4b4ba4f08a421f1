import { z } from 'zod';
import { queryAll, soqlString } from './soql.js';
import { isMlcError } from '../../errors.js';
import { redact } from '../../http/redact.js';
import type { PingCheck, PingResult } from '../types.js';
import { limitsBody } from './limits.js';
import type { SalesforceTransport } from './transport.js';

/** What a pair asks `mlc ping` to verify: an sObject, the fields its flow reads or writes, its key. */
export interface SalesforceRequirement {
  sobject: string;
  fields: string[];
  /** The external-id field upserts key on: must exist and be marked External ID. */
  externalId?: string;
  /** The flow runs only when the org has the object (Invoice): its absence is reported, not failed. */
  optional?: boolean;
  /** The flow creates or upserts records of this object. */
  writes?: boolean;
  /** Records the configuration names, which must exist (and be active, where the object says so). */
  records?: { field: string; values: string[]; option: string };
}

const globalBody = z.object({
  sobjects: z.array(
    z
      .object({ name: z.string(), createable: z.boolean(), updateable: z.boolean(), queryable: z.boolean() })
      .loose(),
  ),
});
const describeBody = z.object({
  name: z.string(),
  fields: z.array(
    z
      .object({
        name: z.string(),
        type: z.string(),
        externalId: z.boolean().optional(),
        createable: z.boolean().optional(),
        updateable: z.boolean().optional(),
      })
      .loose(),
  ),
});

export type SobjectInfo = z.infer<typeof globalBody>['sobjects'][number];

/** describeGlobal (`GET /sobjects`): the org's objects with what the user may do with them. */
export async function describeGlobal(t: SalesforceTransport): Promise<Map<string, SobjectInfo>> {
  const answer = await t.request(
    { method: 'GET', path: 'sobjects', op: 'meta', what: 'GET sobjects' },
    globalBody,
  );
  return new Map((answer?.body.sobjects ?? []).map((s) => [s.name, s]));
}

/** `GET /sobjects/{T}/describe`: the object's fields. */
export async function describeSobject(
  t: SalesforceTransport,
  sobject: string,
): Promise<z.infer<typeof describeBody>> {
  const answer = await t.request(
    {
      method: 'GET',
      path: `sobjects/${sobject}/describe`,
      op: 'meta',
      what: `GET sobjects/${sobject}/describe`,
    },
    describeBody,
  );
  return answer?.body ?? { name: sobject, fields: [] };
}

/**
 * Invoice is a standard object only in orgs with Order Management, Commerce or Revenue Cloud
 * Billing, and even then not createable through the sObject API
 * (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_invoice.htm).
 */
export async function invoiceSupport(
  t: SalesforceTransport,
): Promise<{ present: boolean; createable: boolean; updateable: boolean }> {
  const info = (await describeGlobal(t)).get('Invoice');
  return {
    present: info !== undefined,
    createable: info?.createable ?? false,
    updateable: info?.updateable ?? false,
  };
}

/**
 * Sign-in, the pinned API version offered by the org, the daily allowance, whether the org has the
 * Invoice object, and every sObject and field the flows need (by describe).
 */
export async function ping(
  t: SalesforceTransport,
  connection: string,
  requirements: SalesforceRequirement[],
): Promise<PingResult> {
  const checks: PingCheck[] = [];
  const result: PingResult = { connection, system: 'salesforce', url: t.conn.url, ok: false, checks };
  const guard = async (name: string, fn: () => Promise<PingCheck[] | string>): Promise<boolean> => {
    try {
      const out = await fn();
      if (typeof out === 'string') checks.push({ name, ok: true, detail: out });
      else checks.push(...out);
      return true;
    } catch (err) {
      checks.push({
        name,
        ok: false,
        detail: redact(isMlcError(err) ? `${err.message}${err.hint ? ` (${err.hint})` : ''}` : String(err)),
      });
      return false;
    }
  };
  await guard('api version', async () => {
    const { versions } = await t.versions();
    const latest = versions[versions.length - 1]?.version ?? '?';
    result.serverVersion = `API ${t.version} (org serves up to ${latest})`;
    if (!versions.some((v) => v.version === t.version)) {
      return [
        {
          name: 'api version',
          ok: false,
          detail: `the org does not serve API ${t.version} (it serves ${versions[0]?.version ?? '?'} to ${latest}); set apiVersion in mlc.yaml`,
        },
      ];
    }
    return `API ${t.version} offered (latest ${latest})`;
  });
  const signedIn = await guard('sign in', async () => {
    await t.auth.token();
    return `${t.conn.auth.kind} session on ${t.auth.instanceUrl ?? '?'}`;
  });
  if (!signedIn) return result;
  await guard('daily API allowance', async () => {
    const answer = await t.request(
      { method: 'GET', path: 'limits', op: 'meta', what: 'GET limits' },
      limitsBody,
    );
    const daily = answer?.body.DailyApiRequests;
    if (!daily) return 'not reported';
    t.budget.observe({ used: daily.Max - daily.Remaining, max: daily.Max });
    return `${daily.Remaining} of ${daily.Max} requests left; a pass may spend ${Math.round(t.budget.share * 100)}% of what remains`;
  });
  let objects = new Map<string, SobjectInfo>();
  await guard('objects', async () => {
    objects = await describeGlobal(t);
    const inv = objects.get('Invoice');
    return [
      {
        name: 'sobject Invoice',
        ok: true,
        detail: inv
          ? `present (${inv.createable ? 'createable' : 'not createable: invoices come from Billing or Order Management'}${inv.updateable ? ', updateable' : ''}); ERP invoices are recorded on their Orders`
          : 'absent: the org has no Invoice object (it comes with Order Management, Commerce or Billing); ERP invoices are recorded on their Orders',
      },
    ];
  });
  for (const req of requirements) {
    const info = objects.get(req.sobject);
    if (!info) {
      checks.push({
        name: `sobject ${req.sobject}`,
        ok: req.optional === true,
        detail: req.optional
          ? 'absent: the flow that needs it is disabled'
          : 'missing, or the integration user cannot see it',
      });
      continue;
    }
    if (req.writes && !info.createable) {
      checks.push({
        name: `sobject ${req.sobject}`,
        ok: req.optional === true,
        detail: 'not createable by the integration user',
      });
      continue;
    }
    await guard(`sobject ${req.sobject}`, async () => {
      const d = await describeSobject(t, req.sobject);
      const byName = new Map(d.fields.map((f) => [f.name, f]));
      const missing = req.fields.filter((f) => !f.includes('.') && !byName.has(f));
      const out: PingCheck[] = [
        {
          name: `sobject ${req.sobject}`,
          ok: missing.length === 0,
          detail:
            missing.length === 0
              ? `${req.fields.length} fields present`
              : `missing fields: ${missing.join(', ')}`,
        },
      ];
      if (req.records && req.records.values.length > 0) {
        const { field, values, option } = req.records;
        const active = byName.has('IsActive');
        const rows = await queryAll(
          t,
          `SELECT Id, ${field}${active ? ', IsActive' : ''} FROM ${req.sobject} WHERE ${field} IN (${values.map(soqlString).join(', ')})`,
        );
        for (const v of values) {
          const found = rows.filter((r) => r[field] === v);
          out.push({
            name: `${req.sobject} "${v}"`,
            ok: found.length === 1 && (!active || found[0]?.IsActive === true),
            detail:
              found.length === 0
                ? `does not exist (named in ${option})`
                : found.length > 1
                  ? `more than one ${req.sobject} is named so (${option})`
                  : active && found[0]?.IsActive !== true
                    ? `not active (named in ${option})`
                    : `present (${option})`,
          });
        }
      }
      if (req.externalId !== undefined) {
        const f = byName.get(req.externalId);
        out.push({
          name: `external id ${req.sobject}.${req.externalId}`,
          ok: f?.externalId === true,
          detail: !f
            ? 'missing field'
            : f.externalId
              ? 'marked External ID'
              : 'not marked External ID: upserts by it are refused',
        });
      }
      return out;
    });
  }
  result.ok = checks.every((c) => c.ok);
  return result;
}
