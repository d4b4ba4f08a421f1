import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { InternalError } from '../../errors.js';
import { PATHS } from './hosts.js';
import type { NetSuiteTransport } from './transport.js';

/**
 * The record API (api notes §4): camelCase fields, references as `{id, refName}`, sublists as
 * `{links, items, totalResults}` with `expandSubResources=true` (§9). Creates answer 204 with the new
 * id only in `Location`; `PUT …/eid:{externalId}` creates or updates by external id.
 * https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_156335203191.html
 */
export type NsRecord = Record<string, unknown> & { id: string };

const recordSchema = z.object({ id: z.string() }).passthrough();

/** The idempotency header NetSuite honours for a retried submission (§4.3, §9). */
export const IDEMPOTENCY_HEADER = 'X-NetSuite-Idempotency-Key';

export interface WriteOptions {
  /** Sublists replaced whole (`?replace=item,expense`) instead of merged. */
  replace?: string[];
  /** Reused across retries of one logical write; a fresh UUID by default. */
  idempotencyKey?: string;
}

function recordPath(type: string, key: string | { externalId: string }): string {
  const k = typeof key === 'string' ? encodeURIComponent(key) : `eid:${encodeURIComponent(key.externalId)}`;
  return `${PATHS.record}/${type}/${k}`;
}

function idFromLocation(location: string | string[] | undefined): string | null {
  const value = Array.isArray(location) ? location[0] : location;
  if (!value) return null;
  const last = value.replace(/\/+$/, '').split('/').pop() ?? '';
  return /^\d+$/.test(last) ? last : null;
}

export class Records {
  constructor(private readonly transport: NetSuiteTransport) {}

  /** One record by internal id or external id; null when NetSuite has no such record (404 NONEXISTENT_ID). */
  async get(
    type: string,
    key: string | { externalId: string },
    opts: { expand?: boolean; fields?: string[] } = {},
  ): Promise<NsRecord | null> {
    const searchParams: Record<string, string> = {};
    if (opts.expand) searchParams.expandSubResources = 'true';
    if (opts.fields) searchParams.fields = opts.fields.join(',');
    const answer = await this.transport.call({
      method: 'GET',
      path: recordPath(type, key),
      searchParams,
      what: `GET ${type}/${typeof key === 'string' ? key : `eid:${key.externalId}`}`,
      idempotent: true,
      accept: [404],
    });
    if (answer.status === 404) return null;
    const parsed = recordSchema.safeParse(answer.body);
    if (!parsed.success)
      throw new InternalError(`GET ${type}: the answer is not a record`, { code: 'netsuite.record_shape' });
    return parsed.data as NsRecord;
  }

  /**
   * POST a new record (204 + Location). NetSuite documents the idempotency key for asynchronous
   * requests only, so a create whose outcome is unknown is not repeated (upserts by external id are
   * the safe way to write); it is repeated only when the request provably never left.
   */
  async create(type: string, body: Record<string, unknown>, opts: WriteOptions = {}): Promise<string> {
    const answer = await this.transport.call({
      method: 'POST',
      path: `${PATHS.record}/${type}`,
      json: body,
      headers: { [IDEMPOTENCY_HEADER]: opts.idempotencyKey ?? randomUUID() },
      what: `POST ${type}`,
      idempotent: false,
    });
    const id = idFromLocation(answer.headers.location);
    if (id === null)
      throw new InternalError(`POST ${type}: NetSuite answered ${answer.status} without a record Location`, {
        code: 'netsuite.no_location',
      });
    return id;
  }

  /** PATCH a record by internal id (204). */
  async update(
    type: string,
    id: string,
    body: Record<string, unknown>,
    opts: WriteOptions = {},
  ): Promise<void> {
    await this.transport.call({
      method: 'PATCH',
      path: recordPath(type, id),
      json: body,
      ...(opts.replace?.length ? { searchParams: { replace: opts.replace.join(',') } } : {}),
      headers: { [IDEMPOTENCY_HEADER]: opts.idempotencyKey ?? randomUUID() },
      what: `PATCH ${type}/${id}`,
      idempotent: true,
    });
  }

  /**
   * Creates or updates the record carrying `externalId` (PUT …/eid:). Answers the internal id when
   * NetSuite sends a Location (on create; on update it may not), else null.
   */
  async upsert(
    type: string,
    externalId: string,
    body: Record<string, unknown>,
    opts: WriteOptions = {},
  ): Promise<{ id: string | null }> {
    const answer = await this.transport.call({
      method: 'PUT',
      path: recordPath(type, { externalId }),
      json: body,
      ...(opts.replace?.length ? { searchParams: { replace: opts.replace.join(',') } } : {}),
      headers: { [IDEMPOTENCY_HEADER]: opts.idempotencyKey ?? randomUUID() },
      what: `PUT ${type}/eid:${externalId}`,
      idempotent: true,
    });
    return { id: idFromLocation(answer.headers.location) };
  }
}
