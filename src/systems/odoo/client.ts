/**
 * Odoo client over XML-RPC (`/xmlrpc/2/*`, all versions) and JSON-2 (`/json/2/<model>/<method>`,
 * 19+), behind one interface (api notes §1). Business semantics are identical on both transports.
 * Its parts, each building on the previous: transport.ts (transports, version, clock,
 * authentication), readers.ts, writers.ts, loads.ts (by external id), ping.ts; errors.ts holds the
 * error table.
 */
import { OdooPing } from './ping.js';

export { classifyOdooError } from './errors.js';
export type { LoadValue, XmlIdResult, XmlIdRow } from './loads.js';
export type { FieldInfo, OdooConnection, OdooFailure, OdooRow, UpsertResult } from './types.js';

export class OdooClient extends OdooPing {}
