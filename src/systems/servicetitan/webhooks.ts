import { z } from 'zod';
import { RecordError } from '../../errors.js';

/**
 * What mlc takes from a ServiceTitan V2 webhook event. The payload is not documented beyond "follows
 * the API data models" (https://developer-next.servicetitan.io/docs/webhooks), so an event is a
 * trigger: its type, tenant and record id, from the first of the usual places that holds them; the
 * record itself is re-read through the API (api notes §6). Delivery is at least once and unordered.
 */
const idLike = z.union([z.number().int(), z.string().regex(/^\d+$/)]).transform((v) => Number(v));

const eventSchema = z
  .object({
    eventId: z.union([z.string(), z.number()]).optional(),
    id: z.union([z.string(), z.number()]).optional(),
    eventType: z.string().optional(),
    event: z.string().optional(),
    type: z.string().optional(),
    tenantId: idLike.optional(),
    tenant: idLike.optional(),
    data: z.object({ id: idLike.optional() }).passthrough().optional(),
    entityId: idLike.optional(),
  })
  .passthrough();

export interface StWebhookEvent {
  /** The sender's event id (for de-duplication), when it sends one. */
  eventId: string | undefined;
  eventType: string;
  tenantId: string | undefined;
  /** Id of the record the event is about. */
  recordId: number;
}

export function parseWebhookEvent(body: unknown): StWebhookEvent {
  const parsed = eventSchema.safeParse(body);
  const e = parsed.success ? parsed.data : undefined;
  const recordId = e?.data?.id ?? e?.entityId ?? (typeof e?.id === 'number' ? e.id : undefined);
  const eventType = e?.eventType ?? e?.event ?? e?.type;
  if (!e || recordId === undefined || eventType === undefined)
    throw new RecordError('the webhook event names no event type or record id', {
      code: 'servicetitan.webhook_unreadable',
      hint: 'the record is picked up by the next scheduled pass',
    });
  const tenant = e.tenantId ?? e.tenant;
  return {
    eventId: e.eventId === undefined ? undefined : String(e.eventId),
    eventType,
    tenantId: tenant === undefined ? undefined : String(tenant),
    recordId,
  };
}
