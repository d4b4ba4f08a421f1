import type { PingResult, ReadWindow } from '../types.js';
import { pingAcumatica } from './ping.js';
import { AcumaticaReader } from './readers.js';
import { AcumaticaTransport } from './transport.js';
import type { AcumaticaConnection, AcumaticaProbe, AcuRow } from './types.js';
import { AcumaticaWriter } from './writers.js';
import type { ClientContext } from '../types.js';

export type { AcumaticaAuth, AcumaticaConnection, AcumaticaProbe, AcuRow } from './types.js';
export { classify } from './errors.js';

/**
 * Client for Acumatica's contract-based REST API (api notes §1–§8), the one object the pairs use. Its
 * parts, one concern each: `transport.ts` (HTTP, licence limiter, retries, the session and its
 * credential from `auth.ts`), `errors.ts` (the error table), `readers.ts`, `writers.ts`, `ping.ts`.
 */
export class AcumaticaClient {
  readonly endpointName: string;
  readonly endpointVersion: string;
  private readonly t: AcumaticaTransport;
  private readonly reader: AcumaticaReader;
  private readonly writer: AcumaticaWriter;

  constructor(conn: AcumaticaConnection, ctx: ClientContext) {
    this.t = new AcumaticaTransport(conn, ctx);
    this.reader = new AcumaticaReader(this.t, Math.max(2, conn.pageSize ?? 500));
    this.writer = new AcumaticaWriter(this.t, this.reader);
    this.endpointName = this.t.endpointName;
    this.endpointVersion = this.t.endpointVersion;
  }

  /** One session per pass: sign in, run fn, always sign out (a leaked session holds an API seat, §1.3). */
  withSession<T>(fn: () => Promise<T>): Promise<T> {
    return this.t.withSession(fn);
  }

  /** Opens the session (takes one API-user seat). */
  signIn(): Promise<void> {
    return this.t.signIn();
  }

  /** Ends the session and frees its seat. */
  signOut(): Promise<void> {
    return this.t.signOut();
  }

  /** Signs out if a session is still open. */
  close(): Promise<void> {
    return this.t.signOut();
  }

  /** `GET /entity`: the build and the endpoints (name + version) the server offers (§1.4). */
  endpoints(): Promise<{ build: string; endpoints: Array<{ name: string; version: string }> }> {
    return this.reader.endpoints();
  }

  /** The server clock, from the `Date` header of `GET /entity`. */
  serverTime(): Promise<Date> {
    return this.reader.serverTime();
  }

  /** Records whose LastModifiedDateTime lies in the window, in pages (see AcumaticaReader.readChanged). */
  readChanged(
    entity: string,
    opts: { window: ReadWindow; select?: string[]; expand?: string[]; filter?: string; pageSize?: number },
  ): AsyncGenerator<AcuRow[]> {
    return this.reader.readChanged(entity, opts);
  }

  /** Every record matching the filter, read in `$top` pages. */
  list(
    entity: string,
    opts: { filter?: string; select?: string[]; expand?: string[] } = {},
  ): Promise<AcuRow[]> {
    return this.reader.list(entity, opts);
  }

  /** One record by its `id` GUID or its key values; null when it does not exist. */
  get(entity: string, idOrKeys: string | string[], opts: { expand?: string[] } = {}): Promise<AcuRow | null> {
    return this.reader.get(entity, idOrKeys, opts);
  }

  /** PUT create-or-update (§3.1). */
  put(
    entity: string,
    record: Record<string, unknown>,
    opts: { expand?: string[]; headers?: Record<string, string> } = {},
  ): Promise<AcuRow> {
    return this.writer.put(entity, record, opts);
  }

  /** Idempotent create of an auto-numbered document, found again by an external reference (§3.2). */
  upsertByRef(
    entity: string,
    refField: string,
    ref: string,
    record: Record<string, unknown>,
    opts: { expand?: string[]; detailsField?: string; detailKey?: string } = {},
  ): Promise<{ row: AcuRow; created: boolean }> {
    return this.writer.upsertByRef(entity, refField, ref, record, opts);
  }

  /** `mlc ping`: sign-in, the pinned endpoint version, and each probe's real query with `$top=1`. */
  ping(probes: Array<string | AcumaticaProbe> = []): Promise<PingResult> {
    return pingAcumatica(this.t, this.reader, probes);
  }
}
