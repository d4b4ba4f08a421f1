/** Shapes shared by the Odoo client's parts. */
import type { RecordError } from '../../errors.js';
/** Connection settings of one Odoo instance. */
export interface OdooConnection {
  /** Base URL, e.g. `http://127.0.0.1:41234` or `https://acme.odoo.com`. */
  url: string;
  db: string;
  login: string;
  apiKey: string;
  /** `auto`: JSON-2 on 19+, XML-RPC below, decided from `version()`. */
  transport: 'auto' | 'xmlrpc' | 'json2';
  timeoutMs?: number;
  /** Rows per read page; default 200. */
  pageSize?: number;
  /** Rows per create call; default 100 (§3). */
  batchSize?: number;
}

/** One record as read: Odoo's `false` for empty is turned into null for non-boolean fields. */
export type OdooRow = Record<string, unknown> & { id: number };

export interface FieldInfo {
  type: string;
  string?: string;
  relation?: string;
  required?: boolean;
}

export interface UpsertResult {
  ref: string;
  id?: number;
  created?: boolean;
  error?: RecordError;
}

export type Transport = 'xmlrpc' | 'json2';

/** What the error table reads from a failed call. */
export interface OdooFailure {
  transport: Transport;
  /** e.g. `purchase.order.search_read`. */
  op: string;
  status?: number;
  faultCode?: number;
  /** JSON-2 `name` (Python exception path). */
  name?: string;
  message: string;
  debug?: string;
  html?: boolean;
  retryAfterMs?: number;
}
