import { createHash } from 'node:crypto';
import { parseWebhookEvent } from '../../systems/servicetitan/index.js';
import type { WebhookSpec } from '../../sync/events.js';

/**
 * ServiceTitan V2 webhook events (api notes §6) as pointers to records: the event type names the
 * flow, the tenant and record id its source id (`<tenant>/<id>`, as the flows' readers give it). An
 * event of another tenant names no record of this instance (the flow's fetch leaves it out). A
 * payment event names the payment (`<tenant>/<id>`), whose splits the collections flow re-reads.
 * Events about records this pair does not send (appointments…) resolve to nothing.
 */
const FLOW_OF_EVENT: Array<[RegExp, string]> = [
  [/^businessunit\./i, 'business_units'],
  [/^vendor\./i, 'vendors'],
  [/^customer\./i, 'customers'],
  [/^purchaseorder\./i, 'purchase_orders'],
  [/^inventorybill\./i, 'vendor_bills'],
  [/^job\./i, 'jobs'],
  [/^invoice\./i, 'invoices'],
  // Payments taken in the field (collections.ts); a payment mlc made from Odoo is skipped there.
  [/^payment\./i, 'collections'],
];

export const serviceTitanOdooWebhooks: WebhookSpec = {
  routes: [{ path: '/webhooks/servicetitan', name: 'servicetitan' }],
  resolve({ body }) {
    const event = parseWebhookEvent(body);
    const flow = FLOW_OF_EVENT.find(([re]) => re.test(event.eventType))?.[1];
    if (!flow) return [];
    if (event.tenantId === undefined) throw new Error(`event ${event.eventType} names no tenant`);
    return [{ flow, sourceId: `${event.tenantId}/${event.recordId}` }];
  },
  eventId({ body, raw }) {
    const id = (body as { eventId?: unknown } | null)?.eventId;
    if (typeof id === 'string' || typeof id === 'number') return String(id);
    return `sha256:${createHash('sha256').update(raw).digest('hex')}`;
  },
};
